"""``hfhub-search "query" -k 10 [--type model|dataset|space|all] [--sort relevance|growth]``: search the
index of a table.

Each table has its own index (``output/index``, ``output/index-datasets``, ``output/index-spaces``);
``--type all`` asks each that exists and shows each type's results apart, as scores of different
indexes are not comparable (each has its own vocabulary, IDF and embedding).

Never imports Scrapy: the search side reads only the index on disk (``hfhub.index``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from hfhub import paths
from hfhub.index.errors import FilterNotApplicableError, IndexNotFoundError, SearchError
from hfhub.index.filters import SearchFilters, check_applies
from hfhub.links import SINGULAR, TYPES
from hfhub.web.api import FILTERS, MAX_K, SORTS, BadRequest, parse_k

DEFAULT_INDEX = paths.INDEX_DIR


def default_index(kind: str, output: str = paths.OUTPUT_DIR) -> str:
    """output/index, output/index-datasets, output/index-spaces (beside the tables, as crawls build them)."""
    return f"{output}/{paths.index_dir_name(kind)}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hfhub-search",
        description="Search the local index of Hugging Face Hub models, datasets or Spaces "
        "(a crawl builds it; rebuild it with `hfhub-index build`).",
    )
    p.add_argument("query", nargs="?", help='what to look for, e.g. "japanese sentiment classifier"')
    p.add_argument("--like", metavar="ID", help="the repos nearest to this one (of --type) instead of a query")
    p.add_argument("-k", type=_option("-k", parse_k), default=10, help=f"number of results, 1 to {MAX_K} (default 10)")
    p.add_argument(
        "--type",
        choices=(*TYPES, "all"),
        default="model",
        help="what to search: model (default), dataset, space, or all (each type's results apart)",
    )
    p.add_argument(
        "--index",
        help=f"the index of --type (default {DEFAULT_INDEX}, {default_index('datasets')}, {default_index('spaces')})",
    )
    p.add_argument(
        "--output", default=paths.OUTPUT_DIR,
        help=f"the folder of the tables and their indexes, for the default --index (default {paths.OUTPUT_DIR})",
    )
    p.add_argument(
        "--dataset", help="check the index against this dataset (default: the one it was built from)"
    )
    p.add_argument("--json", action="store_true", help="JSON lines, one result per line")
    p.add_argument(
        "--sort", choices=SORTS, default="relevance",
        help="relevance (default); downloads, likes, trending, recent (last modified), created: the best 10 x k "
        "by relevance in that order; growth: the best 10 x k by relevance re-ranked by their growth over "
        "--window (downloads during it; Spaces: likes), read from the history",
    )
    p.add_argument("--window", type=_window, help="--sort growth: the days to compare, e.g. 7d (default), 30d, 2w")
    p.add_argument(
        "--history",
        help=f"--sort growth: the history folder (default: history beside the index's table, {paths.HISTORY_DIR})",
    )
    p.add_argument("--serve", action="store_true", help="serve the search page on http://HOST:PORT/")
    p.add_argument("--host", default="127.0.0.1", help="--serve: the address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="--serve: the port (default 8000; 0: any free)")
    f = p.add_argument_group(
        "filters", "each applies to the types it names (models unless said); another type's filter is an error"
    )
    # each value is checked as the search page's API checks it (hfhub.web.api.FILTERS)
    f.add_argument(
        "--task", type=_filter("task"), help="models: pipeline tag; datasets: a task category (e.g. text-classification)"
    )
    f.add_argument("--library", type=_filter("library"), help="e.g. transformers, gguf")
    f.add_argument("--author", type=_filter("author"), help="all types")
    f.add_argument("--license", type=_filter("license"), help="all types, e.g. apache-2.0")
    f.add_argument("--language", type=_filter("language"), help="models, datasets: language code, e.g. ja")
    f.add_argument("--max-params", type=_filter("max_params"), help="at most this many parameters: 7e9, 7B, 350M")
    f.add_argument("--max-size-gb", type=_filter("max_size_gb"), help="weights at stored precision at most this many GB")
    f.add_argument("--fits-gpu-gb", type=_filter("fits_gpu_gb"), help="fits a GPU with this much memory (GB), e.g. 24 or 7.5")
    f.add_argument("--min-downloads", type=_filter("min_downloads"), help="models, datasets")
    f.add_argument("--min-likes", type=_filter("min_likes"), help="all types")
    f.add_argument("--no-gated", action="store_true", help="models, datasets: leave out gated repos")
    f.add_argument(
        "--quantized",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="only quantized (--quantized) or only unquantized (--no-quantized) models",
    )
    f.add_argument("--sdk", type=_filter("sdk"), help="Spaces: gradio, streamlit, docker, static")
    f.add_argument("--tag", type=_filter("tag"), help="all types: a tag the repo has, e.g. gguf, conversational")
    f.add_argument("--base-model", type=_filter("base_model"), help="models built on this one (fine-tune, quantization, "
                   "adapter, merge), e.g. meta-llama/Llama-3.1-8B")
    f.add_argument("--trained-on", type=_filter("trained_on"), help="models whose card lists this dataset")
    f.add_argument("--architecture", type=_filter("architecture"),
                   help="a model class, model type or GGUF architecture, any case: LlamaForCausalLM, qwen3_moe, llama")
    f.add_argument("--min-context", type=_filter("min_context"), help="a context length of at least this many "
                   "tokens: 32k, 128k, 8192 (from config.json with -a configs=1, else the GGUF)")
    f.add_argument("--context", type=_filter("context"), help="with --fits-gpu-gb: fits at this context, weights "
                   "plus KV cache (32k, 128k; needs the configs table of -a configs=1; see docs/fields.md)")
    return p


def _option(flag: str, parse: Callable[[str, str], Any]) -> Callable[[str], Any]:
    """An argparse type that reads a value as ``parse(name, value)`` does, its error the option's."""

    def read(text: str) -> Any:
        try:
            return parse(text.strip(), flag)
        except BadRequest as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def _window(text: str) -> int:
    from hfhub.index.growth import parse_window

    try:
        return parse_window(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
        sdk=args.sdk,
        tag=args.tag,
        base_model=args.base_model,
        trained_on=args.trained_on,
        architecture=args.architecture,
        min_context=args.min_context,
        context=args.context,
    )


def _option_name(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def _human(n: float | None, units: Sequence[tuple[float, str]]) -> str:
    if n is None:
        return "-"
    for size, suffix in units:
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(int(n))


_COUNTS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def _list(values: list[str] | None, most: int = 3) -> str:
    if not values:
        return "-"
    return ",".join(values[:most]) + (f",+{len(values) - most}" if len(values) > most else "")


def format_table(results: list, growth: Sequence[int | None] | None = None) -> str:  # list[Result], of one type
    """The results as a text table, then each one's Hub URL and what it matched on; ``growth``
    (``--sort growth``): a growth column, "-" for unknown."""
    return "\n".join([_table(results, growth), "", *_links(results)])


def _links(results: list) -> list[str]:
    lines = []
    for rank, r in enumerate(results, 1):
        lines.append(f"{rank:>2}. {r.url}")
        if r.matched_on:
            lines.append(f"    matched on {_short('; '.join(r.matched_on), 110)}")
    return lines


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _table(results: list, growth: Sequence[int | None] | None = None) -> str:
    extra = None if growth is None else ("growth", [_signed(g) for g in growth])
    if results and results[0].kind == "datasets":
        return _columns(
            ("#", "dataset", "tasks", "languages", "license", "downloads", "likes", "score"),
            [
                (r.id, _list(r.task_categories, 2), _list(r.languages), r.license or "-",
                 _human(r.downloads, _COUNTS), str(r.likes if r.likes is not None else "-"), f"{r.score:.3f}")
                for r in results
            ],
            extra,
        )  # fmt: skip
    if results and results[0].kind == "spaces":
        return _columns(
            ("#", "space", "sdk", "title", "models", "datasets", "likes", "score"),
            [
                (r.id, r.sdk or "-", (r.title or "-")[:40], str(len(r.models or [])), str(len(r.datasets or [])),
                 str(r.likes if r.likes is not None else "-"), f"{r.score:.3f}")
                for r in results
            ],
            extra,
        )  # fmt: skip
    return _model_table(results, extra)


def _signed(n: int | None) -> str:
    return "-" if n is None else f"{n:+,}"


def _columns(
    header: tuple[str, ...], rows: Sequence[tuple[str, ...]], extra: tuple[str, list[str]] | None = None
) -> str:
    table = [header, *((str(rank), *row) for rank, row in enumerate(rows, 1))]
    if extra is not None:
        table = [(*table[0], extra[0]), *((*row, value) for row, value in zip(table[1:], extra[1]))]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table)


def _model_table(results: list, extra: tuple[str, list[str]] | None = None) -> str:  # list[SearchResult]
    header = (
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
    rows: list[tuple[str, ...]] = []
    for r in results:
        size = "-" if r.weights_bytes is None else "<0.1" if 0 < r.weights_bytes < 0.05e9 else f"{r.weights_bytes / 1e9:.1f}"
        rows.append(
            (
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
    return _columns(("#", *header), rows, extra)


def _check_filters(parser: argparse.ArgumentParser, filters: SearchFilters, kinds: list[str]) -> None:
    """A filter the type (every type, for --type all) has no column for is a usage error."""
    for kind in kinds:
        try:
            check_applies(filters, kind, _option_name)
        except FilterNotApplicableError as exc:
            extra = "; with --type all, every filter must apply to all three types" if len(kinds) > 1 else ""
            parser.error(f"{exc}{extra}")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    kinds = list(TYPES.values()) if args.type == "all" else [TYPES[args.type]]
    if args.type == "all":
        for given, flag in ((args.index, "--index"), (args.dataset, "--dataset"), (args.like, "--like"),
                            (args.serve, "--serve")):  # fmt: skip
            if given:
                parser.error(f"{flag} is for one type: give --type model, dataset or space with it")
    index_dir = args.index or default_index(kinds[0], args.output)
    if args.serve:
        from hfhub.web import serve_cli

        return serve_cli(index_dir, args.host, args.port, args.dataset, kind=kinds[0], history_dir=args.history or None)
    if args.like and args.query:
        parser.error("give a query or --like ID, not both")
    if args.k < 1:
        parser.error("-k must be at least 1")
    growth_sort = args.sort == "growth"
    if not growth_sort:
        for given, flag in ((args.window, "--window"), (args.history, "--history")):
            if given is not None:
                parser.error(f"{flag} is for --sort growth")
    filters = filters_from(args)
    if filters.context is not None and filters.fits_gpu_gb is None:
        parser.error("--context says at what context --fits-gpu-gb is checked: give --fits-gpu-gb too")
    if args.like and args.sort not in ("relevance", "growth"):
        parser.error("--like orders by likeness: --sort is relevance or growth with it")
    _check_filters(parser, filters, kinds)
    from hfhub.index.searcher import ModelIndex

    ranker = None
    if growth_sort:
        from hfhub.index.growth import DEFAULT_WINDOW, GrowthRanker, parse_window, pool_size

        ranker = GrowthRanker(args.history or None)
        window = args.window or parse_window(DEFAULT_WINDOW)
    sections: list[tuple[str, str, list, list | None]] = []
    try:
        for kind in kinds:
            where = index_dir if len(kinds) == 1 else default_index(kind, args.output)
            try:
                index = ModelIndex.load(where, args.dataset, kind=kind)
            except IndexNotFoundError:
                if len(kinds) == 1:
                    raise
                print(f"hfhub-search: no index of {kind} at {where}: skipped", file=sys.stderr)
                continue
            want = args.k if ranker is None else pool_size(args.k)
            if args.like:
                results = index.like(args.like, want, filters)
            else:
                results = index.search(args.query or "", want, filters, "relevance" if growth_sort else args.sort)
            growths = None
            if ranker is not None:
                ranked, used = ranker.rank(index, results, args.k, window, args.dataset)
                results, growths = [r.result for r in ranked], [r.growth for r in ranked]
                print(f"hfhub-search: {kind}: the best {want} by relevance re-ranked by {used.describe()}",
                      file=sys.stderr)  # fmt: skip
            sections.append((kind, where, results, growths))
    except SearchError as exc:
        print(f"hfhub-search: error: {exc}", file=sys.stderr)
        return 1
    if not sections:
        print(
            f"hfhub-search: error: no index at {', '.join(default_index(k, args.output) for k in kinds)}: crawl, or build "
            "them with `hfhub-index build --type model|dataset|space`",
            file=sys.stderr,
        )
        return 1
    for kind, where, results, growths in sections:
        if args.json:
            for i, r in enumerate(results):
                row = r.to_dict() if growths is None else {**r.to_dict(), "growth": growths[i]}
                print(json.dumps(row, sort_keys=True))
        elif len(kinds) > 1:
            print(f"== {kind} ({where}): {len(results)} result{'s' if len(results) != 1 else ''} ==")
            print(format_table(results, growths) if results else f"no {SINGULAR[kind]} matches")
            print()
        elif results:
            print(format_table(results, growths))
        else:
            print(f"no {SINGULAR[kind]} matches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
