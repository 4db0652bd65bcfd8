#!/usr/bin/env python3
"""Extract real Hugging Face Hub /api/models responses from huggingface_hub VCR cassettes.

Usage:
    python extract.py /path/to/huggingface_hub/git-dir [OUT_DIR]

The git dir may be bare (e.g. /work/.mirror/huggingface+huggingface_hub/repo).
OUT_DIR defaults to the directory holding this script.

Every version of every ``tests/cassettes/*.yaml`` blob reachable from any ref is
read (``git rev-list --all``), each interaction whose request URI is on
``https://huggingface.co/api/models`` and whose response is a 200 JSON object is
kept, and records are written as JSON lines::

    {"source": {"repo", "commit", "path", "request"}, "record": {...}}

``commit`` is the first commit (by committer date) that introduced that blob at
that path. Records from the LIST endpoint (path exactly ``/api/models``) go to
``models.jsonl``; records from the DETAIL endpoint (``/api/models/{id}``) go to
``model_details.jsonl``. A file is only written when it has at least one record.

De-duplication: one line per (model id, request query string) -- the bare
``/api/models/{id}`` and ``?expand=inferenceProviderMapping`` requests return
different field sets, so both are kept. Among duplicates the record with the
most top-level keys wins, then the latest response ``Date`` header, then the
latest commit date, then the lexically-largest path (for determinism).

Dependencies: standard library only. PyYAML is used when importable; otherwise
a small parser that understands the subset of YAML vcrpy emits is used (both
give identical output on the huggingface_hub cassettes).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

REPO = "huggingface/huggingface_hub"
API_PREFIX = "https://huggingface.co/api/models"


def git(gitdir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True, check=False).stdout


# --------------------------------------------------------------------------- YAML

def _load_with_pyyaml(text: str):
    import yaml  # type: ignore

    class Loader(yaml.SafeLoader):
        pass

    # Some cassettes hold python-tagged bodies (!!python/object/new:_io.BytesIO); they are binary payloads
    # of inference calls and are irrelevant here.
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    data = yaml.load(text, Loader=Loader)
    out = []
    for it in (data or {}).get("interactions", []) or []:
        req, resp = it.get("request") or {}, it.get("response") or {}
        body = (resp.get("body") or {}).get("string") if isinstance(resp.get("body"), dict) else None
        headers = resp.get("headers") or {}
        date = headers.get("Date") or headers.get("date") or [None]
        out.append({
            "uri": req.get("uri"),
            "method": req.get("method"),
            "status": (resp.get("status") or {}).get("code"),
            "body": body if isinstance(body, str) else None,
            "date": date[0] if isinstance(date, list) else date,
        })
    return out


def _unquote_single(lines: list[str]) -> str:
    """Decode a YAML single-quoted flow scalar split over several lines (vcrpy/PyYAML emitter style)."""
    first = lines[0]
    assert first.startswith("'")
    raw_lines = [first[1:]] + [line.strip() for line in lines[1:]]
    # fold: a single line break between non-empty lines -> space; each empty line -> "\n"
    out = raw_lines[0].rstrip(" ") if len(raw_lines) > 1 else raw_lines[0]
    pending_newlines = 0
    for raw in raw_lines[1:]:
        if raw == "":
            pending_newlines += 1
            continue
        out += ("\n" * pending_newlines) if pending_newlines else " "
        pending_newlines = 0
        out += raw
    out = out[:-1]  # closing quote; completeness is checked by _single_quoted_complete
    return out.replace("''", "'")


_DQ_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
               "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
               "L": "\u2028", "P": "\u2029"}
_DQ_HEX = {"x": 2, "u": 4, "U": 8}


def _parse_double_quoted(lines: list[str], start: int) -> tuple[str, int]:
    """Decode a YAML double-quoted scalar beginning at lines[start] (which starts with '"').

    Returns (value, index of the last line consumed)."""
    out: list[tuple[str, bool]] = []  # (text, is_escaped) -- only unescaped trailing blanks are folded away
    k, first = start, True
    while k < len(lines):
        line = lines[k]
        j = 1 if first else 0
        if not first:
            line = line.lstrip(" \t")
            j = 0
        first = False
        escaped_break = False
        while j < len(line):
            ch = line[j]
            if ch == '"':
                return "".join(t for t, _ in out), k
            if ch == "\\":
                if j + 1 >= len(line):
                    escaped_break = True
                    break
                nxt = line[j + 1]
                if nxt in _DQ_HEX:
                    width = _DQ_HEX[nxt]
                    out.append((chr(int(line[j + 2:j + 2 + width], 16)), True))
                    j += 2 + width
                    continue
                out.append((_DQ_ESCAPES[nxt], True))
                j += 2
                continue
            out.append((ch, False))
            j += 1
        if escaped_break:
            k += 1
            continue
        while out and not out[-1][1] and out[-1][0] in " \t":
            out.pop()
        # fold: count empty continuation lines
        blanks = 0
        while k + 1 < len(lines) and lines[k + 1].strip() == "":
            blanks += 1
            k += 1
        out.append(("\n" * blanks if blanks else " ", True))
        k += 1
    raise ValueError("unterminated double-quoted scalar")


def _single_quoted_complete(s: str) -> bool:
    # s begins with a quote; complete when it ends with an odd run of quotes (not the opening one alone)
    body = s[1:]
    m = re.search(r"('+)$", body)
    return bool(m) and len(m.group(1)) % 2 == 1


def _load_minimal(text: str):
    """Parse just what we need from a vcrpy cassette: uri, method, status code, body string, Date header."""
    lines = text.split("\n")
    out, cur, section, i = [], None, None, 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("- request:"):
            cur = {"uri": None, "method": None, "status": None, "body": None, "date": None}
            out.append(cur)
            section = "request"
        elif line.startswith("  response:"):
            section = "response"
        elif cur is not None:
            if section == "request" and line.startswith("    uri: "):
                v = line[len("    uri: "):]
                cur["uri"] = _unquote_single([v]) if v.startswith("'") else v
            elif section == "request" and line.startswith("    method: "):
                cur["method"] = line[len("    method: "):]
            elif section == "response" and line.startswith("      string: "):
                v = line[len("      string: "):]
                if v.startswith("'"):
                    buf = [v]
                    while not _single_quoted_complete(" ".join(x.strip() for x in buf)) and i + 1 < n:
                        i += 1
                        buf.append(lines[i])
                    cur["body"] = _unquote_single(buf)
                elif v.startswith('"'):
                    lines[i] = v  # re-scan from the opening quote
                    cur["body"], i = _parse_double_quoted(lines, i)
                elif v.startswith("!!"):
                    cur["body"] = None  # binary bodies are not JSON API records
                else:
                    buf = [v]
                    while i + 1 < n and lines[i + 1].startswith("        ") and not lines[i + 1].strip().startswith("-"):
                        i += 1
                        buf.append(lines[i].strip())
                    cur["body"] = " ".join(buf)
            elif section == "response" and line.lower().startswith("      date:"):
                if i + 1 < n and lines[i + 1].strip().startswith("- "):
                    cur["date"] = lines[i + 1].strip()[2:]
            elif section == "response" and line.startswith("      code: "):
                with contextlib.suppress(ValueError):
                    cur["status"] = int(line.split(":", 1)[1])
        i += 1
    return out


def load_interactions(text: str):
    try:
        import yaml  # noqa: F401
    except ImportError:
        return _load_minimal(text)
    return _load_with_pyyaml(text)


# --------------------------------------------------------------------------- main

def blob_first_commits(gitdir: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(blob, path) -> (commit, committer ISO date) of the first commit introducing it.

    Commits reachable from HEAD (the default branch) are preferred; blobs that only exist on other refs
    (e.g. refs/pull/N/head of squash-merged PRs) fall back to the earliest commit on any ref."""
    on_head = _first_commits(gitdir, "HEAD")
    for key, val in _first_commits(gitdir, "--all").items():
        on_head.setdefault(key, val)
    return on_head


def _first_commits(gitdir: str, rev: str) -> dict[tuple[str, str], tuple[str, str]]:
    log = git(gitdir, "log", rev, "--reverse", "--format=%H %cI", "--", "tests/cassettes").decode()
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for line in log.splitlines():
        if not line.strip():
            continue
        commit, cdate = line.split()
        diff = git(gitdir, "diff-tree", "-r", "--root", "--no-commit-id", commit, "--", "tests/cassettes").decode()
        for row in diff.splitlines():
            meta, path = row.split("\t", 1)
            new_blob = meta.split()[3]
            if set(new_blob) == {"0"} or not path.endswith(".yaml"):
                continue
            first.setdefault((new_blob, path), (commit, cdate))
    return first


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    gitdir = argv[1]
    outdir = argv[2] if len(argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    first = blob_first_commits(gitdir)
    buckets: dict[str, dict[tuple[str, str], tuple]] = {"list": {}, "detail": {}}
    missing, n_seen = [], 0
    for (blob, path), (commit, cdate) in sorted(first.items(), key=lambda kv: (kv[1][1], kv[0][1])):
        raw = git(gitdir, "cat-file", "-p", blob)
        if not raw:
            missing.append((blob, path))
            continue
        for it in load_interactions(raw.decode("utf-8", errors="replace")):
            uri = it.get("uri") or ""
            if not uri.startswith(API_PREFIX) or it.get("status") != 200 or not it.get("body"):
                continue
            try:
                payload = json.loads(it["body"])
            except ValueError:
                continue
            parts = urlsplit(uri)
            kind = "list" if parts.path.rstrip("/") == "/api/models" else "detail"
            records = payload if (kind == "list" and isinstance(payload, list)) else [payload]
            try:
                date = parsedate_to_datetime(it["date"]).isoformat() if it.get("date") else ""
            except (TypeError, ValueError):
                date = ""
            for rec in records:
                if not isinstance(rec, dict) or "id" not in rec:
                    continue
                n_seen += 1
                key = (rec["id"], parts.query if kind == "detail" else "")
                rank = (len(rec), date, cdate, path)
                src = {"repo": REPO, "commit": commit, "path": path, "request": uri}
                prev = buckets[kind].get(key)
                if prev is None or rank > prev[0]:
                    buckets[kind][key] = (rank, src, rec)
    for kind, fname in (("list", "models.jsonl"), ("detail", "model_details.jsonl")):
        rows = [buckets[kind][k] for k in sorted(buckets[kind])]
        target = os.path.join(outdir, fname)
        if not rows:
            print(f"{fname}: 0 records found; not written")
            continue
        with open(target, "w", encoding="utf-8") as fh:
            for _rank, src, rec in rows:
                fh.write(json.dumps({"source": src, "record": rec}, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{fname}: {len(rows)} records written ({len({k[0] for k in buckets[kind]})} distinct ids)")
    print(f"model records seen before de-duplication: {n_seen}")
    for blob, path in missing:
        print(f"warning: blob {blob} ({path}) is absent from the mirror; skipped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
