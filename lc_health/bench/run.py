"""`lc-health bench`: generate a portfolio of a given scale, time the dashboards, survey
submissions and the portfolio aggregation against DuckDB, and print one table."""

from __future__ import annotations

import os
import platform
import random
import resource
import sqlite3
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from lc_health.bench import duck
from lc_health.bench.generate import Generated, generate, periods
from lc_health.bench.report import Report, megabytes
from lc_health.bench.scales import SCALES, Scale
from lc_health.bench.submit import concurrent, open_rounds, sequential
from lc_health.bench.target import (
    BenchError,
    Target,
    default_url,
    holds_bench_data,
    prepare,
    size_bytes,
)
from lc_health.bench.target import drop as drop_target
from lc_health.bench.timing import cold_call, repeat, summarise
from lc_health.bench.workloads import WORKLOADS, Context, portfolio_heatmap, take_store_seconds
from lc_health.domain.instrument import Instrument, load_registry
from lc_health.domain.periods import Period
from lc_health.services.publication import refresh_portfolio_digests
from lc_health.store import db

WARM_RUNS = 200  # p99 rests on the two largest of 200 calls
WARM_UP = 2  # calls before the warm figures: they fill SQLAlchemy's and the database's caches
CONCURRENT = 50
BURSTS = 30
BASELINE_RUNS = 30
GENERATION_TARGET_S = 600


@dataclass(frozen=True)
class Options:
    scale: str
    database_url: str | None
    keep: bool
    reuse: bool
    surveys_dir: Path
    threshold: int
    warm_runs: int = WARM_RUNS
    bursts: int = BURSTS
    baseline_runs: int = BASELINE_RUNS
    # A PostgreSQL streaming replica of database_url: adds the replica row (bench.replica).
    read_database_url: str | None = None


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _engine_version(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
    return f"PostgreSQL {str(version).split()[0]}"


def _title(scale: Scale, engine: Engine) -> str:
    return (
        f"lc-health bench, scale {scale.name}: {scale.communities:,} communities x "
        f"{scale.rounds} rounds x ~{scale.respondents} respondents; {_engine_version(engine)}; "
        f"Python {platform.python_version()}; {os.cpu_count()} cores"
    )


def _generation_note(generated: Generated | None) -> str:
    if generated is None:
        return "reused an earlier benchmark database (--reuse)"
    return (
        f"{generated.seconds:.1f} s ({generated.cpu_seconds:.1f} s CPU in this process, load "
        f"{os.getloadavg()[0]:.1f} at the end): {generated.responses:,} responses, "
        f"{generated.answers:,} answers, {generated.force_marks:,} force marks "
        f"(target at XL: <= {GENERATION_TARGET_S / 60:.0f} min on 2 cores)"
    )


def _dashboards(
    report: Report, engine: Engine, url: str, ctx: Context, options: Options, communities: int
) -> None:
    """Each page's whole data path (lc_health.bench.workloads): the first call in a fresh
    process, then `warm_runs` calls, the community views on communities picked at random."""
    rng = random.Random(7)
    runs = options.warm_runs
    picks = [rng.randint(1, communities) for _ in range(runs + WARM_UP)]
    for name, workload in WORKLOADS.items():
        params = {
            "surveys_dir": str(options.surveys_dir),
            "threshold": ctx.threshold,
            "community_id": ctx.community_id,
            "period": ctx.period,
        }
        cold = cold_call(name, url, params)

        def call(run: int, workload: Callable[..., object] = workload) -> None:
            with db.read_session(engine) as session:
                workload(session, Context(ctx.instrument, ctx.threshold, picks[run], ctx.period))

        store: list[float] = []

        def measured(
            run: int, call: Callable[[int], None] = call, store: list[float] = store
        ) -> None:
            take_store_seconds()
            call(run)
            store.append(take_store_seconds())

        samples = repeat(measured, runs + WARM_UP)[WARM_UP:]
        reads = statistics.median(store[WARM_UP:])
        report.add(
            name,
            summarise(samples, cold),
            f"of p50: store reads {reads * 1000:.1f} ms, metrics "
            f"{(statistics.median(samples) - reads) * 1000:.1f} ms",
        )


def _submissions(report: Report, engine: Engine, instrument: Instrument, bursts: int) -> None:
    rounds = open_rounds(engine, Period.containing(date.today()))
    for label, result in (
        ("submission, 1 submitter", sequential(engine, instrument, rounds)),
        (
            f"submission, {CONCURRENT} at once",
            concurrent(engine, instrument, rounds, submitters=CONCURRENT, workshops=bursts),
        ),
    ):
        note = f"{result.submissions} submissions, {result.errors} errors{result.burst_note()}"
        if result.first_error:
            note += f" (first: {result.first_error[:120]})"
        report.add(label, result.timing, note)


def _replica(
    report: Report, engine: Engine, ctx: Context, instrument: Instrument, options: Options
) -> None:
    from lc_health.bench.replica import REPLICA_ROW, portfolio_during_bursts, wait_caught_up

    assert options.read_database_url is not None
    replica = db.make_engine(options.read_database_url)
    try:
        lag = wait_caught_up(engine, replica)
        rounds = open_rounds(engine, Period.containing(date.today()))
        timing, burst = portfolio_during_bursts(
            engine, replica, ctx, instrument, rounds, submitters=CONCURRENT, bursts=options.bursts
        )
    finally:
        replica.dispose()
    report.add(
        REPLICA_ROW,
        timing,
        f"while {burst.submissions} submissions ({CONCURRENT} at once) went to the primary "
        f"(p50 {burst.timing.p50 * 1000:.1f} ms, {burst.errors} errors); replica caught up "
        f"with the generated data in {lag:.1f} s",
    )


def _baselines(report: Report, engine: Engine, ctx: Context, runs: int) -> None:
    """DuckDB and Polars over the raw answers, checked equal to our heatmap; the ratios."""
    raw = duck.load_answers(engine, ctx.instrument)
    with db.read_session(engine) as session:
        heatmap = portfolio_heatmap(session, ctx)
    ours_heatmap = report.row("portfolio heatmap (part)").timing
    ours_page = report.row("portfolio page").timing
    assert ours_heatmap is not None and ours_page is not None
    for baseline in (duck.duckdb_baseline, duck.polars_baseline):
        result = baseline(raw, ctx.period, runs)
        off = duck.max_difference(heatmap, result.means)
        report.add(
            f"{result.name} baseline",
            result.heatmap,
            f"heatmap ratio ours/{result.name} {ours_heatmap.p50 / result.heatmap.p50:.2f}; "
            f"portfolio page ratio {ours_page.p50 / result.every_period.p50:.2f} against "
            f"{result.name} over every period (p50 {result.every_period.p50 * 1000:.1f} ms, "
            f"p95 {result.every_period.p95 * 1000:.1f} ms); {result.threads} threads; "
            f"{len(raw.frame):,} raw answers in time order, integer keys, loaded untimed in "
            f"{raw.load_seconds + result.load_seconds:.1f} s; largest difference from our "
            f"means {off:.1e}",
        )


def run(options: Options, *, echo: Callable[[str], None] = print) -> Report:
    """Run the whole benchmark; returns the report (also printed through echo)."""
    scale = SCALES[options.scale]
    target = Target(options.database_url or default_url(scale.name))
    instrument = load_registry(options.surveys_dir).latest()
    generated: Generated | None = None
    if options.reuse:
        engine = db.make_engine(target.url)
        if not holds_bench_data(engine):
            raise BenchError("--reuse needs a database an earlier `lc-health bench --keep` made")
        db.upgrade(engine)  # a database kept by an older version gets the newer tables
        # ... and the portfolio digests that upgrade left stale, as publishing would build
        # them (else the first timed portfolio call would build them).
        refresh_portfolio_digests(engine=engine)
    else:
        echo(f"generating scale {scale.name} into {_redact(target.url)} ...")
        engine = prepare(target)
        generated = generate(engine, target, scale, instrument)
        engine = db.make_engine(target.url)  # a SQLite load leaves the file to a new engine
    report = Report(_title(scale, engine))
    try:
        report.add("data generation", None, _generation_note(generated))
        report.add("database size", None, megabytes(size_bytes(target, engine)))
        after_generation = _peak_bytes()
        quarters = periods(scale.rounds, date.today())
        ctx = Context(instrument, options.threshold, 1, str(quarters[-2]))
        echo("timing the dashboards ...")
        _dashboards(report, engine, target.url, ctx, options, scale.communities)
        echo("timing submissions ...")
        _submissions(report, engine, instrument, options.bursts)
        if options.read_database_url:
            echo("portfolio on the read replica during bursts ...")
            _replica(report, engine, ctx, instrument, options)
        before_baselines = _peak_bytes()
        echo("DuckDB and Polars baselines ...")
        _baselines(report, engine, ctx, options.baseline_runs)
        report.add(
            "peak memory (maxrss)",
            None,
            f"{megabytes(_peak_bytes())} (after generation {megabytes(after_generation)}, "
            f"before loading the raw answers for the baselines {megabytes(before_baselines)})",
        )
    finally:
        engine.dispose()
        # A reused database is someone's kept data: only what this run generated is dropped.
        if not options.keep and not options.reuse:
            drop_target(target)
    echo(report.render())
    return report


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
