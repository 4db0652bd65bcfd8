"""``hfhub-search "query" -k 10``: search the models index from the command line.

Never imports Scrapy: the search side reads only the index on disk (``hfhub.index``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from hfhub import paths
from hfhub.index.errors import SearchError
from hfhub.index.filters import SearchFilters
from hfhub.web.api import FILTERS, MAX_K, BadRequest, parse_k

DEFAULT_INDEX = paths.INDEX_DIR


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hfhub-search",
        description="Search the local index of Hugging Face Hub models (build it with `hfhub-index build`).",
    )
    p.add_argument("query", nargs="?", help='what to look for, e.g. "japanese sentiment classifier"')
    p.add_argument("--like", metavar="MODEL_ID", help="models nearest to this model instead of a query")
    p.add_argument("-k", type=_option("-k", parse_k), default=10, help=f"number of results, 1 to {MAX_K} (default 10)")
    p.add_argument("--index", default=DEFAULT_INDEX, help=f"the index (default {DEFAULT_INDEX})")
    p.add_argument(
        "--dataset", help="check the index against this dataset (default: the one it was built from)"
    )
    p.add_argument("--json", action="store_true", help="JSON lines, one result per line")
    p.add_argument("--serve", action="store_true", help="serve the search page on http://HOST:PORT/")
    p.add_argument("--host", default="127.0.0.1", help="--serve: the address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="--serve: the port (default 8000; 0: any free)")
    f = p.add_argument_group("filters")
    # each value is checked as the search page's API checks it (hfhub.web.api.FILTERS)
    f.add_argument("--task", type=_filter("task"), help="pipeline tag, e.g. text-classification")
    f.add_argument("--library", type=_filter("library"), help="e.g. transformers, gguf")
    f.add_argument("--author", type=_filter("author"))
    f.add_argument("--license", type=_filter("license"), help="e.g. apache-2.0")
    f.add_argument("--language", type=_filter("language"), help="language code, e.g. ja")
    f.add_argument("--max-params", type=_filter("max_params"), help="at most this many parameters: 7e9, 7B, 350M")
    f.add_argument("--max-size-gb", type=_filter("max_size_gb"), help="weights at stored precision at most this many GB")
    f.add_argument("--fits-gpu-gb", type=_filter("fits_gpu_gb"), help="fits a GPU with this much memory (GB), e.g. 24 or 7.5")
    f.add_argument("--min-downloads", type=_filter("min_downloads"))
    f.add_argument("--min-likes", type=_filter("min_likes"))
    f.add_argument("--no-gated", action="store_true", help="leave out gated models")
    f.add_argument(
        "--quantized",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="only quantized (--quantized) or only unquantized (--no-quantized) models",
    )
    return p


def _option(flag: str, parse: Callable[[str, str], Any]) -> Callable[[str], Any]:
    """An argparse type that reads a value as ``parse(name, value)`` does, its error the option's."""

    def read(text: str) -> Any:
        try:
            return parse(text.strip(), flag)
        except BadRequest as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def _filter(name: str) -> Callable[[str], Any]:
    return _option(f"--{name.replace('_', '-')}", lambda value, flag: FILTERS[name](flag, value))


def filters_from(args: argparse.Namespace) -> SearchFilters:
    return SearchFilters(
        task=args.task,
        library=args.library,
        author=args.author,
        license=args.license,
        language=args.language,
        max_params=args.max_params,
        max_size_gb=args.max_size_gb,
        fits_gpu_gb=args.fits_gpu_gb,
        min_downloads=args.min_downloads,
        min_likes=args.min_likes,
        no_gated=args.no_gated,
        quantized=args.quantized,
    )


def _human(n: float | None, units: Sequence[tuple[float, str]]) -> str:
    if n is None:
        return "-"
    for size, suffix in units:
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(int(n))


_COUNTS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def format_table(results: list) -> str:  # list[SearchResult]
    header = (
        "#",
        "model",
        "task",
        "library",
        "params",
        "size GB",
        "est. GPU GB",
        "quant",
        "downloads",
        "likes",
        "score",
    )
    rows = [header]
    for rank, r in enumerate(results, 1):
        size = "-" if r.weights_bytes is None else "<0.1" if 0 < r.weights_bytes < 0.05e9 else f"{r.weights_bytes / 1e9:.1f}"
        rows.append(
            (
                str(rank),
                r.id,
                r.pipeline_tag or "-",
                r.library_name or "-",
                _human(r.num_parameters, _COUNTS),
                size,
                str(r.est_min_gpu_gb or "-"),
                r.quantization or "-",
                _human(r.downloads, _COUNTS),
                str(r.likes if r.likes is not None else "-"),
                f"{r.score:.3f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.serve:
        from hfhub.web import serve_cli

        return serve_cli(args.index, args.host, args.port, args.dataset)
    if args.like and args.query:
        parser.error("give a query or --like MODEL_ID, not both")
    if args.k < 1:
        parser.error("-k must be at least 1")
    from hfhub.index.searcher import ModelIndex

    try:
        index = ModelIndex.load(args.index, args.dataset)
        filters = filters_from(args)
        if args.like:
            results = index.like(args.like, args.k, filters)
        else:
            results = index.search(args.query or "", args.k, filters)
    except SearchError as exc:
        print(f"hfhub-search: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        for r in results:
            print(json.dumps(r.to_dict(), sort_keys=True))
    elif results:
        print(format_table(results))
    else:
        print("no model matches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
