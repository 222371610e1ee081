"""The benchmark's smoke test: scale S end to end into a temporary SQLite file (no timing
assertions), and generated tallies that equal a from-scratch aggregation of the raw answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lc_health.bench.report import MEASURES, Report
from lc_health.bench.run import Options, run
from lc_health.domain.instrument import Instrument
from lc_health.store import db
from tests.tally_checks import assert_tallies_match_scratch

ROOT = Path(__file__).resolve().parents[2]
ROUNDS_PER_COMMUNITY = 12


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    options = Options(
        scale="S",
        database_url=url,
        keep=True,
        reuse=False,
        surveys_dir=ROOT / "surveys",
        threshold=5,
    )
    lines: list[str] = []
    return run(options, echo=lines.append), url


def test_report_has_every_row(bench_run: tuple[Report, str]) -> None:
    report, _ = bench_run
    assert [r.measure for r in report.rows] == list(MEASURES)
    for measure in MEASURES[2:9]:
        timing = report.row(measure).timing
        assert timing is not None and timing.cold is not None and timing.p50 > 0, measure
    for measure in ("submission, 1 submitter", "submission, 50 concurrent"):
        assert ", 0 errors" in report.row(measure).note, report.row(measure).note
    assert report.row("portfolio heatmap vs DuckDB").note.startswith("ratio ")
    text = report.render()
    assert all(measure in text for measure in MEASURES)


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


def test_reuse_keeps_the_database_it_reuses(bench_run: tuple[Report, str]) -> None:
    """`--reuse` without `--keep` measures the kept database again and leaves it in place."""
    from lc_health.bench.target import holds_bench_data

    _, url = bench_run
    options = Options(
        scale="S",
        database_url=url,
        keep=False,
        reuse=True,
        surveys_dir=ROOT / "surveys",
        threshold=5,
    )
    report = run(options, echo=[].append)
    assert "reused" in report.row("data generation").note
    engine = db.make_engine(url)
    try:
        assert holds_bench_data(engine)
    finally:
        engine.dispose()
