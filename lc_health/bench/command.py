"""The `lc-health bench` command: its arguments come from lc_health.runtime.cli."""

from __future__ import annotations

import argparse
import sys

from lc_health.bench.target import BenchError
from lc_health.runtime.bootstrap import load_settings


def run_command(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        if getattr(args, "live", False):
            from lc_health.bench.live import run_live

            run_live(args.database_url, args.phones, tied=getattr(args, "tied", False))
            return 0
        if args.pages:
            from lc_health.bench.pages import PageOptions, run_pages

            run_pages(PageOptions(scale=args.scale, database_url=args.database_url))
            return 0
        from lc_health.bench.run import Options, run

        run(
            Options(
                scale=args.scale,
                database_url=args.database_url,
                keep=args.keep,
                reuse=args.reuse,
                surveys_dir=settings.surveys_dir,
                threshold=settings.anonymity_threshold,
                warm_runs=args.warm_runs,
                bursts=args.bursts,
                baseline_runs=args.baseline_runs,
                read_database_url=args.read_database_url,
            )
        )
    except BenchError as exc:
        print(f"lc-health bench: {exc}", file=sys.stderr)
        return 1
    return 0
