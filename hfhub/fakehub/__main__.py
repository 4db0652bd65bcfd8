"""``python -m hfhub.fakehub --port 0 --models 20000 [--datasets D --spaces S] --seed 1 [knobs]``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from hfhub.fakehub.faults import LINK_FAULTS, FaultConfig, Quota
from hfhub.fakehub.server import ServerConfig, serve

logger = logging.getLogger("hfhub.fakehub")


def _share(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m hfhub.fakehub",
        description="A local fake of the Hub API: /api/models, /api/datasets and /api/spaces (lists with "
                    "keyset cursors, details), model and dataset cards, faults, churn, mutations and simulated days.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--models", type=int, default=20000)
    p.add_argument("--datasets", type=int, default=None, metavar="D",
                   help="generated datasets (default: models // 2; none when serving recorded records)")
    p.add_argument("--spaces", type=int, default=None, metavar="S",
                   help="generated Spaces (default: models // 2; none when serving recorded records)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-page-size", type=int, default=1000, help="cap on `limit`, and the default page size")
    p.add_argument("--cache-mb", type=int, default=256,
                   help="memory budget for encoded list entries (0 disables the cache)")
    p.add_argument("--rate-limit", type=Quota.parse, metavar="Q/W", help='"api" bucket: Q requests per W s')
    p.add_argument("--rate-limit-resolvers", type=Quota.parse, metavar="Q/W",
                   help='"resolvers" bucket (README downloads); default 6x the api quota')
    p.add_argument("--fault-429", type=_share, default=0.0, metavar="P")
    p.add_argument("--fault-5xx", type=_share, default=0.0, metavar="P")
    p.add_argument("--fault-malformed", type=_share, default=0.0, metavar="P")
    p.add_argument("--fault-drop", type=_share, default=0.0, metavar="P")
    p.add_argument("--slow-ms", type=int, default=0, metavar="MS")
    p.add_argument("--churn", type=int, default=0, metavar="K",
                   help="touch K repos after each list page, of the kind the page listed")
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument("--outage-s", type=float, default=0.0, metavar="S",
                   help="after the first API request, answer every API request with 503 for S seconds")
    p.add_argument("--link-fault", choices=LINK_FAULTS, help="send this hostile next-page link on every page")
    p.add_argument("--records", action="append", default=[], metavar="FILE",
                   help="serve these recorded real records (JSON lines of {source, record}, e.g. "
                        "tests/data/real_hub/*.jsonl) at /api/models instead of generated models; repeatable")
    p.add_argument("--cards", action="append", default=[], metavar="FILE",
                   help="real card texts of the recorded models (JSON lines of {id, text}, e.g. "
                        "tests/data/real_hub/cards/cards.jsonl), served as their README; repeatable")
    p.add_argument("--dataset-records", action="append", default=[], metavar="FILE",
                   help="serve these recorded real dataset records at /api/datasets; repeatable")
    p.add_argument("--space-records", action="append", default=[], metavar="FILE",
                   help="serve these recorded real Space records at /api/spaces; repeatable")
    p.add_argument("--start-days", type=int, default=0, metavar="D",
                   help="advance the fake's time D days at start-up (POST /_fake/advance does it later)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    return p


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    faults = FaultConfig(
        rate_limit=args.rate_limit, rate_limit_resolvers=args.rate_limit_resolvers,
        fault_429=args.fault_429, fault_5xx=args.fault_5xx, fault_malformed=args.fault_malformed,
        fault_drop=args.fault_drop, slow_ms=args.slow_ms, churn=args.churn, fault_seed=args.fault_seed,
        link=args.link_fault, outage_s=args.outage_s,
    )
    if args.cards and not args.records:
        raise SystemExit("--cards goes with --records: it gives the cards of recorded models")
    if args.records and args.churn:
        raise SystemExit("--churn needs a generated corpus: recorded records do not change")
    if args.start_days < 0:
        raise SystemExit("--start-days must be >= 0")
    return ServerConfig(models=args.models, seed=args.seed, host=args.host, port=args.port,
                        max_page_size=args.max_page_size, cache_mb=args.cache_mb, faults=faults,
                        records=tuple(args.records), cards=tuple(args.cards), datasets=args.datasets, spaces=args.spaces,
                        dataset_records=tuple(args.dataset_records), space_records=tuple(args.space_records),
                        start_days=args.start_days)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    hub = serve(config_from_args(args))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    config = hub.config
    what = ", ".join(
        f"{hub.size(kind)} recorded real {kind}" if config.records_of(kind) else f"{config.size_of(kind)} {kind}"
        for kind in ("models", "datasets", "spaces")
    ) + f", seed {args.seed}" + (f", day {args.start_days}" if args.start_days else "")
    print(f"hfhub-fakehub listening on {hub.url} ({what})", flush=True)
    stop.wait()
    logger.info("stopping")
    hub.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
