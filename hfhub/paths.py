"""hfhub's default places, relative to the current folder: the one spelling of each.

The settings (``hfhub.settings``) and the command-line tools (``hfhub-search``, ``hfhub-index``,
``hfhub-report``, the demo) take their defaults from here; each can be given another place.
"""

OUTPUT_DIR = "output"
DATASET_DIR = f"{OUTPUT_DIR}/models"  # HFHUB_DATASET_DIR
CARDS_DIR = f"{OUTPUT_DIR}/cards"  # HFHUB_CARDS_DIR
CONFIGS_DIR = f"{OUTPUT_DIR}/configs"  # HFHUB_CONFIGS_DIR: the models' config.json facts (-a configs=1)
INDEX_DIR = f"{OUTPUT_DIR}/index"  # the index beside the default dataset (HFHUB_INDEX_DIR)
REPORT_FILE = f"{OUTPUT_DIR}/report.html"

# The datasets and Spaces tables (scrapy crawl datasets / spaces), and the datasets' cards
DATASETS_DIR = f"{OUTPUT_DIR}/datasets"
SPACES_DIR = f"{OUTPUT_DIR}/spaces"
DATASET_CARDS_DIR = f"{OUTPUT_DIR}/dataset_cards"
TABLE_DIRS = {"models": DATASET_DIR, "datasets": DATASETS_DIR, "spaces": SPACES_DIR}
HISTORY_DIR = f"{OUTPUT_DIR}/history"  # the crawls' snapshots, for hfhub-trends (HFHUB_HISTORY_DIR)


def kind_default_paths(kind_name: str) -> dict[str, str]:
    """The folder settings of a crawl of ``kind_name`` (models, datasets, spaces) when none is given:
    its table, its cards table (Spaces have none: the empty string turns cards off) and its configs
    table (models only)."""
    cards = {"models": CARDS_DIR, "datasets": DATASET_CARDS_DIR, "spaces": ""}[kind_name]
    configs = CONFIGS_DIR if kind_name == "models" else ""
    return {"HFHUB_DATASET_DIR": TABLE_DIRS[kind_name], "HFHUB_CARDS_DIR": cards, "HFHUB_CONFIGS_DIR": configs}


def index_dir_name(kind_name: str) -> str:
    """The index folder's name beside a table's folder: ``index`` for models (as before there were
    other tables), ``index-datasets`` and ``index-spaces`` for the others."""
    return "index" if kind_name == "models" else f"index-{kind_name}"


def stats_file_name(kind_name: str) -> str:
    return "crawl_stats.json" if kind_name == "models" else f"crawl_stats-{kind_name}.json"
