// The search page: reads the form, asks the JSON API, shows the results.
// Every text from the query or the index goes into the page with textContent or as an attribute
// value set through the DOM, never as HTML: a model id like "<script>…" shows as those characters.
"use strict";

const HUB = "https://huggingface.co/";
const FIELDS = ["type", "q", "task", "library", "sdk", "license", "author", "language", "max_params", "max_size_gb",
  "fits_gpu_gb", "context", "min_context", "tag", "base_model", "trained_on", "architecture", "min_downloads",
  "min_likes", "quantized", "no_gated", "sort", "k"];
// per type: its pages' place on the Hub, its plural, and the drop-downs /api/options fills
const TYPES = {
  model: {prefix: "", plural: "models", selects: ["task", "library", "license"]},
  dataset: {prefix: "datasets/", plural: "datasets", selects: ["task", "license"]},
  space: {prefix: "spaces/", plural: "Spaces", selects: ["sdk", "license"]},
};
const SELECTS = ["task", "library", "sdk", "license"];
const form = document.getElementById("search-form");
const typeField = document.getElementById("type");
const statusLine = document.getElementById("status");
const results = document.getElementById("results");

function human(n) {
  for (const [size, suffix] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]]) {
    if (n >= size) return (n / size).toFixed(1).replace(/\.0$/, "") + suffix;
  }
  return String(n);
}

function idPath(id) {  // "owner/name" -> "owner/name" with each part percent-encoded
  return id.split("/").map(encodeURIComponent).join("/");
}

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

function counted(n, noun) {
  return human(n) + " " + noun + (n === 1 ? "" : "s");
}

function gigabytes(bytes) {
  return bytes > 0 && bytes < 0.05e9 ? "<0.1 GB" : (bytes / 1e9).toFixed(1) + " GB";
}

function list(values, most = 3) {
  if (!values || !values.length) return null;
  return values.slice(0, most).join(", ") + (values.length > most ? ` +${values.length - most}` : "");
}

function facts(m) {
  const out = [];
  if (m.type === "dataset") {
    if (m.pretty_name) out.push(m.pretty_name);
    for (const value of [list(m.task_categories), list(m.languages), m.size_category, m.license]) {
      if (value) out.push(value);
    }
    if (m.downloads != null) out.push(counted(m.downloads, "download"));
    if (m.likes != null) out.push(counted(m.likes, "like"));
    if (m.gated) out.push("gated");
    return out;
  }
  if (m.type === "space") {
    for (const value of [m.title, m.sdk, m.runtime_stage && m.runtime_stage.toLowerCase(), m.license]) {
      if (value) out.push(value);
    }
    if (m.models && m.models.length) out.push(counted(m.models.length, "model"));
    if (m.datasets && m.datasets.length) out.push(counted(m.datasets.length, "dataset"));
    if (m.likes != null) out.push(counted(m.likes, "like"));
    return out;
  }
  if (m.pipeline_tag) out.push(m.pipeline_tag);
  if (m.library_name) out.push(m.library_name);
  if (m.num_parameters != null) out.push(human(m.num_parameters) + " params");
  if (m.weights_bytes != null) out.push(gigabytes(m.weights_bytes) + " weights");
  if (m.est_min_gpu_gb != null) out.push("est. fits " + m.est_min_gpu_gb + " GB GPU");
  if (m.quantization) out.push(m.quantization);
  if (m.license) out.push(m.license);
  if (m.downloads != null) out.push(counted(m.downloads, "download"));
  if (m.likes != null) out.push(counted(m.likes, "like"));
  if (m.gated) out.push("gated");
  return out;
}

function hubUrl(m) {  // the server's url when it is a Hub page, else made here
  const type = TYPES[m.type] || TYPES.model;
  return typeof m.url === "string" && m.url.startsWith(HUB) ? m.url : HUB + type.prefix + idPath(m.id);
}

function resultItem(m) {
  const item = el("li", {class: "result"});
  item.dataset.id = m.id;
  item.dataset.type = m.type || "model";
  if (m.downloads != null) item.dataset.downloads = String(m.downloads);
  const url = hubUrl(m);
  const link = el("a", {class: "model-link", href: url, target: "_blank", rel: "noopener noreferrer"}, m.id);
  item.append(link, el("span", {class: "score"}, "score " + m.score.toFixed(3)));
  if ("growth" in m) {  // sort=growth: the growth over the window (null: not known for this one)
    const noun = m.type === "space" ? "likes" : "downloads";
    const text = m.growth == null ? "growth unknown" : (m.growth >= 0 ? "+" : "−") + human(Math.abs(m.growth)) + " " + noun;
    item.append(el("span", {class: "growth"}, text));
  }
  item.append(el("div", {class: "url"}, url));
  if (m.matched_on && m.matched_on.length) {  // why it matched: "name: llama, instruct; task: text-generation"
    item.append(el("div", {class: "matched"}, "matched on " + m.matched_on.join("; ")));
  }
  const tags = el("ul", {class: "facts"});
  for (const fact of facts(m)) tags.append(el("li", {}, fact));
  const similar = el("button", {type: "button", class: "similar"}, "Similar " + (TYPES[m.type] || TYPES.model).plural);
  similar.addEventListener("click", () => go({similar: m.id, ...filterValues()}));
  item.append(tags, similar);
  return item;
}

function filterValues() {  // the form's non-empty fields, as the API names them
  const values = {};
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim() !== "") values[name] = String(value).trim();
  }
  return values;
}

function show(message, isError = false) {
  statusLine.textContent = message;
  statusLine.classList.toggle("error", isError);
}

async function run(state) {
  const params = new URLSearchParams(state);
  params.delete("similar");
  params.delete("q");
  let url;
  if (state.similar) {
    url = "/api/similar/" + idPath(state.similar) + "?" + params;
  } else {
    params.set("q", state.q);
    url = "/api/search?" + params;
  }
  show("Searching…");
  document.body.dataset.state = "loading";
  try {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    results.replaceChildren(...body.results.map(resultItem));
    const what = state.similar ? `similar to ${state.similar}` : `for “${state.q}”`;
    const type = body.type || "model";
    const g = body.growth;  // sort=growth: which days were compared
    const by = g ? `, by growth from ${g.start_date} to ${g.end_date}` + (g.note ? ` (${g.note})` : "") : "";
    show(body.results.length ? `${body.results.length} ${TYPES[type].plural} ${what}${by}`
      : `No ${type} ${what} matches the filters.`);
  } catch (error) {
    results.replaceChildren();
    show(String(error.message || error), true);
  } finally {
    document.body.dataset.state = "done";
  }
}

function go(state) {  // a new search or similar list: remembered in the address, so Back returns to it
  history.pushState(null, "", "?" + new URLSearchParams(state));
  run(state);
}

async function fromAddress() {
  const state = Object.fromEntries(new URLSearchParams(location.search));
  const type = state.type in TYPES ? state.type : served[0];
  if (type !== typeField.value) {
    typeField.value = type;
    await showType(type);
  }
  for (const name of FIELDS) {
    const field = form.elements.namedItem(name);
    if (!field || !(name in state)) continue;
    if (field.type === "checkbox") field.checked = state[name] === "true";
    else {
      if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === state[name])) {
        field.append(el("option", {value: state[name]}, state[name]));
      }
      field.value = state[name];
    }
  }
  if (state.similar || state.q) run(state);
}

let served = ["model"];  // the types the server has an index of (/api/options says)

async function loadOptions(type) {  // fills the drop-downs of ``type``; the first call learns the types served
  try {
    const response = await fetch("/api/options" + (type ? "?type=" + encodeURIComponent(type) : ""));
    const options = await response.json();
    if (!response.ok) throw new Error(options.error || response.statusText);
    if (!type) {
      served = options.types || ["model"];
      for (const option of typeField.options) option.disabled = !served.includes(option.value);
      typeField.value = options.type || served[0];
    }
    for (const name of SELECTS) {
      const select = form.elements.namedItem(name);
      select.replaceChildren(el("option", {value: ""}, "any"));
      for (const {value, models} of options[name] || []) {
        select.append(el("option", {value}, `${value} (${human(models)})`));
      }
    }
  } catch (error) {
    show("Could not load the filter choices: " + (error.message || error), true);
  }
}

function showFilters(type) {  // the filters of ``type`` only: the others are hidden and not sent
  for (const label of form.querySelectorAll("label[data-types]")) {
    const applies = label.dataset.types.split(" ").includes(type);
    label.hidden = !applies;
    for (const field of label.querySelectorAll("input, select")) field.disabled = !applies;
  }
}

async function showType(type) {
  showFilters(type);
  await loadOptions(type);
}

typeField.addEventListener("change", () => showType(typeField.value));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  go(filterValues());
});
window.addEventListener("popstate", fromAddress);
loadOptions().then(async () => {
  showFilters(typeField.value);
  document.body.dataset.ready = "true";
  await fromAddress();
});
