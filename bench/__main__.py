"""`python -m bench`: run the load scenarios and print what they measured."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench import analysis_speed, ingest, insights, post_page, search
from bench.servers import ROOT, BenchError
from bench.wrk import WrkError

SCENARIOS = {
    post_page.NAME: post_page,
    analysis_speed.NAME: analysis_speed,
    ingest.NAME: ingest,
    search.NAME: search,
    insights.NAME: insights,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scenario", choices=["all", *SCENARIOS], default="all", help="default: all"
    )
    parser.add_argument("--duration", type=float, default=8, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--rounds", type=int, default=1, help="repeat the runs, interleaved; report the median"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (as run)")
    parser.add_argument("--comments", type=int, default=100, help="comments on the post")
    parser.add_argument(
        "--gunicorn-arg",
        action="append",
        metavar="ARG",
        help="extra gunicorn argument for experiments, e.g. --gunicorn-arg=--preload",
    )
    parser.add_argument("--mentions", type=int, default=20_000, help="mentions in the ingest file")
    parser.add_argument(
        "--search-messages",
        type=int,
        default=1_000_000,
        help="messages in the search database (built once under var/bench/, then reused)",
    )
    parser.add_argument(
        "--search-rounds", type=int, default=10, help="rounds of the search queries, interleaved"
    )
    parser.add_argument(
        "--search-dir",
        type=Path,
        default=ROOT / "var" / "bench",
        help="where the search database is kept",
    )
    parser.add_argument(
        "--insights-messages",
        type=int,
        default=1_000_000,
        help="customer messages in the insights database (built once under var/bench/)",
    )
    parser.add_argument(
        "--insights-rounds", type=int, default=20, help="rounds of the widgets on the rollups"
    )
    parser.add_argument(
        "--insights-raw-rounds",
        type=int,
        default=3,
        help="of those rounds, how many also run the raw aggregates (seconds each)",
    )
    parser.add_argument(
        "--insights-dir",
        type=Path,
        default=ROOT / "var" / "bench",
        help="where the insights database is kept",
    )
    parser.add_argument(
        "--output-dir", type=Path, default=ROOT / "var" / "bench", help="where JSON goes"
    )
    args = parser.parse_args(argv)
    if (
        min(args.duration, args.connections, args.threads, args.workers, args.rounds, args.mentions)
        < 1
    ):
        parser.error(
            "--duration, --connections, --threads, --workers, --rounds, --mentions: at least 1"
        )
    if args.search_messages < 100 or args.search_rounds < 1:
        parser.error("--search-messages: at least 100; --search-rounds: at least 1")
    if args.insights_messages < 100 or min(args.insights_rounds, args.insights_raw_rounds) < 1:
        parser.error("--insights-messages: at least 100; --insights-*rounds: at least 1")
    if args.insights_raw_rounds > args.insights_rounds:
        parser.error("--insights-raw-rounds: at most --insights-rounds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    failed = False
    for name in names:
        try:
            results = SCENARIOS[name].run(args)
        except (BenchError, WrkError, subprocess.SubprocessError, OSError) as exc:
            print(f"bench {name}: {exc}", file=sys.stderr)
            failed = True
            continue
        except KeyboardInterrupt:
            print(f"\nbench {name}: interrupted; its servers are stopped.", file=sys.stderr)
            return 130
        print()
        print(SCENARIOS[name].report(results))
        args.output_dir.mkdir(parents=True, exist_ok=True)
        out = args.output_dir / f"{name}.json"
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"\nResults written to {out}")
        failed = failed or bool(results["errors"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
