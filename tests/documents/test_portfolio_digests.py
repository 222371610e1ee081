"""The portfolio read from the periods' digests (store.portfolio_digests) gives exactly what the
row-by-row reads of the published figures give (store.dashboard, kept as the reference): the
whole PortfolioData, every period's means and the force totals, on random portfolios (rounds
below the threshold, empty rounds, an archived community) for random community filters; built
lazily, kept, and marked stale by a later publication in the same period, so that a kept
digest never shows figures that changed. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from lc_health.documents import portfolio_export
from lc_health.domain.instrument import Instrument, Registry
from lc_health.metrics import portfolio
from lc_health.store import dashboard
from lc_health.store import portfolio as pstore
from lc_health.store import portfolio_digests as digests
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Community
from tests.documents.test_portfolio_summaries import PERIODS, _answers, _portfolio, _same
from tests.publishing import answer, make, publish


def _reference(
    engine: Engine, instrument: Instrument, chosen: frozenset[int] | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    """means, too_few, participation, instruments and per period the means, as the reads of
    the published rows give them (the path before the digests)."""
    with read_session(engine) as session:
        rounds = dashboard.portfolio_rounds(session=session, community_ids=chosen)
        means, too_few = dashboard.portfolio_shown_means(
            session=session,
            community_ids=chosen,
            scores=portfolio.trend_scores(instrument),
            rounds=rounds,
        )
        part = rounds[list(portfolio_export.PARTICIPATION)].reset_index(drop=True)
        links = pstore.personal_links(session=session, community_ids=chosen)
        instruments = rounds.loc[rounds["responses"] > 0, list(portfolio_export.INSTRUMENTS)]
        period_means = []
        for period in PERIODS:
            sums = dashboard.portfolio_scores(
                session=session,
                community_ids=chosen,
                scopes=["health", "layer", "factor"],
                periods=[period],
            )
            published = dashboard.portfolio_participation(
                session=session, community_ids=chosen, periods=[period]
            )
            period_means.append(
                portfolio.community_means(portfolio.with_too_few(sums, published), 5)
            )
    return (
        portfolio.shown_means(means),
        too_few,
        portfolio.participation(part, links),
        instruments.reset_index(drop=True),
        period_means,
    )


def _check(engine: Engine, instrument: Instrument, chosen: frozenset[int] | None) -> None:
    means, too_few, participation, instruments, period_means = _reference(
        engine, instrument, chosen
    )
    with read_session(engine) as session:
        data = portfolio_export.read_portfolio(session, chosen, instrument)
        _same(data.means, means)
        _same(data.too_few, too_few)
        _same(data.participation, participation)
        _same(data.instruments, instruments)
        for period, want in zip(PERIODS, period_means, strict=True):
            _same(portfolio_export.read_period_means(session, chosen, 5, period), want)
        ids = frozenset(int(c) for c in data.communities["community_id"])
        for periods in (PERIODS, PERIODS[1:], PERIODS[:1]):
            got = portfolio_export.read_force_totals(session, ids, periods)
            ref = dashboard.portfolio_force_totals(
                session=session, community_ids=ids, periods=periods
            )
            for g, r in zip(got, ref, strict=True):
                _same(g, r)


def _filters(ids: list[int], rng: random.Random) -> list[frozenset[int] | None]:
    return [
        None,
        frozenset(),
        frozenset(ids),
        *(frozenset(rng.sample(ids, rng.randint(1, len(ids)))) for _ in range(3)),
    ]


def _stale(engine: Engine) -> int:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM portfoliodigest WHERE data IS NULL"))
        return int(found.scalar_one())


@pytest.mark.parametrize("seed", [21, 22])
def test_digests_give_what_the_published_rows_give(
    engine: Engine, registry: Registry, instrument: Instrument, seed: int
) -> None:
    rng = random.Random(seed)
    ids = _portfolio(engine, instrument, seed)
    publish(engine, registry)
    assert _stale(engine) > 0  # publishing marked the periods stale
    for chosen in _filters(ids, rng):
        _check(engine, instrument, chosen)
    assert _stale(engine) == 0  # the reads built and kept every digest
    # A later publication in a period already digested: a new community's round, and the
    # archived community back in view.
    with write_session(engine) as session:
        rnd = make(
            session,
            instrument,
            personal=0,
            open_link=True,
            period=PERIODS[1],
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 3, 28),
            name=f"Late community {seed}",
        )
        for _ in range(rng.randint(3, 9)):
            answer(session, instrument, rnd, _answers(instrument, rng), submitted_at=None)
        archived = session.get(Community, ids[-1])
        assert archived is not None
        archived.archived_at = None
        ids.append(rnd.community_id)
    publish(engine, registry)
    assert _stale(engine) > 0  # the period's digest is stale again
    for chosen in _filters(ids, rng):
        _check(engine, instrument, chosen)


def test_rebuild_writes_what_a_read_builds(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    _portfolio(engine, instrument, 7)
    publish(engine, registry)
    with read_session(engine) as session:
        lazily = digests.read_digests(session=session, part="scores").built
    with write_session(engine) as session:
        digests.rebuild_portfolio_digests(session=session)
    assert _stale(engine) == 0
    with read_session(engine) as session:
        kept = digests.read_digests(session=session, part="scores")
    assert not kept.built
    assert sorted(kept.digests) == sorted(lazily)
    for period, parts in kept.digests.items():
        for name, arrays in parts.items():
            want = digests.unpack(lazily[period][name])
            assert sorted(arrays) == sorted(want)
            for key, array in arrays.items():
                assert array.dtype == want[key].dtype
                assert (array == want[key]).all()


def test_pack_keeps_every_array_exactly() -> None:
    import numpy as np

    arrays = {
        "ids": np.array([3, -1, 2**40], dtype=">i8"),
        "means": np.array([[1.5, np.nan], [2.0, 4.25]]),
        "present": np.array([True, False]),
        "keys": np.array(["health", "1", ""]),
        "empty": np.zeros((0, 3)),
    }
    got = digests.unpack(digests.pack(arrays))
    assert list(got) == list(arrays)
    for name, array in arrays.items():
        assert got[name].shape == array.shape
        assert np.array_equal(got[name], array, equal_nan=array.dtype.kind == "f")
    with pytest.raises(ValueError):
        digests.unpack(b"PK\x03\x04 not a digest")


def test_publishing_through_the_service_leaves_no_period_stale(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    from lc_health.runtime.config import Settings
    from lc_health.services.publication import publish_due

    ids = _portfolio(engine, instrument, 9)
    outcomes = publish_due(
        engine=engine, registry=registry, settings=Settings(), today=date(2026, 12, 1)
    )
    assert outcomes
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM portfoliodigest WHERE data IS NOT NULL"))
        assert int(kept.scalar_one()) > 0
    assert _stale(engine) == 0
    _check(engine, instrument, frozenset(ids))


@pytest.mark.parametrize("rows", [0, 1, 7, 500])
def test_spread_over_time_is_pandas_quantiles(rows: int) -> None:
    """The partitioned quartiles are pandas' linear quantiles, for empty and tiny groups too."""
    import numpy as np

    rng = np.random.default_rng(rows)
    means = pd.DataFrame(
        {
            "period": rng.choice(["2025-Q4", "2026-Q1", "2026-Q2"], rows),
            "scope": rng.choice(["health", "layer"], rows),
            "key": rng.choice(["", "a", "b"], rows),
            "mean": rng.uniform(1, 5, rows).round(rng.integers(1, 4)),
            "suppressed": rng.random(rows) < 0.2,
        }
    )
    got = portfolio.spread_over_time(means, "layer")
    shown = means[(means["scope"] == "layer") & ~means["suppressed"]]
    grouped = shown.groupby(["period", "key"])["mean"]
    assert len(got) == grouped.ngroups
    for row in got.itertuples():
        values = shown[(shown["period"] == row.period) & (shown["key"] == row.key)]["mean"]
        assert row.communities == len(values)
        assert row.median == values.quantile(0.5)
        assert row.q1 == values.quantile(0.25)
        assert row.q3 == values.quantile(0.75)
