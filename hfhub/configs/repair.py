"""Which of a crawl's models still lack the config of their revision, once its listing is over.

The configs' twin of ``hfhub.cards.repair``: a kill loses queued and buffered config requests, so a
crawl with ``configs=1``, alone, ends by asking once more for the configs its written models want
(``hfhub.configs.wanted``) and lack.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from hfhub.configs.table import config_key, known_config_shas
from hfhub.configs.wanted import wants_config
from hfhub.storage.dataset import PART_GLOB

_COLUMNS = ["id", "sha", "model_type", "architectures", "files", "weights_bytes"]


def missing_configs(parts_dir: Path, configs_dirs: list[Path]) -> list[tuple[str, str, int | None]]:
    """(id, sha, weights_bytes) of the models in ``parts_dir``'s parts that want a config whose
    config at that sha is in none of ``configs_dirs`` (the table, and the crawl's own config parts
    not yet published)."""
    known = known_config_shas(*configs_dirs)
    missing: dict[str, tuple[str, int | None]] = {}
    for part in sorted(parts_dir.glob(PART_GLOB)):
        for row in pq.read_table(part, columns=_COLUMNS).to_pylist():
            if row["sha"] is None or config_key(row["id"], row["sha"]) in known:
                continue
            if wants_config(row["model_type"], row["architectures"], row["files"]):
                missing[row["id"]] = (row["sha"], row["weights_bytes"])
    return [(model_id, sha, weights) for model_id, (sha, weights) in sorted(missing.items())]
