"""Real Hub records (tests/data/real_hub/, with their provenance) replayed through a whole crawl.

The fake Hub serves the recorded records as they were recorded (``--records``, hfhub.fakehub.replay);
``scrapy crawl models -a cards=1`` mirrors them. Each derived value checked below is worked out by
hand from the recorded record, in the comment beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import run_crawl

REAL = Path(__file__).parent / "data" / "real_hub"
RECORD_FILES = [REAL / "model_details.jsonl", REAL / "more_records.jsonl"]


def recorded_ids() -> set[str]:
    return {json.loads(line)["record"]["id"] for path in RECORD_FILES for line in path.read_text().splitlines() if line}


def recorded_with_sha() -> set[str]:
    ids = set()
    for path in RECORD_FILES:
        for line in path.read_text().splitlines():
            record = json.loads(line)["record"]
            if record.get("sha"):
                ids.add(record["id"])
    return ids


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("real")
    settings = [f"HFHUB_CARDS_DIR={workdir / 'cards'}", f"HFHUB_INDEX_DIR={workdir / 'index'}"]
    args = [arg for path in RECORD_FILES for arg in ("--records", str(path))] + ["--max-page-size", "10"]
    with FakeHubProcess(args=args) as hub:
        first = run_crawl(hub.url, workdir, "cards=1", settings=settings)
        again = run_crawl(hub.url, workdir, "cards=1", settings=settings)
    return first, again, workdir


@pytest.fixture(scope="module")
def models(crawl) -> pd.DataFrame:
    return crawl[0].models().set_index("id")


def test_every_recorded_model_is_mirrored_without_an_error(crawl) -> None:
    first, again, _ = crawl
    assert first.returncode == 0 and again.returncode == 0, first.log[-3000:]
    for log in (first.log, again.log):
        assert "Traceback" not in log and " ERROR: " not in log
    assert set(first.models()["id"]) == recorded_ids()
    assert first.stats["hfhub/listing/complete"] is True
    assert not any(key.startswith(("hfhub/dropped/", "hfhub/pipeline_errors/")) for key in first.stats)


def test_cards_of_repos_without_a_readme_are_rows_and_never_asked_for_again(crawl) -> None:
    first, again, workdir = crawl
    cards = pd.read_parquet(workdir / "cards").set_index("id")
    assert set(cards.index) == recorded_with_sha()  # a card is asked for by revision: records without sha have none
    missing = cards[cards["status"] == "missing"]
    assert list(missing.index) == ["dbmdz/bert-large-cased-finetuned-conll03-english"]  # its record has no cardData
    assert missing["card_bytes"].isna().all() and missing["summary"].isna().all()
    assert first.stats["hfhub/cards/missing"] == 1
    assert again.stats["hfhub/cards/unchanged"] == len(cards)  # the 404 too
    assert "hfhub/cards/fetched" not in again.stats and "hfhub/cards/missing" not in again.stats


def test_a_bf16_llm(models: pd.DataFrame) -> None:
    llama = models.loc["meta-llama/Llama-3.1-8B-Instruct"]
    # safetensors {"BF16": 8030261248}, total 8030261248
    assert (llama.num_parameters, llama.safetensors_total, llama.est_parameters) == (8_030_261_248,) * 3
    assert llama.weights_bytes == 8_030_261_248 * 2
    assert llama.dominant_dtype == "BF16" and pd.isna(llama.quantization) and pd.isna(llama.moe_evidence)
    assert llama.est_mem_stored_gb == round(16_060_522_496 * 1.2 / 1e9, 6) == 19.272627
    assert llama.est_min_gpu_gb == 24
    # gated "manual"; cardData.license "llama3.1"
    assert (llama.gated, llama.gated_mode, llama.license) == (True, "manual", "llama3.1")
    # tags: base_model:meta-llama/Llama-3.1-8B; cardData.base_model: "meta-llama/Meta-Llama-3.1-8B" (its former id)
    assert list(llama.base_models) == ["meta-llama/Llama-3.1-8B"]
    assert llama.base_model_relation == "finetune"


def test_an_embedding_model_with_two_dtypes(models: pd.DataFrame) -> None:
    minilm = models.loc["sentence-transformers/all-MiniLM-L6-v2"]
    # safetensors {"I64": 512, "F32": 22713216}
    assert minilm.num_parameters == 512 + 22_713_216 == 22_713_728
    assert minilm.weights_bytes == 512 * 8 + 22_713_216 * 4 == 90_856_960
    assert minilm.dominant_dtype == "F32" and minilm.library_name == "sentence-transformers"


def test_a_mixture_of_experts_named_by_its_active_size(models: pd.DataFrame) -> None:
    zephyr = models.loc["HuggingFaceH4/zephyr-orpo-141b-A35b-v0.1"]
    # config.architectures ["MixtralForCausalLM"]; the name says 141b total, A35b active
    assert zephyr.moe_evidence == "architecture"
    assert zephyr.est_active_parameters == 35_000_000_000
    assert zephyr.num_parameters == 140_620_634_112
    assert pd.isna(zephyr.est_min_gpu_gb)  # 337 GB: no single GPU
    # decode reads the active share of the weights: 1e12 / (281241268224 × 35e9 / 140620634112)
    assert zephyr.est_decode_tokens_per_s == round(1e12 / (281_241_268_224 * 35e9 / 140_620_634_112), 2)


def test_a_gguf_repo_without_library_name(models: pd.DataFrame) -> None:
    gemma = models.loc["ggml-org/gemma-3-1b-it-GGUF"]
    # no library_name; gguf {"total": 999885952, "architecture": "gemma3", ...}; files Q4_K_M, Q8_0, f16
    assert pd.isna(gemma.library_name) and gemma.quantization == "gguf"
    assert (gemma.num_parameters, gemma.num_parameters_source) == (999_885_952, "gguf")
    assert list(gemma.gguf_quant_types) == ["F16", "Q4_K_M", "Q8_0"]
    assert gemma.weights_bytes == round(999_885_952 * 4.85 / 8)  # the smallest file, Q4_K_M
    assert list(gemma.base_models) == ["google/gemma-3-1b-it"] and gemma.base_model_relation == "quantized"


def test_records_that_contradict_themselves_or_lack_properties(models: pd.DataFrame) -> None:
    # a legacy repo last changed before the Hub back-filled its createdAt
    legacy = models.loc["sshleifer/distilbart-cnn-12-6"]
    assert legacy.last_modified == pd.Timestamp("2021-06-14T07:51:12Z")
    assert legacy.created_at == pd.Timestamp("2022-03-02T23:29:05Z")
    # an id without a namespace, whose record names the namespace it moved to; a DOI tag kept
    gpt2 = models.loc["gpt2"]
    assert gpt2.author == "openai-community" and gpt2["name"] == "gpt2"
    assert "doi:10.57967/hf/0039" in list(gpt2.tags)
    # a default list record (no expand): no sha, no safetensors; quantization from its tags
    assert models.loc["MiniMaxAI/MiniMax-M2"].quantization == "fp8"
    assert models.loc["moonshotai/Kimi-K2-Thinking"].quantization == "compressed-tensors"
    assert pd.isna(models.loc["moonshotai/Kimi-K2-Thinking"].sha)
    # recorded with only inferenceProviderMapping: a row with its id and nothing invented
    flux = models.loc["black-forest-labs/FLUX.1-dev"]
    assert flux.isna()[["sha", "num_parameters", "downloads", "pipeline_tag", "license"]].all()
