#!/usr/bin/env python3
"""Extract real model card READMEs, with their provenance, from public git repositories.

Usage:
    python extract_cards.py MIRRORS_DIR [OUT_DIR]

MIRRORS_DIR holds bare git mirrors named ``owner+name/repo`` (as ``/work/.mirror``). OUT_DIR defaults
to the directory holding this script. Writes:

* ``cards.jsonl``: one line per model id, ``{"id", "source": {"repo", "commit", "path", "date",
  "kind"}, "truncated", "text"}``; ``text`` is the file's text as committed (decoded as UTF-8),
  cut at ``MAX_BODY`` characters of what follows the YAML front matter when longer (the front
  matter is kept whole, so the card still parses), ``truncated`` saying so.
* ``card_records.jsonl``: for each card whose model has no recorded API record
  (``../model_details.jsonl``, ``../more_records.jsonl``), a record made only of what the card says:
  ``{"source": {"derived_from": "card", ...}, "record": {"id", "cardData"}}``. ``cardData`` is the
  front matter's top-level scalars and lists of scalars (what ``parse_front_matter`` reads); nothing
  else (no downloads, likes, tags, sha, dates) is made up.

When several sources hold a card for one id, the later source in ``SOURCES`` wins (they are listed
oldest first). Standard library only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

MAX_BODY = 20_000
HERE = Path(__file__).resolve().parent
RECORD_FILES = [HERE.parent / "model_details.jsonl", HERE.parent / "more_records.jsonl"]

# (mirror, commit, path prefix or file, kind). Oldest first: a later card of the same id wins.
SOURCES = [
    # huggingface/transformers, the last commit before "[model_cards] Migrate cards from this repo
    # to model repos on huggingface.co (#9013)" (3552d0e0d897, 2020-12-12): every card in model_cards/.
    ("huggingface/transformers", "topolskib+transformers", "29e4597950e9de8cc32321e4286f1a61894b46d4",
     "model_cards/", "transformers-model_cards-2020"),
    # The TAPAS cards, written on the TAPAS pull request's branch (#9117) after the migration above:
    # "First draft model cards of base sized models", 2020-12-14.
    ("huggingface/transformers", "topolskib+transformers", "a5b94fef3e44400dd1e3c20022a47665e0b9a331",
     "model_cards/google/", "transformers-model_cards-2020"),
    # huggingface/ethics-scripts: the cards of the Hub's 30 most downloaded models, as
    # huggingface_hub's ModelCard.load(id).text returned them (front matter left out), 2023-04.
    ("huggingface/ethics-scripts", "huggingface+ethics-scripts", "e0e06db1bf3e32ba5fee8115f907b274058202a7",
     "model_scraping/cards/", "hub-scrape-2023"),
    # Single cards vendored in other repositories (model directories downloaded from the Hub), or the
    # model's own GitHub README (which the Hub card repeats).
    ("leeds1219/multimodal", "leeds1219+multimodal", "ab070164ab1ffdfb7d798fceabaa207eb6e643fa",
     "Llama-3.1-8B-Instruct/README.md", "vendored-hub-readme"),
    ("akash-network/awesome-akash", "akash-network+awesome-akash", "c935f1f07682e5cf67612b002e34b1f83733aa21",
     "Kimi-K2-Thinking/README.md", "vendored-hub-readme"),
    ("MiniMax-AI/MiniMax-M2", "MiniMax-AI+MiniMax-M2", "2e575efec12773cdc5d811341089512452bfb468",
     "README.md", "model-github-readme"),
]
# Single files: the model id they are the card of.
SINGLE_IDS = {
    "Llama-3.1-8B-Instruct/README.md": "meta-llama/Llama-3.1-8B-Instruct",
    "Kimi-K2-Thinking/README.md": "moonshotai/Kimi-K2-Thinking",
    "README.md": "MiniMaxAI/MiniMax-M2",
}
# Ids without a namespace that the Hub moved into one (2024); the recorded record has the new id.
# bert-base-uncased and t5-small: 307 redirects recorded in huggingface_hub's cassettes (../README.md);
# distilbert-...: the recorded record's id.
MOVED = {
    "bert-base-uncased": "google-bert/bert-base-uncased",
    "t5-small": "google-t5/t5-small",
    "distilbert-base-uncased-finetuned-sst-2-english": "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
}
# gpt2 is recorded under both its old and its new id: its card is the card of both.
ALSO = {"gpt2": ["openai-community/gpt2"]}


def git(gitdir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(gitdir), *args], capture_output=True, check=True).stdout


def card_id(path: str, prefix: str) -> str | None:
    """The model id of a card file under ``prefix`` (None: not a card)."""
    if path == prefix:
        return SINGLE_IDS[path]
    if prefix.startswith("model_cards/"):
        prefix = "model_cards/"
    rest = path[len(prefix):]
    if prefix == "model_scraping/cards/":
        return rest[: -len(".md")].replace("___", "/") if rest.endswith(".md") else None
    if rest.endswith("/README.md"):
        return rest[: -len("/README.md")]  # owner/name/README.md, or a legacy name/README.md
    if "/" not in rest and rest.endswith("-README.md"):
        return rest[: -len("-README.md")]  # legacy model_cards/<name>-README.md
    return None


FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)


def split_front(text: str) -> tuple[str, str]:
    match = FRONT.match(text)
    return (match.group(0), text[match.end():]) if match else ("", text)


def truncate(text: str) -> tuple[str, bool]:
    front, body = split_front(text)
    if len(body) <= MAX_BODY:
        return text, False
    cut = body.rfind("\n", 0, MAX_BODY)
    return front + body[: cut if cut > 0 else MAX_BODY], True


def _scalar(value: str) -> object:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def parse_front_matter(text: str) -> dict[str, object]:
    """The top-level ``key: scalar`` and ``key:`` + ``- scalar`` lines (and ``key: [a, b]``) of the
    card's front matter. Nested maps (widget, model-index, ...) and multi-line strings are left out:
    this is a reader of the simple subset, not a YAML parser, and it says nothing it did not read."""
    front, _ = split_front(text)
    data: dict[str, object] = {}
    key: str | None = None
    for line in front.splitlines()[1:-1]:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.fullmatch(r"\s*-\s+(.*)", line)
        if item and key is not None and isinstance(data.get(key), list):
            if not item.group(1).rstrip().endswith(":") and ": " not in item.group(1):
                data[key].append(_scalar(item.group(1)))  # type: ignore[union-attr]
            else:
                data.pop(key)  # a list of maps: nested, left out
                key = None
            continue
        top = re.fullmatch(r"([A-Za-z_][\w-]*):\s*(.*)", line)
        if not top:
            if key is not None and line[:1] in " \t" and data.get(key) == []:
                data.pop(key)  # a nested map under key: left out
                key = None
            continue
        key, value = top.group(1), top.group(2).strip()
        if not value:
            data[key] = []
        elif value.startswith("[") and value.endswith("]"):
            data[key] = [_scalar(v) for v in value[1:-1].split(",") if v.strip()]
        elif value[0] in "|>{&*!":
            key = None  # block scalars, flow maps, anchors: left out
        else:
            data[key] = _scalar(value)
    return {k: v for k, v in data.items() if v != []}


def recorded_ids() -> set[str]:
    ids = set()
    for path in RECORD_FILES:
        for line in path.read_text().splitlines():
            if line.strip():
                entry = json.loads(line)
                ids.add((entry.get("record") or entry)["id"])
    return ids


def read_source(mirrors: Path, repo: str, mirror: str, commit: str, prefix: str, kind: str) -> dict[str, dict]:
    gitdir = mirrors / mirror / "repo"
    date = git(gitdir, "show", "-s", "--format=%cI", commit).decode().strip()
    listing = git(gitdir, "ls-tree", "-r", "--name-only", commit, "--", prefix).decode().splitlines()
    cards = {}
    for path in listing:
        model_id = card_id(path, prefix)
        if model_id is None:
            continue
        raw = git(gitdir, "show", f"{commit}:{path}").decode("utf-8", "replace")
        text, truncated = truncate(raw)
        for target in [MOVED.get(model_id, model_id), *ALSO.get(model_id, [])]:
            cards[target] = {
                "id": target,
                "source": {"repo": repo, "commit": commit, "path": path, "date": date, "kind": kind,
                           **({"card_of": model_id} if target != model_id else {})},
                "truncated": truncated,
                "text": text,
            }
    return cards


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    mirrors = Path(argv[1])
    out = Path(argv[2]) if len(argv) > 2 else HERE
    cards: dict[str, dict] = {}
    for source in SOURCES:
        found = read_source(mirrors, *source)
        print(f"{source[0]}@{source[2][:12]} {source[3]}: {len(found)} cards")
        cards.update(found)
    recorded = recorded_ids()
    with (out / "cards.jsonl").open("w") as f:
        for model_id in sorted(cards):
            f.write(json.dumps(cards[model_id], ensure_ascii=False) + "\n")
    derived = 0
    with (out / "card_records.jsonl").open("w") as f:
        for model_id in sorted(cards):
            if model_id in recorded:
                continue
            card = cards[model_id]
            source = {"derived_from": "card", **{k: card["source"][k] for k in ("repo", "commit", "path")}}
            record = {"id": model_id, "cardData": parse_front_matter(card["text"])}
            f.write(json.dumps({"source": source, "record": record}, ensure_ascii=False) + "\n")
            derived += 1
    print(f"cards.jsonl: {len(cards)} cards ({len(cards) - derived} of recorded models, "
          f"{sum(c['truncated'] for c in cards.values())} truncated)")
    print(f"card_records.jsonl: {derived} card-derived records")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
