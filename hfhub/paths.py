"""hfhub's default places, relative to the current folder: the one spelling of each.

The settings (``hfhub.settings``) and the command-line tools (``hfhub-search``, ``hfhub-index``,
``hfhub-report``, the demo) take their defaults from here; each can be given another place.
"""

OUTPUT_DIR = "output"
DATASET_DIR = f"{OUTPUT_DIR}/models"  # HFHUB_DATASET_DIR
CARDS_DIR = f"{OUTPUT_DIR}/cards"  # HFHUB_CARDS_DIR
INDEX_DIR = f"{OUTPUT_DIR}/index"  # the index beside the default dataset (HFHUB_INDEX_DIR)
REPORT_FILE = f"{OUTPUT_DIR}/report.html"
