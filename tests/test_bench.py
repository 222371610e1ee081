"""The benchmark's smoke test: scale S end to end into a temporary SQLite file (no timing
assertions), and generated tallies that equal a from-scratch aggregation of the raw answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import Engine

from lc_health import db, metrics
from lc_health.bench.report import MEASURES, Report
from lc_health.bench.run import Options, run
from lc_health.instrument import Instrument
from lc_health.store import responses as rstore
from lc_health.store import tallies

ROOT = Path(__file__).resolve().parent.parent
ROUNDS_PER_COMMUNITY = 12


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    options = Options(
        scale="S", database_url=url, keep=True, reuse=False,
        surveys_dir=ROOT / "surveys", threshold=5,
    )  # fmt: skip
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


def _scratch_equal(engine: Engine, instrument: Instrument, round_id: int) -> None:
    with db.read_session(engine) as session:
        stored = tallies.tallies_snapshot(session=session, round_id=round_id)
        raw = rstore.round_answers(session=session, round_id=round_id)
    scratch = metrics.score_sums_from_answers(raw, metrics.item_map(instrument))
    got = stored["scores"].drop(columns="round_id").sort_values(["scope", "key"])
    got = got.reset_index(drop=True)
    assert len(got) == len(scratch) > 0
    assert_frame_equal(
        got, scratch.astype({"n": got["n"].dtype}), check_dtype=False, atol=1e-9, rtol=0
    )
    # Counts per answer value and per force, and the response counts: a rebuild from the raw
    # answers (through the per-submission code path) changes nothing.
    with db.write_session(engine) as session:
        tallies.rebuild_round(session=session, round_id=round_id, instrument=instrument)
    with db.read_session(engine) as session:
        rebuilt = tallies.tallies_snapshot(session=session, round_id=round_id)
    for name in ("rounds", "items", "forces"):
        keys = list(stored[name].columns[:2])
        assert_frame_equal(
            stored[name].sort_values(keys).reset_index(drop=True),
            rebuilt[name].sort_values(keys).reset_index(drop=True),
            check_dtype=False,
        )


def test_generated_tallies_equal_scratch(
    bench_run: tuple[Report, str], instrument: Instrument
) -> None:
    _, url = bench_run
    engine = db.make_engine(url)
    try:
        # The first and an old round of one community, and open (current) rounds, which also
        # hold the benchmark's own submissions.
        for round_id in (1, 57, ROUNDS_PER_COMMUNITY, 5 * ROUNDS_PER_COMMUNITY):
            _scratch_equal(engine, instrument, round_id)
    finally:
        engine.dispose()
