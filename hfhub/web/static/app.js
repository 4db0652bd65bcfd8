// The search page: reads the form, asks the JSON API, shows the results.
// Every text from the query or the index goes into the page with textContent or as an attribute
// value set through the DOM, never as HTML: a model id like "<script>…" shows as those characters.
"use strict";

const HUB = "https://huggingface.co/";
const FIELDS = ["q", "task", "library", "license", "author", "language", "max_params", "max_size_gb",
  "fits_gpu_gb", "min_downloads", "min_likes", "quantized", "no_gated", "k"];
const form = document.getElementById("search-form");
const statusLine = document.getElementById("status");
const list = document.getElementById("results");

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

function facts(m) {
  const out = [];
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

function resultItem(m) {
  const item = el("li", {class: "result"});
  item.dataset.id = m.id;
  const link = el("a", {class: "model-link", href: HUB + idPath(m.id), target: "_blank", rel: "noopener noreferrer"}, m.id);
  item.append(link, el("span", {class: "score"}, "score " + m.score.toFixed(3)));
  const tags = el("ul", {class: "facts"});
  for (const fact of facts(m)) tags.append(el("li", {}, fact));
  const similar = el("button", {type: "button", class: "similar"}, "Similar models");
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
    list.replaceChildren(...body.results.map(resultItem));
    const what = state.similar ? `similar to ${state.similar}` : `for “${state.q}”`;
    show(body.results.length ? `${body.results.length} models ${what}` : `No model ${what} matches the filters.`);
  } catch (error) {
    list.replaceChildren();
    show(String(error.message || error), true);
  } finally {
    document.body.dataset.state = "done";
  }
}

function go(state) {  // a new search or similar list: remembered in the address, so Back returns to it
  history.pushState(null, "", "?" + new URLSearchParams(state));
  run(state);
}

function fromAddress() {
  const state = Object.fromEntries(new URLSearchParams(location.search));
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

async function loadOptions() {
  try {
    const response = await fetch("/api/options");
    const options = await response.json();
    for (const name of ["task", "library", "license"]) {
      const select = form.elements.namedItem(name);
      for (const {value, models} of options[name] || []) {
        select.append(el("option", {value}, `${value} (${human(models)})`));
      }
    }
  } catch (error) {
    show("Could not load the filter choices: " + error, true);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  go(filterValues());
});
window.addEventListener("popstate", fromAddress);
loadOptions().then(() => {
  document.body.dataset.ready = "true";
  fromAddress();
});
