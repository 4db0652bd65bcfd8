"""One model card (the repo's README.md, as fetched) → a bounded plain-text summary.

``parse_card`` is a pure function built for hostile input. It never raises on any ``bytes`` (only on
nonsensical limits, with ``ValueError``): a card it cannot use comes back as a ``CardRejected``
whose ``reason`` is a short stats key (``hfhub/cards/rejected/<reason>``):

- ``"empty"``: nothing but whitespace (or nothing at all);
- ``"binary"``: a NUL character, more than a tenth control characters, or more than a quarter of
  the text undecodable as UTF-8 — not a text file.

Limits, and why:

- Only the first ``max_bytes`` bytes are looked at. A card larger than that is truncated, not
  rejected (``truncated=True``): the summary comes from its beginning anyway, and a long card
  (evaluation tables, changelogs) is a normal card. ``card_bytes`` is the full size. Keeping the
  download itself bounded is the downloader's job (``DOWNLOAD_MAXSIZE``).
- Invalid UTF-8 is decoded with replacement characters (``had_invalid_utf8=True``); a card with a
  UTF-16 byte-order mark is decoded as UTF-16.
- The YAML front matter is never parsed (a YAML library on untrusted input invites billion-laughs
  bombs and deep recursion): the block between the first two ``---`` lines is skipped, and a line
  scan collects its top-level keys (at most ``MAX_FRONT_MATTER_KEYS``).
- ``summary`` is at most ``summary_chars`` characters: the card's first headings and paragraphs
  with markup stripped (see ``hfhub.cards.markup``), one block per line, cut at a word boundary.
  ``headings`` keeps at most ``MAX_HEADINGS`` headings of at most ``HEADING_CHARS`` each.
- ``language`` is a heuristic guess from the scripts of the first ``LANGUAGE_SAMPLE_CHARS``
  characters of text (see ``hfhub.cards.language``), ``None`` when unsure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hfhub.cards.language import guess_language
from hfhub.cards.markup import blocks

REJECTION_REASONS = ("empty", "binary")
MAX_HEADINGS = 50
HEADING_CHARS = 200
MAX_FRONT_MATTER_KEYS = 64
LANGUAGE_SAMPLE_CHARS = 4000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NUL = "\x00"
_FRONT_MATTER_KEY = re.compile(r"([A-Za-z_][\w.-]{0,63})\s*:(?:\s|$)")
_LETTER = re.compile(r"[^\W\d_]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class ParsedCard:
    summary: str
    headings: tuple[str, ...]
    language: str | None
    card_bytes: int
    front_matter_keys: tuple[str, ...] = ()
    truncated: bool = False
    had_invalid_utf8: bool = False


@dataclass(frozen=True)
class CardRejected:
    reason: str  # one of REJECTION_REASONS
    card_bytes: int


def parse_card(
    raw: bytes, *, max_bytes: int = 1_000_000, summary_chars: int = 2000
) -> ParsedCard | CardRejected:
    """Summarise a model card; see the module docstring for what is kept and what is rejected."""
    if max_bytes < 1 or summary_chars < 0:
        raise ValueError(f"need max_bytes >= 1 and summary_chars >= 0, got {max_bytes}, {summary_chars}")
    truncated = len(raw) > max_bytes
    text, invalid = decode(raw[:max_bytes], truncated=truncated)
    reason = "binary" if _NUL in text else None
    text, controls = _CONTROL.subn("", text)
    reason = reason or _rejection(text, controls)
    if reason:
        return CardRejected(reason, len(raw))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    keys, body = split_front_matter(text, truncated=truncated)
    summary, headings, sample = _summarise(body, summary_chars)
    return ParsedCard(
        summary=summary,
        headings=headings,
        language=guess_language(sample),
        card_bytes=len(raw),
        front_matter_keys=keys,
        truncated=truncated,
        had_invalid_utf8=invalid,
    )


def decode(data: bytes, *, truncated: bool = False) -> tuple[str, bool]:
    """``data`` as text, and whether it held invalid UTF-8 (a character cut by truncation aside)."""
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace"), False
    if truncated:
        data = _drop_partial_character(data)
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace"), True


def _drop_partial_character(data: bytes) -> bytes:
    """``data`` without a UTF-8 sequence cut off at its end."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # a lead byte: complete only if its sequence fits in what follows
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= needed else data[:-back]
    return data


def _rejection(text: str, controls: int) -> str | None:
    """Why ``text`` (with its ``controls`` control characters already removed) is no card, if so."""
    if controls * 10 > len(text) + controls or text.count("\ufffd") * 4 > len(text):
        return "binary"
    if not text or text.isspace():
        return "empty"
    return None


def split_front_matter(text: str, *, truncated: bool = False) -> tuple[tuple[str, ...], str]:
    """The top-level keys of the YAML front matter and the body after it.

    Front matter, as the Hub reads it, starts the card (after blank lines) with a ``---`` line and
    ends at the next ``---`` line. Without an end there is none — unless the card was truncated
    inside it, when the whole remaining text is front matter.
    """
    start = len(text) - len(text.lstrip())
    first_end = text.find("\n", start)
    if first_end < 0 or text[start:first_end].rstrip() != "---":
        return (), text
    keys: dict[str, None] = {}
    pos = first_end + 1
    while pos <= len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if line.rstrip() == "---":
            return tuple(keys), text[end + 1 :]
        if len(keys) < MAX_FRONT_MATTER_KEYS and (key := _FRONT_MATTER_KEY.match(line)):
            keys.setdefault(key.group(1))
        pos = end + 1
    return (tuple(keys), "") if truncated else ((), text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a space when one is in the last half."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if text[limit].isspace():
        return cut.rstrip()
    space = cut.rfind(" ")
    # Unspaced scripts (Japanese, Chinese) and giant tokens have no word boundary to cut at.
    return cut[:space].rstrip() if space >= limit // 2 else cut


def _summarise(body: str, summary_chars: int) -> tuple[str, tuple[str, ...], str]:
    """Summary, headings and language sample from the body's blocks, read only as far as needed."""
    summary: list[str] = []
    headings: list[str] = []
    sample: list[str] = []
    room, sample_room = summary_chars, LANGUAGE_SAMPLE_CHARS
    for kind, text in blocks(body):
        if kind == "heading" and len(headings) < MAX_HEADINGS:
            headings.append(clip(text, HEADING_CHARS))
        if room > 0 and _LETTER.search(text):
            piece = clip(text, room - (1 if summary else 0))
            if piece:
                summary.append(piece)
                room -= len(piece) + (1 if len(summary) > 1 else 0)
            if piece != text:
                room = 0
        if sample_room > 0:
            sample.append(text[:sample_room])
            sample_room -= len(sample[-1]) + 1
        if room <= 0 and sample_room <= 0 and len(headings) >= MAX_HEADINGS:
            break
    return "\n".join(summary), tuple(headings), " ".join(sample)
