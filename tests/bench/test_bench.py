"""The benchmark's smoke test: scale S end to end into a temporary SQLite file with small sample
counts (no timing assertions), the baselines' results equal to ours, the command's sample
counts, and generated tallies that equal a from-scratch aggregation of the raw answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lc_health.bench import duck
from lc_health.bench.report import MEASURES, PAGE_ROWS, Report
from lc_health.bench.run import Options, run
from lc_health.bench.workloads import Context, portfolio_heatmap
from lc_health.domain.instrument import Instrument
from lc_health.store import db
from tests.tally_checks import assert_tallies_match_scratch

ROOT = Path(__file__).resolve().parents[2]
ROUNDS_PER_COMMUNITY = 12
SMALL = {"warm_runs": 5, "bursts": 3, "baseline_runs": 3}


def _options(url: str, *, keep: bool, reuse: bool) -> Options:
    return Options(
        scale="S",
        database_url=url,
        keep=keep,
        reuse=reuse,
        surveys_dir=ROOT / "surveys",
        threshold=5,
        **SMALL,
    )


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    lines: list[str] = []
    return run(_options(url, keep=True, reuse=False), echo=lines.append), url


def test_report_has_every_row(bench_run: tuple[Report, str]) -> None:
    report, _ = bench_run
    assert [r.measure for r in report.rows] == list(MEASURES)
    for measure in PAGE_ROWS:
        timing = report.row(measure).timing
        assert timing is not None and timing.cold is not None and timing.p50 > 0, measure
        assert timing.start is not None and timing.start > 0, measure
        assert timing.runs == SMALL["warm_runs"] and timing.p50 <= timing.p95 <= timing.p99
    for measure in ("submission, 1 submitter", "submission, 50 at once"):
        assert ", 0 errors" in report.row(measure).note, report.row(measure).note
    bursts = report.row("submission, 50 at once").note
    assert "3 bursts: " in bursts and "(target >= 95%)" in bursts, bursts
    # The worst burst is explained: its own figures and what ran beside it.
    assert " UTC: p50 " in bursts and " group commits (~" in bursts, bursts
    assert " checkpoints, " in bursts and " Python GC runs (" in bursts, bursts
    for measure in ("DuckDB baseline", "Polars baseline"):
        note = report.row(measure).note
        assert note.startswith("heatmap ratio ") and "portfolio page ratio" in note, note
        assert " threads;" in note and "largest difference from our means" in note
    text = report.render()
    assert all(measure in text for measure in MEASURES)


def test_baselines_give_our_figures(bench_run: tuple[Report, str], instrument: Instrument) -> None:
    """DuckDB and Polars, over the raw answers in time order, find the heatmap's numbers."""
    _, url = bench_run
    engine = db.make_engine(url)
    try:
        raw = duck.load_answers(engine, instrument)
        period = raw.periods[-2]  # the latest closed period, as the benchmark's
        with db.read_session(engine) as session:
            ours = portfolio_heatmap(session, Context(instrument, 5, 1, period))
    finally:
        engine.dispose()
    assert raw.frame["period"].is_monotonic_increasing  # filled as a real database fills
    assert str(raw.frame["item"].dtype) == "int16" and (raw.frame["item"] >= 0).all()
    assert len(ours) and not ours["suppressed"].all()
    for baseline in (duck.duckdb_baseline, duck.polars_baseline):
        result = baseline(raw, period, 1)
        assert result.threads >= 1
        assert duck.max_difference(ours, result.means) < 1e-9, result.name


def test_command_defaults_meet_the_sample_counts() -> None:
    """The command's defaults: 200 warm calls per row, 30 bursts of 50 submissions."""
    from lc_health.bench.run import CONCURRENT
    from lc_health.runtime.cli import build_parser

    args = build_parser().parse_args(["bench"])
    assert args.warm_runs >= 200 and args.bursts >= 30 and CONCURRENT == 50


def test_generated_tallies_equal_scratch(
    bench_run: tuple[Report, str], instrument: Instrument
) -> None:
    _, url = bench_run
    engine = db.make_engine(url)
    try:
        # The first and an old round of one community, and open (current) rounds, which also
        # hold the benchmark's own submissions.
        for round_id in (1, 57, ROUNDS_PER_COMMUNITY, 5 * ROUNDS_PER_COMMUNITY):
            assert_tallies_match_scratch(engine, instrument, round_id)
    finally:
        engine.dispose()


def test_generated_rounds_have_their_portfolio_summaries(bench_run: tuple[Report, str]) -> None:
    """The bulk load leaves every published round with its summary, as publishing does."""
    from sqlalchemy import text

    from lc_health.store.portfolio_summaries import COLUMNS, rebuild_portfolio_summaries

    _, url = bench_run
    engine = db.make_engine(url)
    query = text(f"SELECT {', '.join(COLUMNS)} FROM portfolioround ORDER BY round_id")
    try:
        with engine.connect() as conn:
            loaded = conn.execute(query).all()
            published = conn.execute(text("SELECT count(*) FROM publication")).scalar_one()
        assert len(loaded) == published > 0
        with db.write_session(engine) as session:
            rebuild_portfolio_summaries(session=session)
        with engine.connect() as conn:
            assert conn.execute(query).all() == loaded
    finally:
        engine.dispose()


def test_reuse_keeps_the_database_it_reuses(bench_run: tuple[Report, str]) -> None:
    """`--reuse` without `--keep` measures the kept database again and leaves it in place."""
    from lc_health.bench.target import holds_bench_data

    _, url = bench_run
    lines: list[str] = []
    report = run(_options(url, keep=False, reuse=True), echo=lines.append)
    assert "reused" in report.row("data generation").note
    engine = db.make_engine(url)
    try:
        assert holds_bench_data(engine)
    finally:
        engine.dispose()


def _indexes(url: str) -> set[tuple[str, str | None]]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            ).all()
    finally:
        engine.dispose()
    return {(str(name), sql) for name, sql in rows}


def test_generation_leaves_the_migrated_indexes(
    bench_run: tuple[Report, str], tmp_path: Path
) -> None:
    """The loader drops the bulk tables' secondary indexes for the load: every one is back,
    as the migrations define it, and the journal is the app's WAL again."""
    from lc_health.bench.target import Target, prepare

    _, url = bench_run
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    prepare(Target(fresh)).dispose()
    assert _indexes(url) == _indexes(fresh)
    assert any(name == "ix_scoretally_scope_key" for name, _ in _indexes(url))
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        engine.dispose()


def test_scales_grow_tenfold_to_xl() -> None:
    from lc_health.bench.scales import SCALES
    from lc_health.runtime.cli import build_parser

    assert [(s.name, s.communities) for s in SCALES.values()] == [
        ("S", 10),
        ("M", 100),
        ("L", 1000),
        ("XL", 10_000),
    ]
    assert build_parser().parse_args(["bench", "--scale", "XL"]).scale == "XL"
