"""Card markup (Markdown with HTML in it) → plain-text blocks: headings and paragraphs.

Not a Markdown renderer: a few linear passes that keep the prose a reader sees first and drop what
search has no use for (code, badges, URLs, markup). Indented code blocks are read as text: telling
them from a list item's continuation takes a full parser, and their lines rarely come first. Every pattern here is linear in its input — a
character class that excludes the delimiters it stops at, with a bounded count — and multi-line
constructs are found with ``str.find``-style scans, so hostile input (200k ``[`` or ``<``, unclosed
comments and fences) costs time proportional to its length.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Literal

BlockKind = Literal["heading", "text"]
Block = tuple[BlockKind, str]

# Rows of a Markdown table kept (header first): a results table is noise beyond its first lines.
TABLE_ROWS = 3
TABLE_CELLS = 12

_FENCES = ("```", "~~~")
_HTML_BLOCK_START = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)
_HTML_BLOCK_END = {
    "script": re.compile(r"</script\s*>", re.IGNORECASE),
    "style": re.compile(r"</style\s*>", re.IGNORECASE),
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,20})\b[^<>]{0,1000}>")
_BLOCK_TAGS = frozenset(
    ["p", "div", "br", "hr", "li", "ul", "ol", "table", "tr", "td", "th", "thead", "tbody", "center", "details", "summary", "blockquote", "pre", "section", "header", "footer", "figure", "figcaption", "dl", "dt", "dd"]
)
_HEADING_TAGS = {f"h{n}": "#" * n for n in range(1, 7)}

_IMAGE = re.compile(r"!\[([^\[\]\n]{0,500})\]\(([^()\s]{0,2000})(?:\s+\"[^\"\n]{0,500}\")?\)")
_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\(([^()\s]{0,2000})(?:\s+\"[^\"\n]{0,500}\")?\)")
_REF_LINK = re.compile(r"\[([^\[\]\n]{0,500})\]\[[^\[\]\n]{0,200}\]")
_REF_DEFINITION = re.compile(r" {0,3}\[[^\[\]\n]{1,500}\]:\s")
_ALERT = re.compile(r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.IGNORECASE)
# A URL up to whitespace or a bracket, less the punctuation that ends the sentence around it.
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>()\[\]]{0,2000}[^\s<>()\[\].,;:!?'\"]")
# What is left of a tag that never closed ("<script" at the very end, "<<b>"): the "<" goes, so no
# remnant of markup survives into the plain text. A "<" before another "<" goes too: "<<script"
# must not turn into "<script", and a `<+` run would make the search quadratic.
_LEFTOVER_TAG = re.compile(r"<(?=[<A-Za-z/!?])")
_LIST_MARKER = re.compile(r" {0,6}(?:[-*+]|\d{1,9}[.)])(?:\s+|$)")
_BADGE_HINTS = ("shields.io", "badge", "badgen.net", "img.shields")
# Markers of emphasis and code spans, and invisible characters that can split or disguise words.
_DROP_CHARS = dict.fromkeys(map(ord, "*`~\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"))
_DROP_CHARS.update(dict.fromkeys(range(0x202A, 0x202F)))
_RULE_CHARS = frozenset("-=_*|: \t")


def blocks(body: str) -> Iterator[Block]:
    """The plain-text headings and paragraphs of a card body (front matter already removed)."""
    text = _replace_tags(drop_html_blocks(drop_code_fences(body)))
    yield from _line_blocks(text.split("\n"))


def drop_code_fences(text: str) -> str:
    """``text`` without fenced code blocks; an unclosed fence runs to the end (as in CommonMark)."""
    kept: list[str] = []
    fence = ""
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if fence:
            if stripped.startswith(fence) and not stripped.rstrip().strip(fence[0]):
                fence = ""
        elif len(line) - len(stripped) <= 3 and stripped[:3] in _FENCES:
            fence = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
        else:
            kept.append(line)
    return "\n".join(kept)


def drop_html_blocks(text: str) -> str:
    """``text`` without HTML comments and ``<script>``/``<style>`` elements, their content included.

    One that never closes runs to the end of the text, as a browser would treat it.
    """
    kept: list[str] = []
    pos = 0
    while (start := _HTML_BLOCK_START.search(text, pos)) is not None:
        kept.append(text[pos : start.start()])
        if start.group(1) is None:
            end = text.find("-->", start.end())
            pos = len(text) if end < 0 else end + 3
        else:
            close = _HTML_BLOCK_END[start.group(1).lower()].search(text, start.end())
            pos = len(text) if close is None else close.end()
    kept.append(text[pos:])
    return "".join(kept)


def _replace_tags(text: str) -> str:
    """HTML tags out: block elements become line breaks, ``<hN>`` a Markdown heading line."""

    def replace(tag: re.Match[str]) -> str:
        name = tag.group(2).lower()
        if name in _HEADING_TAGS:
            return "\n" if tag.group(1) else f"\n{_HEADING_TAGS[name]} "
        return "\n" if name in _BLOCK_TAGS else ""

    return _TAG.sub(replace, text)


def clean_inline(text: str) -> str:
    """Inline Markdown to plain text: images and links reduced to their text (badges dropped),
    URLs, emphasis and code markers removed, entities decoded, whitespace collapsed."""
    if "[" in text:  # the cheap test first: most lines have no link, and cards have many lines
        text = _REF_LINK.sub(r"\1", _LINK.sub(r"\1", _IMAGE.sub(_image_text, text)))
        text = _ALERT.sub("", text)
    if "://" in text:
        text = _URL.sub("", text)
    text = html.unescape(text).translate(_DROP_CHARS)
    if "<" in text:
        text = _LEFTOVER_TAG.sub("", text)
    return " ".join(text.split())


def _image_text(image: re.Match[str]) -> str:
    url = image.group(2).lower()
    return "" if any(hint in url for hint in _BADGE_HINTS) else image.group(1)


def _heading(line: str) -> str | None:
    """The text of an ATX heading line (``## Usage ##``), else ``None``."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3 or not stripped.startswith("#"):
        return None
    level = len(stripped) - len(stripped.lstrip("#"))
    if level > 6 or (len(stripped) > level and stripped[level] not in " \t"):
        return None
    return stripped[level:].strip().rstrip("#").strip()


def _is_rule(stripped: str) -> bool:
    """A thematic break, setext underline or table delimiter row: ``---``, ``===``, ``|:--|--|``."""
    return len(stripped) >= 3 and all(ch in _RULE_CHARS for ch in stripped)


def _table_cells(stripped: str) -> str:
    cells = (clean_inline(cell) for cell in stripped.strip("|").split("|", TABLE_CELLS)[:TABLE_CELLS])
    return ", ".join(cell for cell in cells if cell)


class _Paragraphs:
    """Accumulates the lines of the current paragraph or table; ``flush`` turns them into a block."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.table = False

    def add(self, line: str, *, table: bool = False) -> Iterator[Block]:
        if table != self.table:
            yield from self.flush()
            self.table = table
        if not table or len(self.lines) < TABLE_ROWS:
            self.lines.append(_table_cells(line) if table else line)

    def flush(self) -> Iterator[Block]:
        if self.lines:
            text = "; ".join(self.lines) if self.table else clean_inline(" ".join(self.lines))
            self.lines = []
            if text:
                yield "text", text
        self.table = False

    def rule(self, stripped: str) -> Iterator[Block]:
        """A rule ends the paragraph; ``===`` or ``---`` under a single line makes it a heading."""
        underline = not stripped.strip("=") or not stripped.strip("-")
        if underline and len(self.lines) == 1 and not self.table and (text := clean_inline(self.lines.pop())):
            yield "heading", text
        yield from self.flush()


def _line_blocks(lines: list[str]) -> Iterator[Block]:
    para = _Paragraphs()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">"):  # blockquotes read as plain paragraphs
            stripped = stripped.lstrip("> \t")
        heading = _heading(stripped)
        if not stripped or _REF_DEFINITION.match(stripped):
            yield from para.flush()
        elif heading is not None:
            yield from para.flush()
            if text := clean_inline(heading):
                yield "heading", text
        elif stripped.startswith("|"):
            if not _is_rule(stripped):  # a delimiter row (|---|:-:|) says nothing
                yield from para.add(stripped, table=True)
        elif _is_rule(stripped):
            yield from para.rule(stripped)
        elif marker := _LIST_MARKER.match(stripped):
            yield from para.flush()
            yield from para.add(stripped[marker.end() :])
        else:
            yield from para.add(stripped)
    yield from para.flush()
