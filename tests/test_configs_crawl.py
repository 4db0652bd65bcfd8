"""`scrapy crawl models -a configs=1` against the fake Hub: each wanted config.json fetched once per
revision into the configs table, its estimates those computed by hand for real configs, hostile
configs counted and never fatal, a killed crawl resumed to every config."""

from __future__ import annotations

import json
import math
import shutil
import signal
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from hfhub.configs.wanted import wants_config
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.modelconfig import generated_config
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import REPO, crawl_command, run_crawl

REAL = REPO / "tests" / "data" / "real_hub"
DATES = {"createdAt": "2025-01-01T00:00:00.000Z", "lastModified": "2025-06-01T00:00:00.000Z"}


def made_record(repo_id: str, n: int, dtypes: dict[str, int] | None = None, files: tuple[str, ...] = ("config.json",),
                model_type: str = "llama", architecture: str = "LlamaForCausalLM") -> dict:
    """A record made for these tests (not recorded from the Hub): what the list API would say of a repo."""
    record = {"id": repo_id, "sha": f"{n:040x}", **DATES, "config": {"model_type": model_type, "architectures": [architecture]},
              "siblings": [{"rfilename": f} for f in ("README.md", *files)]}
    if dtypes:
        record["safetensors"] = {"parameters": dtypes, "total": sum(dtypes.values())}
    return record


def write_records(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def configs_of(workdir: Path) -> pd.DataFrame:
    return pd.read_parquet(workdir / "configs").set_index("id")


def value(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


# Real config files (tests/data/real_hub/configs) under test-made records of the same ids, with the
# models' BF16 parameter counts (DeepSeek's FP8); estimates by hand: weights × 1.2 + the KV cache
# (docs/fields.md), e.g. Qwen3-30B-A3B at 4k: (60e9 × 1.2 + 98,304 × 4,096) / 1e9 = 72.402653.
REAL_CONFIGS = {
    "Qwen/Qwen3-30B-A3B": ({"BF16": 30_000_000_000}, (72.402653, 75.221225, None)),
    "deepseek-ai/DeepSeek-R1-0528": ({"F8_E4M3": 671_000_000_000}, (805.487834, 807.502673, 814.410692)),
    "google/gemma-2-9b-it": ({"BF16": 9_241_705_984}, (23.589381, None, None)),  # 8,192 tokens at most
    "google/gemma-3-1b-it": ({"BF16": 999_885_952}, (2.428038, 2.545478, None)),  # 32,768 at most
    "mistralai/Mistral-7B-v0.1": ({"BF16": 7_241_732_096}, (17.917028, 17.917028, None)),  # every layer slides
}
# The recorded real record of Llama-3.1-8B-Instruct (model_details.jsonl: BF16 8,030,261,248) and its
# real config: 131,072 bytes a token; 19.272627 GB of weights × 1.2, plus 0.536871 / 4.294967 / 17.179869
LLAMA = ("meta-llama/Llama-3.1-8B-Instruct", (19.809498, 23.567594, 36.452496))


def test_real_configs_replayed_give_the_estimates_computed_by_hand(tmp_path):
    (tmp_path / "configs").mkdir()
    records = [made_record(repo_id, n, dtypes) for n, (repo_id, (dtypes, _)) in enumerate(REAL_CONFIGS.items(), 1)]
    for repo_id in REAL_CONFIGS:
        name = repo_id.replace("/", "__")
        shutil.copy(REAL / "configs" / f"{name}.json", tmp_path / "configs" / f"{name}.json")
    records.append(made_record("acme/config-not-kept", 90, {"BF16": 10}))  # a config.json the fake has no file of
    records.append(made_record("acme/params-only", 91, {"BF16": 10}, files=("params.json",)))  # no config.json
    made = write_records(tmp_path / "records.jsonl", records)
    with FakeHubProcess(args=["--records", str(REAL / "model_details.jsonl"), "--records", str(made)]) as hub:
        result = run_crawl(hub.url, tmp_path, "configs=1", settings=[f"HFHUB_CONFIGS_DIR={tmp_path / 'configs-table'}"])
    assert result.returncode == 0, result.log[-3000:]
    configs = pd.read_parquet(tmp_path / "configs-table").set_index("id")
    models = result.models().set_index("id")

    for repo_id, expected in [*((r, memory) for r, (_, memory) in REAL_CONFIGS.items()), LLAMA]:
        row = configs.loc[repo_id]
        assert row["status"] == "parsed" and row["sha"] == models.loc[repo_id, "sha"]
        memory = tuple(value(row[f"est_memory_gb_at_{c}"]) for c in ("4k", "32k", "128k"))
        assert memory == expected, repo_id
        assert json.loads(row["config_json"])["model_type"] == row["model_type"]
    assert configs.loc["meta-llama/Llama-3.1-8B-Instruct", "est_kv_bytes_per_token"] == 131_072
    assert configs.loc["meta-llama/Llama-3.1-8B-Instruct", "weights_bytes"] == 2 * 8_030_261_248
    assert configs.loc["deepseek-ai/DeepSeek-R1-0528", "attention"] == "mla"

    # every model whose record says it has a config.json was asked for; the others not
    wanted = set(wanted_configs(result.dataset_dir))
    assert set(configs.index) == wanted and "acme/params-only" not in wanted
    no_file = wanted - set(REAL_CONFIGS) - {LLAMA[0]}
    assert {i for i in configs.index if configs.loc[i, "status"] == "missing"} == no_file  # the fake answered 404
    assert result.stats["hfhub/configs/missing"] == len(no_file) and result.stats["hfhub/configs/fetched"] == 6


HOSTILE = {
    "evil/not-json": (b"<html>rate limited</html>", "not_json"),
    "evil/a-list": (b"[32, 32, 4096]", "not_object"),
    "evil/utf16": ('{"num_hidden_layers": 2}'.encode("utf-16"), "not_utf8"),
    "evil/deep": (b"[" * 200_000 + b"]" * 200_000, "not_json"),
    "evil/negative": (b'{"num_hidden_layers": -1, "num_attention_heads": 8, "hidden_size": 512}', "implausible"),
    "evil/bool": (b'{"num_hidden_layers": true, "num_attention_heads": 8, "hidden_size": 512}', "implausible"),
    "evil/float": (b'{"num_hidden_layers": 2.5, "num_attention_heads": 8, "hidden_size": 512}', "implausible"),
    "evil/huge-number": (b'{"num_hidden_layers": 1e30, "num_attention_heads": 8, "hidden_size": 512}', "implausible"),
    "evil/too-large": (b'{"pad": "' + b"x" * 3_000_000 + b'"}', "too_large"),
}


def test_hostile_configs_and_a_faulty_hub_are_counted_never_fatal(tmp_path):
    (tmp_path / "configs").mkdir()
    for repo_id, (body, _) in HOSTILE.items():
        (tmp_path / "configs" / f"{repo_id.replace('/', '__')}.json").write_bytes(body)
    nan_body = b'{"num_hidden_layers": 2, "num_attention_heads": 8, "hidden_size": 512, "max_position_embeddings": NaN}'
    (tmp_path / "configs" / "evil__nan.json").write_bytes(nan_body)
    big = {"num_hidden_layers": 2, "num_attention_heads": 8, "hidden_size": 512, "id2label": {str(i): "x" * 20 for i in range(12_000)}}
    (tmp_path / "configs" / "evil__over-the-text-limit.json").write_text(json.dumps(big))
    ids = [*HOSTILE, "evil/nan", "evil/over-the-text-limit"]
    made = write_records(tmp_path / "records.jsonl", [made_record(repo_id, n, {"BF16": 1000}) for n, repo_id in enumerate(ids, 1)])
    fault_args = ["--records", str(made), "--fault-429", "0.2", "--fault-5xx", "0.2", "--fault-seed", "5"]
    settings = [f"HFHUB_CONFIGS_DIR={tmp_path / 'table'}", "HFHUB_CONFIG_MAX_DOWNLOAD=1000000", "HFHUB_RETRY_BACKOFF=0"]
    with FakeHubProcess(args=fault_args) as hub:
        result = run_crawl(hub.url, tmp_path, "configs=1", settings=settings)
        faults = hub.stats()["faults"]
    assert result.returncode == 0, result.log[-3000:]
    assert faults.get("429", 0) + sum(faults.get(code, 0) for code in ("500", "502", "503", "504")) > 0
    configs = pd.read_parquet(tmp_path / "table").set_index("id")
    assert set(configs.index) == set(ids)
    for repo_id, (_, reason) in HOSTILE.items():
        assert (configs.loc[repo_id, "status"], configs.loc[repo_id, "reject_reason"]) == ("rejected", reason), repo_id
        assert value(configs.loc[repo_id, "est_kv_bytes_per_token"]) is None
    for reason in {reason for _, reason in HOSTILE.values()}:
        assert result.stats[f"hfhub/configs/rejected/{reason}"] == sum(r == reason for _, r in HOSTILE.values())
    assert configs.loc["evil/nan", "status"] == "parsed" and value(configs.loc["evil/nan", "max_context"]) is None
    # 2 layers × (K, V) × 8 heads × head_dim 512/8 = 64 × 2 bytes = 4,096 bytes a token
    assert configs.loc["evil/nan", "est_kv_bytes_per_token"] == 2 * 2 * 8 * 64 * 2 == 4096
    assert value(configs.loc["evil/over-the-text-limit", "config_json"]) is None  # read, not kept
    assert configs.loc["evil/over-the-text-limit", "est_kv_bytes_at_4k"] == 4096 * 4096
    assert result.stats["hfhub/configs/text_not_kept"] == 1
    assert "Traceback" not in result.log
    assert not [p for p in (tmp_path / "table").rglob("*") if p.name.startswith(".") and p.is_file()]


N, SEED = 600, 43


def wanted_configs(models_dir: Path) -> dict[str, str]:
    """{id: sha} of the models a configs=1 crawl asks the config of: a sha to ask at, and a record
    that says the repo has a config.json (hfhub.configs.wanted)."""
    columns = ["id", "sha", "model_type", "architectures", "files"]
    return {m["id"]: m["sha"] for m in pq.read_table(models_dir, columns=columns).to_pylist()
            if m["sha"] and wants_config(m["model_type"], m["architectures"], m["files"])}


@pytest.mark.slow
def test_configs_are_fetched_once_per_revision_with_the_cards(tmp_path):
    settings = [f"HFHUB_CONFIGS_DIR={tmp_path / 'configs'}", f"HFHUB_CARDS_DIR={tmp_path / 'cards'}"]
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "200"]) as hub:
        first = run_crawl(hub.url, tmp_path, "configs=1", "cards=1", settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        wanted = wanted_configs(first.dataset_dir)
        configs = configs_of(tmp_path)
        assert len(wanted) > 200 and dict(zip(configs.index, configs["sha"])) == wanted
        assert len(pd.read_parquet(tmp_path / "cards")) == N  # cards=1 alongside
        # each row says what the fake's config.json says
        records = {r["id"]: r for r in Corpus(N, seed=SEED).records(list(range(N)))}
        for repo_id, row in configs.iterrows():
            served = generated_config(records[repo_id])
            layers = served.get("num_hidden_layers") or served.get("n_layer") or served.get("num_layers")
            assert (row["status"], row["model_type"], row["num_layers"]) == ("parsed", served["model_type"], layers)
            assert json.loads(row["config_json"]) == served
        resolves = hub.stats()["requests"]["resolve"]

        again = run_crawl(hub.url, tmp_path, "configs=1", settings=settings)
        assert again.stats["hfhub/configs/unchanged"] == len(wanted) and "hfhub/configs/fetched" not in again.stats
        assert hub.stats()["requests"]["resolve"] == resolves  # nothing fetched again

        changed = sorted(wanted)[:5]
        hub.mutate(touch=changed)
        third = run_crawl(hub.url, tmp_path, "configs=1", "mode=incremental", settings=settings)
        assert third.returncode == 0, third.log[-3000:]
        assert third.stats["hfhub/configs/fetched"] == 5
        configs = configs_of(tmp_path)
        assert configs.index.is_unique and len(configs) == len(wanted)  # compacted: the newest per model
        assert dict(zip(configs.index, configs["sha"])) == wanted_configs(tmp_path / "models")


def test_a_killed_crawl_resumes_to_every_config(tmp_path):
    job = tmp_path / "job"
    settings = [f"JOBDIR={job}", "HFHUB_PARQUET_ROWS_PER_PART=100", "HFHUB_CONFIGS_ROWS_PER_PART=50",
                f"HFHUB_CONFIGS_DIR={tmp_path / 'configs'}"]
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "100"]) as hub:
        command, env = crawl_command(hub.url, tmp_path, "configs=1", settings=settings,
                                     env={"HFHUB_KILL_AT": "checkpoint:3"})
        killed = subprocess.run(command, cwd=REPO, env=env, timeout=300, capture_output=True)
        assert killed.returncode == -signal.SIGKILL
        assert not (tmp_path / "configs").exists() or not list((tmp_path / "configs").glob("*.parquet"))
        resumed = run_crawl(hub.url, tmp_path, "configs=1", settings=settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "resuming crawl" in resumed.log
    configs = configs_of(tmp_path)
    assert configs.index.is_unique
    assert dict(zip(configs.index, configs["sha"])) == wanted_configs(resumed.dataset_dir)
