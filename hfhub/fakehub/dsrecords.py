"""Build the full JSON record of one fake dataset (``/api/datasets``), consistent with its card.

The columns decide what listing filters see (task, modality, size, format, gating); the record's
other details come from a per-record RNG. As in real records, some properties are absent (no card:
no ``cardData``, ``description`` or ``citation``), some ``null``, and the card contradicts the tags
now and then: a ``size_categories`` the dataset outgrew, a retired task category the Hub dropped
from the tags, another license than the tags', a ``language`` string where tags list several.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import numpy as np

from hfhub.fakehub import rand, vocab
from hfhub.fakehub import repovocab as rv
from hfhub.fakehub.records import iso_many

if TYPE_CHECKING:
    from hfhub.fakehub.repocorpus import DatasetCorpus

_BYTES_PER_ROW = {"text": 600, "image": 60_000, "audio": 250_000, "tabular": 120, "video": 9_000}
_GATED: tuple[bool | str, ...] = (False, "auto", "manual")
_LEGACY_MS = 1646263744000  # 2022-03-02T23:29:04.000Z, the createdAt of repos older than the field


def build_many(corpus: DatasetCorpus, indices: list[int]) -> list[dict[str, Any]]:
    idx = np.asarray(indices, dtype=np.int64)
    c = corpus.cols
    names = ("topic", "size", "format", "gated", "task_declared", "card", "downloads", "likes", "downloads_all",
             "trending", "created_ms")
    cols = {k: c[k][idx].tolist() for k in names}
    cols["created"] = iso_many(c["created_ms"][idx])
    cols["modified"] = iso_many(c["modified_ms"][idx])
    cols["sha"] = corpus.shas(idx)
    return [build(corpus, i, {k: v[n] for k, v in cols.items()}) for n, i in enumerate(indices)]


def build(corpus: DatasetCorpus, i: int, row: dict[str, Any]) -> dict[str, Any]:
    rng = rand.FastRandom(rand.record_seed(corpus.seed, i))
    topic = rv.TOPICS[row["topic"]]
    fmt = rv.FORMATS[row["format"]]
    size = row["size"]
    repo_id = corpus.model_id(i)
    author, slash, name = repo_id.rpartition("/")
    legacy = row["created_ms"] == _LEGACY_MS
    langs = _languages(rng, topic.modality)
    license_ = rng.choice(rv.DATASET_LICENSES) if rng.random() < 0.8 else None
    arxiv = [f"{rng.randint(17, 26)}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d}"
             for _ in range(rng.choice((0, 0, 0, 0, 1, 2)))]
    rows = _rows(rng, size)
    main_size = max(200, int(rows * _BYTES_PER_ROW[topic.modality] * (0.3 + rng.random())))
    free_tags = rng.sample(rv.DATASET_FREE_TAGS, rng.choice((0, 0, 0, 1, 2)))
    # Tags of the card's metadata (task, language, license, the old template's fields) need its YAML.
    has_readme, has_yaml = row["card"] >= 1, row["card"] == 2
    pretty = _pretty(name) if rng.random() < 0.5 else None
    pwc = f"{name.lower().replace('_', '-')}-{rng.randint(1, 99)}" if rng.random() < 0.04 else None
    if not has_yaml:
        langs, license_, free_tags, pwc = [], None, [], None
    task = topic.task if row["task_declared"] and has_yaml else None

    old_style = {f: [rng.choice(v)] for f, v in rv.OLD_STYLE_FIELDS.items()} \
        if has_yaml and (legacy or rng.random() < 0.1) else {}
    # The Hub's tag order (tests/data/real_hub/datasets_spaces.md §4): benchmark, task_categories,
    # task_ids, the old template's fields, language, license, size, format, modality, library, arxiv,
    # doi, region, then the card's free tags.
    tags: list[str] = []
    if topic.word in ("-eval", "-bench") and rng.random() < 0.3:
        tags.append("benchmark:official")
    if task:
        tags.append(f"task_categories:{task}")
        if topic.task_id:
            tags.append(f"task_ids:{topic.task_id}")
    tags += [f"{field}:{values[0]}" for field, values in old_style.items()]
    tags += [f"language:{lang}" for lang in langs]
    if license_:
        tags.append(f"license:{license_}")
    tags.append(f"size_categories:{rv.SIZE_CATEGORIES[size]}")
    if fmt:
        tags.append(f"format:{fmt}")
        tags += [f"modality:{m}" for m in modalities(topic.modality, fmt)]
        tags += [f"library:{lib}" for lib in rv.DATASET_LIBRARIES[fmt] if lib == "datasets" or rng.random() < 0.85]
    tags += [f"arxiv:{a}" for a in arxiv]
    if rng.random() < 0.02:
        tags.append(f"doi:10.57967/hf/{rng.randrange(100, 9999)}")
    tags.append("region:us")
    tags += free_tags

    rec: dict[str, Any] = {"_id": corpus.object_id(i), "id": repo_id}
    if slash:  # legacy ids without a namespace have no author
        rec["author"] = author
    rec.update({"sha": row["sha"], "lastModified": row["modified"], "private": False,
                "gated": _GATED[row["gated"]], "disabled": False})
    citation = _citation(rng, name, pretty, arxiv, legacy) if has_readme else None
    if citation:
        rec["citation"] = citation
    if pwc:
        rec["paperswithcode_id"] = pwc
    rec["tags"] = tags
    if has_readme:
        rec["description"] = description(repo_id, pretty, topic.modality, task, rows, rng.random() < 0.35)
    rec["downloads"] = row["downloads"]
    rec["likes"] = row["likes"]
    if has_yaml:
        rec["cardData"] = _card_data(rng, old_style, langs, license_, task, topic, size, pretty, pwc, fmt, rows,
                                     free_tags)
    rec["siblings"] = _siblings(rng, name, fmt, main_size, has_readme)
    rec["createdAt"] = row["created"]
    history = 1.0 + rng.random() * (3.0 if rng.random() < 0.2 else 0.3)
    parquet_copy = main_size * 0.6 if fmt not in ("parquet", "") else 0.0
    rec["usedStorage"] = int(main_size * history + parquet_copy)
    # Expand-only properties (absent from the detail endpoint's default payload).
    rec["downloadsAllTime"] = row["downloads_all"]
    rec["trendingScore"] = row["trending"]
    if rng.random() < 0.97:  # not computed for every repo
        rec["mainSize"] = main_size
    rec["key"] = ""  # the list endpoint sends an empty `key` (views.DATASET_LIST_DEFAULT)
    return rec


def _languages(rng: random.Random, modality: str) -> list[str]:
    if modality not in ("text", "audio") or rng.random() < 0.3:
        return []
    return list(dict.fromkeys(rng.sample(vocab.LANGUAGES, rng.choice((1, 1, 1, 2, 3)))))


def _rows(rng: random.Random, size: int) -> int:
    low = 1 if size == 0 else 10 ** (size + 2)
    return int(low + (10 ** (size + 3) - low) * rng.random() ** 2)


def _pretty(name: str) -> str:
    return " ".join(w.capitalize() if w.islower() else w for w in name.replace("_", "-").split("-"))


def modalities(modality: str, fmt: str) -> list[str]:
    """``modality:`` tags: the data's own, and tabular for text in CSV (as akariasai/PopQA's)."""
    return sorted({modality, "tabular"}) if modality == "text" and fmt == "csv" else [modality]


_CUT = 400  # description characters kept before the Hub's "See the full description" link


def description(repo_id: str, pretty: str | None, modality: str, task: str | None, rows: int, long: bool) -> str:
    """The Hub's ``description``: the start of the README's text, whitespace and all, as the Hub extracts
    it from the rendered card (its first heading as ``\n\t\n\t\t\n\t\n\t\n\t\t<title>\n\t\n\n``), cut
    with a link to the page when long (real: nvidia/OpenMathInstruct-2, tests/data/real_hub/)."""
    name = repo_id.rpartition("/")[2]
    what = f"{task.replace('-', ' ')} tasks" if task else "research"
    text = summary(name, modality, what, rows, long)
    head = f"\n\t\n\t\t\n\t\n\t\n\t\t{pretty or name}\n\t\n\n"
    if len(text) > _CUT:
        text = f"{text[:_CUT].rstrip()}… See the full description on the dataset page: https://huggingface.co/datasets/{repo_id}."
    return head + text


def summary(name: str, modality: str, what: str, rows: int, long: bool = False) -> str:
    text = (f"{name} is a collection of about {rows:,} {modality} examples for {what}. \nIt was assembled for "
            "the fake Hub of hfhub; nothing in it is real data.")
    if long:
        text += ("\nThe examples were collected in the following ways: \n\nFiltering: near-duplicates were removed "
                 "with MinHash over word 5-grams. \nSplitting: a held-out test set was drawn at random and checked "
                 "for overlap with public benchmarks. \nLabelling: every example was reviewed by two annotators "
                 "and disagreements were resolved by a third.")
    return text


def _citation(rng: random.Random, name: str, pretty: str | None, arxiv: list[str], legacy: bool) -> str | None:
    if rng.random() > (0.6 if legacy else 0.22):
        return None
    key = name.lower().replace("-", "_")
    lines = [f"@misc{{{key}{rng.randint(2019, 2026)},", f"  title = {{{pretty or name}}},",
             "  author = {Fake, Author and Example, Second},"]
    if arxiv:
        lines.append(f"  eprint = {{{arxiv[0]}}},")
    lines += [f"  year = {{{rng.randint(2019, 2026)}}}", "}"]
    return "\n".join(lines)


def _card_data(rng: random.Random, old_style: dict[str, list[str]], langs: list[str], license_: str | None,
               task: str | None, topic: rv.Topic, size: int, pretty: str | None, pwc: str | None, fmt: str,
               rows: int, free_tags: list[str]) -> dict[str, Any]:
    card: dict[str, Any] = dict(old_style)  # the old datasets template's fields
    if langs:
        card["language"] = langs[0] if len(langs) == 1 and rng.random() < 0.5 else langs
    if license_:
        # a card edited after the tags were computed: another license than the tags say
        card["license"] = rng.choice(rv.DATASET_LICENSES) if rng.random() < 0.03 else license_
        if rng.random() < 0.1:
            card["license"] = [card["license"]]
    if task:
        tasks = [task] + ([rng.choice(rv.RETIRED_TASKS)] if rng.random() < 0.08 else [])
        card["task_categories"] = tasks
        if topic.task_id:
            card["task_ids"] = [topic.task_id]
    elif rng.random() < 0.05:
        card["task_categories"] = [rng.choice(rv.RETIRED_TASKS)]  # only a task the Hub no longer lists
    if rng.random() < 0.9:
        declared = size if rng.random() < 0.88 else min(len(rv.SIZE_CATEGORIES) - 1, max(0, size + rng.choice((-1, 1))))
        card["size_categories"] = [rv.SIZE_CATEGORIES[declared]]
    if pretty:
        card["pretty_name"] = pretty
    if pwc:
        card["paperswithcode_id"] = pwc
    elif rng.random() < 0.05:
        card["paperswithcode_id"] = None
    if free_tags:
        card["tags"] = free_tags
    if fmt and rng.random() < 0.75:
        card.update(_configs(rng, topic.modality, fmt, rows))
    if rng.random() < 0.02:
        card["viewer"] = False
    return card


def _configs(rng: random.Random, modality: str, fmt: str, rows: int) -> dict[str, Any]:
    names = ["default"] if rng.random() < 0.8 else rng.sample(("en", "fr", "de", "zh", "code", "math"), 2)
    splits = rv.SPLITS[: rng.choice((1, 2, 2, 3))]
    features = [{"name": n, "dtype": t} for n, t in rv.FEATURE_NAMES[modality][: rng.randint(2, 3)]]
    ext = rv.FORMAT_EXTENSIONS.get(fmt, "parquet")
    configs: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []
    for config in names:
        prefix = "data" if config == "default" else config
        configs.append({"config_name": config,
                        "data_files": [{"split": s, "path": f"{prefix}/{s}-*"} for s in splits]})
        n_rows = [max(1, int(rows / len(names) * share)) for share in (0.8, 0.1, 0.1)[: len(splits)]]
        per_row = 40 + int(rng.random() * 2000)
        split_info: list[dict[str, Any]] = [{"name": s, "num_bytes": n * per_row, "num_examples": n}
                                            for s, n in zip(splits, n_rows)]
        total = sum(n * per_row for n in n_rows)
        info = {"features": features, "splits": split_info, "download_size": int(total * 0.4), "dataset_size": total}
        infos.append({"config_name": config, **info} if len(names) > 1 else info)
        if ext != "parquet" and rng.random() < 0.5:
            configs[-1]["default"] = True
    return {"configs": configs, "dataset_info": infos if len(names) > 1 else infos[0]}


def _siblings(rng: random.Random, name: str, fmt: str, main_size: int, has_readme: bool) -> list[dict[str, str]]:
    files = [".gitattributes"] + (["README.md"] if has_readme else [])
    if not fmt:  # a legacy loading script
        return [{"rfilename": f} for f in [*files, f"{name}.py", "dataset_infos.json"]]
    ext = rv.FORMAT_EXTENSIONS[fmt]
    shards = max(1, min(40, main_size // 500_000_000))
    for split in rv.SPLITS[: rng.choice((1, 2, 3))]:
        n = shards if split == "train" else 1
        files += [f"data/{split}-{k:05d}-of-{n:05d}.{ext}" for k in range(n)]
    return [{"rfilename": f} for f in files]
