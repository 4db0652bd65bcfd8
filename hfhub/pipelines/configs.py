"""Write fetched model configs to their own Parquet table (``HFHUB_CONFIGS_DIR``, ``output/configs``),
published with the crawl like the cards table (``hfhub.pipelines.sidetable``). The columns, and the
KV-cache and memory formulas, are in docs/fields.md ("The configs table")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hfhub.configs.table import CONFIGS_SCHEMA, config_row, write_configs
from hfhub.items import ConfigItem
from hfhub.pipelines.sidetable import SideTablePipeline

if TYPE_CHECKING:
    from pathlib import Path


class ConfigsParquetPipeline(SideTablePipeline):
    item_class = ConfigItem
    dir_setting = "HFHUB_CONFIGS_DIR"
    rows_setting = "HFHUB_CONFIGS_ROWS_PER_PART"
    stats_prefix = "hfhub/configs"
    what = "configs"
    schema = CONFIGS_SCHEMA

    def row(self, item: ConfigItem) -> dict[str, Any]:
        return config_row(item.id, item.sha, item.fetched_at, item.weights_bytes, item.config)

    def write(self, rows: list[dict[str, Any]], path: Path) -> int:
        return write_configs(rows, path, compression=self.compression)
