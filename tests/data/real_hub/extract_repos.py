#!/usr/bin/env python3
"""Extract real Hugging Face Hub /api/datasets and /api/spaces responses from huggingface_hub VCR cassettes.

Usage:
    python extract_repos.py /path/to/huggingface_hub/git-dir [OUT_DIR]

The git dir may be bare (e.g. /work/.mirror/huggingface+huggingface_hub/repo).
OUT_DIR defaults to the directory holding this script.

Same scan as ``extract.py`` (whose cassette reader and blob/commit bookkeeping are imported from the
sibling file): every version of every ``tests/cassettes/*.yaml`` blob reachable from any ref
(``git rev-list --all``, including ``refs/pull/*``) is read; ``commit`` is the first commit that
introduced that blob at that path (default branch preferred, else the earliest commit on any ref).

Kept interactions: request URI on ``https://huggingface.co/api/datasets`` or ``.../api/spaces``, a
``200`` response whose body is JSON.  They are classified by URL path:

* ``/api/{datasets|spaces}``                               -> endpoint ``list``   (array of records)
* ``/api/{datasets|spaces}/{ns}/{name}``                   -> endpoint ``detail`` (object with ``id``)
* ``/api/{datasets|spaces}/{ns}/{name}/revision/{rev}``    -> endpoint ``detail``
* ``/api/spaces/{ns}/{name}/runtime``                      -> endpoint ``runtime`` (SpaceRuntime object)
* anything else (preupload, commit, variables, secrets, ...) is counted and skipped.

Output (JSON lines, ``{"source": {...}, "record": {...}}``, records re-serialised compactly, key order kept):

* ``dataset_records.jsonl`` -- list + detail records of /api/datasets
* ``space_records.jsonl``   -- list + detail records of /api/spaces
* ``space_runtime_records.jsonl`` -- bodies of GET /api/spaces/{id}/runtime

``source`` = ``{"repo", "commit", "path", "request", "endpoint"}`` (+ ``"space_id"`` for runtime lines).

Lines of the two record files whose ``source`` is NOT a huggingface_hub cassette (records found
elsewhere and added by hand, with weaker provenance) are preserved unchanged, after the cassette
lines, in their existing order.  ``space_runtime_records.jsonl`` is fully regenerated.

De-duplication: list/detail -> one line per (id, request query string, endpoint); runtime -> one line
per (space id, record content).  Winner: most top-level keys, then latest response ``Date``, then
latest commit date, then the lexically-largest path.  Standard library only (PyYAML used if present,
see extract.py).
"""

from __future__ import annotations

import json
import os
import re
import sys
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extract import REPO, blob_first_commits, git, load_interactions

HOST = "https://huggingface.co"
KINDS = {"datasets": "dataset_records.jsonl", "spaces": "space_records.jsonl"}
RUNTIME_FILE = "space_runtime_records.jsonl"
_RE_PATH = re.compile(r"^/api/(datasets|spaces)(?:/([^/]+)/([^/]+)(/.*)?)?/?$")


def classify(uri: str):
    """-> (kind, endpoint, repo_id) or None."""
    if not uri.startswith(HOST + "/api/"):
        return None
    parts = urlsplit(uri)
    m = _RE_PATH.match(parts.path)
    if not m:
        return None
    kind, ns, name, rest = m.groups()
    if ns is None:
        return kind, "list", None
    repo_id = f"{ns}/{name}"
    if not rest:
        return kind, "detail", repo_id
    if re.fullmatch(r"/revision/[^/]+", rest):
        return kind, "detail", repo_id
    if kind == "spaces" and rest == "/runtime":
        return kind, "runtime", repo_id
    return kind, "other:" + rest.split("/")[1], repo_id


def _is_cassette_source(src: dict) -> bool:
    return src.get("repo") == REPO and str(src.get("path", "")).startswith("tests/cassettes/")


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    gitdir = argv[1]
    outdir = argv[2] if len(argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    first = blob_first_commits(gitdir)
    buckets: dict[str, dict] = {"datasets": {}, "spaces": {}, "runtime": {}}
    seen: dict[str, int] = {}
    missing = []
    for (blob, path), (commit, cdate) in sorted(first.items(), key=lambda kv: (kv[1][1], kv[0][1])):
        raw = git(gitdir, "cat-file", "-p", blob)
        if not raw:
            missing.append((blob, path))
            continue
        for it in load_interactions(raw.decode("utf-8", errors="replace")):
            uri = it.get("uri") or ""
            cls = classify(uri)
            if cls is None:
                continue
            kind, endpoint, repo_id = cls
            tag = f"{kind}:{endpoint}:{it.get('method')}:{it.get('status')}"
            seen[tag] = seen.get(tag, 0) + 1
            if endpoint.startswith("other:") or it.get("status") != 200 or not it.get("body"):
                continue
            if it.get("method") not in (None, "GET"):
                continue
            try:
                payload = json.loads(it["body"])
            except ValueError:
                continue
            try:
                date = parsedate_to_datetime(it["date"]).isoformat() if it.get("date") else ""
            except (TypeError, ValueError):
                date = ""
            src = {"repo": REPO, "commit": commit, "path": path, "request": uri, "endpoint": endpoint}
            query = urlsplit(uri).query
            if endpoint == "runtime":
                if not isinstance(payload, dict):
                    continue
                src["space_id"] = repo_id
                key = (repo_id, json.dumps(payload, sort_keys=True))
                rank = (len(payload), date, cdate, path)
                prev = buckets["runtime"].get(key)
                if prev is None or rank > prev[0]:
                    buckets["runtime"][key] = (rank, src, payload)
                continue
            records = payload if (endpoint == "list" and isinstance(payload, list)) else [payload]
            for rec in records:
                if not isinstance(rec, dict) or "id" not in rec:
                    continue
                key = (rec["id"], query, endpoint)
                rank = (len(rec), date, cdate, path)
                prev = buckets[kind].get(key)
                if prev is None or rank > prev[0]:
                    buckets[kind][key] = (rank, src, rec)

    def dump(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    for kind, fname in KINDS.items():
        target = os.path.join(outdir, fname)
        kept = []
        if os.path.exists(target):
            with open(target, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip() and not _is_cassette_source(json.loads(line)["source"]):
                        kept.append(line.rstrip("\n"))
        rows = [buckets[kind][k] for k in sorted(buckets[kind])]
        n_list = sum(1 for r in rows if r[1]["endpoint"] == "list")
        with open(target, "w", encoding="utf-8") as fh:
            for _rank, src, rec in rows:
                fh.write(dump({"source": src, "record": rec}) + "\n")
            for line in kept:
                fh.write(line + "\n")
        print(f"{fname}: {len(rows)} cassette records ({n_list} list, {len(rows) - n_list} detail); "
              f"{len(kept)} non-cassette lines kept")
    rows = [buckets["runtime"][k] for k in sorted(buckets["runtime"])]
    with open(os.path.join(outdir, RUNTIME_FILE), "w", encoding="utf-8") as fh:
        for _rank, src, rec in rows:
            fh.write(dump({"source": src, "record": rec}) + "\n")
    print(f"{RUNTIME_FILE}: {len(rows)} distinct runtime bodies")
    print("interactions seen (kind:endpoint:method:status -> count):")
    for tag in sorted(seen):
        print(f"  {tag} {seen[tag]}")
    for blob, path in missing:
        print(f"warning: blob {blob} ({path}) is absent from the mirror; skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
