"""The check every write path's tests share: a round's tallies equal a from-scratch aggregation
of its raw answers, and rebuilding them from those answers changes nothing."""

from __future__ import annotations

from pandas.testing import assert_frame_equal
from sqlalchemy import Engine

from lc_health import metrics
from lc_health.domain.instrument import Instrument
from lc_health.store import responses as response_store
from lc_health.store import tallies
from lc_health.store.db import read_session, write_session


def assert_tallies_match_scratch(engine: Engine, instrument: Instrument, round_id: int) -> None:
    with read_session(engine) as session:
        incremental = tallies.tallies_snapshot(session=session, round_id=round_id)
        raw = response_store.round_answers(session=session, round_id=round_id)
    scratch = metrics.score_sums_from_answers(raw, metrics.item_map(instrument))
    got = (
        incremental["scores"]
        .drop(columns="round_id")
        .sort_values(["scope", "key"])
        .reset_index(drop=True)
    )
    assert len(got) == len(scratch) > 0
    assert_frame_equal(
        got, scratch.astype({"n": got["n"].dtype}), check_dtype=False, atol=1e-9, rtol=0
    )
    with write_session(engine) as session:
        tallies.rebuild_round(session=session, round_id=round_id, instrument=instrument)
    with read_session(engine) as session:
        rebuilt = tallies.tallies_snapshot(session=session, round_id=round_id)
    for name in ("rounds", "items", "forces"):
        keys = list(incremental[name].columns[:2])
        assert_frame_equal(
            incremental[name].sort_values(keys).reset_index(drop=True),
            rebuilt[name].sort_values(keys).reset_index(drop=True),
            check_dtype=False,
        )
    assert_frame_equal(
        incremental["scores"].sort_values(["scope", "key"]).reset_index(drop=True),
        rebuilt["scores"].sort_values(["scope", "key"]).reset_index(drop=True),
        check_dtype=False,
        atol=1e-9,
        rtol=0,
    )
