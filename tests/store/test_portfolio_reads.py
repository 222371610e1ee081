"""The portfolio's narrow reads and fast statistics give exactly what the plain way gives: the
trend read (through the score index, PostgreSQL's binary arrays, NumPy) against every
community's full score sums summarised in pandas, on SQLite and PostgreSQL, for the whole
portfolio and for a chosen part of it; and the NumPy median and quartiles against pandas'."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from lc_health.domain.instrument import Instrument, load_registry
from lc_health.metrics import portfolio
from lc_health.store import communities as cstore
from lc_health.store import dashboard
from lc_health.store import responses as response_store
from lc_health.store.db import read_session, write_session
from lc_health.store.rounds import create_round
from tests.factories import make_community, make_response_in
from tests.publishing import publish

THRESHOLD = 5
PERIODS = ("2025-Q4", "2026-Q1", "2026-Q2")


def _portfolio(engine: Engine, instrument: Instrument, seed: int) -> list[int]:
    """Eight communities over three quarters, 0 to 9 respondents a round (so some rounds are
    empty and some below the threshold); the last community is archived."""
    rng = random.Random(seed)
    ids: list[int] = []
    with write_session(engine) as session:
        for _ in range(8):
            community = make_community(session)
            assert community.id is not None
            ids.append(community.id)
            for period in PERIODS:
                if rng.random() < 0.15:
                    continue  # no round this quarter
                year, quarter = int(period[:4]), int(period[-1])
                rnd = create_round(
                    session=session,
                    community_id=community.id,
                    period=period,
                    opens_on=date(year, 3 * quarter - 2, 1),
                    closes_on=date(year, 3 * quarter, 28),
                    instrument_id=instrument.id,
                    instrument_version=instrument.version,
                )
                assert rnd.id is not None
                for _ in range(rng.choice([0, 2, 4, 5, 6, 9])):
                    response_store.save_response(
                        session=session,
                        instrument=instrument,
                        response_in=make_response_in(instrument, round_id=rnd.id, rng=rng),
                    )
        cstore.set_archived(session=session, community_id=ids[-1], archived=True)
    publish(engine, load_registry())  # every round has closed
    return ids


def _plain(engine: Engine, community_ids: list[int] | None) -> pd.DataFrame:
    with read_session(engine) as session:
        sums = dashboard.portfolio_scores(
            session=session, community_ids=community_ids, scopes=["health", "layer"]
        )
        published = dashboard.portfolio_participation(session=session, community_ids=community_ids)
    return portfolio.community_means(portfolio.with_too_few(sums, published), THRESHOLD)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_trend_read_equals_the_plain_summary(
    engine: Engine, instrument: Instrument, seed: int
) -> None:
    ids = _portfolio(engine, instrument, seed)
    for chosen in (None, ids[:3], ids[-2:]):
        full = _plain(engine, chosen)
        with read_session(engine) as session:
            shown, too_few = dashboard.portfolio_shown_means(
                session=session, community_ids=chosen, scores=portfolio.trend_scores(instrument)
            )
        narrow = portfolio.shown_means(shown)
        expected = full[~full["suppressed"]]
        columns = ["community_id", "period", "scope", "key", "mean"]
        got = narrow[columns].sort_values(columns[:4]).reset_index(drop=True)
        want = expected[columns].sort_values(columns[:4]).reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-12, rtol=0)
        assert ids[-1] not in set(got["community_id"])  # archived
        for scope in ("health", "layer"):
            pd.testing.assert_frame_equal(
                portfolio.spread_over_time(narrow, scope),
                portfolio.spread_over_time(full, scope),
                atol=1e-12,
                rtol=0,
            )
        pd.testing.assert_frame_equal(
            portfolio.bands_over_time(narrow, too_few), portfolio.bands_over_time(full)
        )
        hidden = full[full["suppressed"] & (full["scope"] == "health")]
        assert sorted(map(tuple, too_few.values.tolist())) == sorted(
            map(tuple, hidden[["community_id", "period"]].values.tolist())
        )


@pytest.mark.parametrize("seed", range(6))
def test_numpy_quartiles_equal_pandas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for period in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"):
        for key in ("individual", "organisation", "community"):
            for _ in range(int(rng.integers(1, 9))):  # groups of one and two included
                rows.append((period, key, float(rng.uniform(1, 5)), bool(rng.random() < 0.2)))
    means = pd.DataFrame(rows, columns=["period", "key", "mean", "suppressed"])
    means["scope"] = "layer"
    means.loc[means.index[::7], "scope"] = "factor"  # other scopes are left out
    got = portfolio.spread_over_time(means, "layer")
    kept = means[(means["scope"] == "layer") & ~means["suppressed"]]
    grouped = kept.groupby(["period", "key"])["mean"]
    want = pd.DataFrame(
        {
            "communities": grouped.size(),
            "median": grouped.median(),
            "q1": grouped.quantile(0.25),
            "q3": grouped.quantile(0.75),
        }
    ).reset_index()
    pd.testing.assert_frame_equal(got, want, atol=1e-12, rtol=0)
