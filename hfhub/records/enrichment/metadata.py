"""What the card and tags say: languages, base-model relation, papers."""

from __future__ import annotations

from collections.abc import Sequence

# ISO 639-1 codes with English names: bare language tags on the Hub use these codes, and the
# names make "japanese" findable in search_text.
LANGUAGE_NAMES = {
    "af": "afrikaans", "am": "amharic", "ar": "arabic", "az": "azerbaijani", "be": "belarusian", "bg": "bulgarian",
    "bn": "bengali", "bs": "bosnian", "ca": "catalan", "cs": "czech", "cy": "welsh", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "eo": "esperanto", "es": "spanish", "et": "estonian", "eu": "basque",
    "fa": "persian", "fi": "finnish", "fr": "french", "ga": "irish", "gl": "galician", "gu": "gujarati",
    "ha": "hausa", "he": "hebrew", "hi": "hindi", "hr": "croatian", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "ig": "igbo", "is": "icelandic", "it": "italian", "ja": "japanese", "jv": "javanese",
    "ka": "georgian", "kk": "kazakh", "km": "khmer", "kn": "kannada", "ko": "korean", "ku": "kurdish",
    "ky": "kyrgyz", "la": "latin", "lb": "luxembourgish", "lo": "lao", "lt": "lithuanian", "lv": "latvian",
    "mk": "macedonian", "ml": "malayalam", "mn": "mongolian", "mr": "marathi", "ms": "malay", "mt": "maltese",
    "my": "burmese", "ne": "nepali", "nl": "dutch", "no": "norwegian", "or": "odia", "pa": "punjabi",
    "pl": "polish", "ps": "pashto", "pt": "portuguese", "ro": "romanian", "ru": "russian", "rw": "kinyarwanda",
    "sd": "sindhi", "si": "sinhala", "sk": "slovak", "sl": "slovenian", "so": "somali", "sq": "albanian",
    "sr": "serbian", "sv": "swedish", "sw": "swahili", "ta": "tamil", "te": "telugu", "tg": "tajik", "th": "thai",
    "tk": "turkmen", "tl": "tagalog", "tr": "turkish", "tt": "tatar", "ug": "uyghur", "uk": "ukrainian",
    "ur": "urdu", "uz": "uzbek", "vi": "vietnamese", "xh": "xhosa", "yi": "yiddish", "yo": "yoruba",
    "zh": "chinese", "zu": "zulu",
}
RELATIONS = ("adapter", "finetune", "merge", "quantized")


def languages(card_languages: Sequence[str] | None, tags: Sequence[str] | None) -> list[str] | None:
    """The card's languages; without them, the bare ISO 639-1 codes among the tags."""
    if card_languages:
        return list(card_languages)
    found = [t for t in tags or () if t in LANGUAGE_NAMES]
    return found or None


def base_model_relation(tags: Sequence[str] | None) -> str | None:
    """``base_model:<relation>:<id>`` tags name how a model derives from its base; a plain
    ``base_model:<id>`` tag alone leaves the relation unknown (None)."""
    for tag in tags or ():
        if tag.startswith("base_model:"):
            relation = tag.split(":", 2)[1]
            if relation in RELATIONS:
                return relation
    return None


def arxiv_ids(tags: Sequence[str] | None) -> list[str] | None:
    found = [t[len("arxiv:") :] for t in tags or () if t.startswith("arxiv:")]
    return found or None
