"""A cheap guess at a card's language, from the scripts its letters are written in.

This is a heuristic, not language identification: it counts letters per Unicode script and names the
language that script most often means on the Hub (Cyrillic → ``"ru"``, Arabic script → ``"ar"``, Han
without kana → ``"zh"``), so Ukrainian reads as ``"ru"`` and Persian as ``"ar"``. Latin-script text is
told apart only for English, German, French and Spanish, by counting a handful of function words;
anything less clear-cut, and any sample with few letters, gives ``None``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

# Fewer letters than this and a guess is noise.
MIN_LETTERS = 20

# (first code point, last code point, script), sorted by first code point.
_RANGES = (
    (0x0041, 0x005A, "latin"), (0x0061, 0x007A, "latin"), (0x00C0, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"), (0x0400, 0x052F, "cyrillic"), (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x0900, 0x097F, "devanagari"),
    (0x0E00, 0x0E7F, "thai"), (0x1100, 0x11FF, "hangul"), (0x1E00, 0x1EFF, "latin"),
    (0x3040, 0x309F, "kana"), (0x30A0, 0x30FF, "kana"), (0x3130, 0x318F, "hangul"),
    (0x31F0, 0x31FF, "kana"), (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"), (0xF900, 0xFAFF, "han"), (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"), (0xFF66, 0xFF9F, "kana"),
)
_STARTS = [lo for lo, _, _ in _RANGES]

_SCRIPT_LANGUAGE = {
    "cyrillic": "ru", "arabic": "ar", "greek": "el", "hebrew": "he", "devanagari": "hi", "thai": "th",
}

_FUNCTION_WORDS = {
    "en": frozenset(["the", "and", "of", "to", "is", "in", "for", "this", "with", "that", "are", "be", "it", "a", "an", "from", "on", "by", "as"]),
    "de": frozenset(["der", "die", "und", "das", "ist", "mit", "für", "von", "nicht", "ein", "eine", "auf", "den", "zu", "im", "des", "dem"]),
    "fr": frozenset(["le", "la", "les", "et", "des", "est", "une", "pour", "dans", "du", "sur", "avec", "pas", "qui", "de", "un", "au"]),
    "es": frozenset(["el", "la", "los", "las", "y", "de", "que", "es", "una", "para", "con", "por", "del", "se", "un", "al", "como"]),
}
_WORD = re.compile(r"[^\W\d_]+")


def script_counts(text: str) -> Counter[str]:
    """Letters of ``text`` per script (only the scripts listed in ``_RANGES``)."""
    counts: Counter[str] = Counter()
    for ch in text:
        code = ord(ch)
        k = bisect_right(_STARTS, code) - 1
        if k >= 0 and code <= _RANGES[k][1]:
            counts[_RANGES[k][2]] += 1
    return counts


def guess_language(text: str) -> str | None:
    """A language code guessed from ``text``'s scripts (see the module docstring), or ``None``."""
    counts = script_counts(text)
    letters = sum(counts.values())
    if letters < MIN_LETTERS:
        return None
    kana, han, hangul = counts["kana"], counts["han"], counts["hangul"]
    # One CJK character carries about a word, so a fifth of the letters already means CJK prose
    # with Latin model names and code identifiers sprinkled in.
    if kana + han + hangul >= max(10, letters // 5):
        if hangul > kana + han:
            return "ko"
        return "ja" if kana * 10 >= kana + han else "zh"
    script, count = max(((s, counts[s]) for s in _SCRIPT_LANGUAGE), key=lambda sc: sc[1])
    if count * 10 >= letters * 3:
        return _SCRIPT_LANGUAGE[script]
    if counts["latin"] * 10 >= letters * 6:
        return _latin_language(text)
    return None


def _latin_language(text: str) -> str | None:
    words = _WORD.findall(text.lower())
    hits = sorted(((sum(w in vocab for w in words), code) for code, vocab in _FUNCTION_WORDS.items()),
                  reverse=True)
    (best, code), (second, _) = hits[0], hits[1]
    # Function words are a tenth to a third of running prose; a clear lead rules out shared ones
    # ("de", "la", "en").
    if best >= 3 and best * 100 >= len(words) * 8 and best * 2 >= second * 3:
        return code
    return None
