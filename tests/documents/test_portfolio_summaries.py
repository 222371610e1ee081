"""The portfolio read from the published summaries (models.PortfolioRound) gives exactly what the
old path gave (tests/documents/old_portfolio_path.py: rounds joined to their publications and
personal responses counted in the raw table): the whole PortfolioData, the period means and the
force totals, on random portfolios with personal links, open links and paper, rounds below the
threshold, empty rounds and an archived community, for several community filters; on SQLite
and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, delete
from sqlmodel import col, select

from lc_health.documents import portfolio_export
from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument, Registry
from lc_health.store import communities as cstore
from lc_health.store import portfolio_summaries
from lc_health.store.db import read_session, write_session
from lc_health.store.models import PortfolioRound
from tests.documents import old_portfolio_path as old
from tests.publishing import answer, make, publish

PERIODS = ("2025-Q4", "2026-Q1", "2026-Q2")


def _answers(instrument: Instrument, rng: random.Random) -> dict[str, int | None]:
    return {i.id: rng.choice([1, 2, 3, 4, 5, None]) for i in instrument.items}


def _portfolio(engine: Engine, instrument: Instrument, seed: int) -> list[int]:
    rng = random.Random(seed)
    community_ids: list[int] = []
    forces = [f.id for f in instrument.forces]
    with write_session(engine) as session:
        for c in range(rng.randint(4, 7)):
            links: list[int] = []
            community_id: int | None = None
            for period in PERIODS:
                if rng.random() < 0.15:
                    continue  # no round this quarter
                year, quarter = int(period[:4]), int(period[-1])
                rnd = make(
                    session,
                    instrument,
                    personal=0 if links else rng.choice([0, 6, 9]),
                    links=links,
                    open_link=True,
                    community_id=community_id,
                    period=period,
                    opens_on=date(year, 3 * quarter - 2, 1),
                    closes_on=date(year, 3 * quarter, 28),
                    name=f"Community {seed}-{c}",
                )
                community_id, links = rnd.community_id, rnd.links
                people = [
                    *rng.sample(links, rng.randint(0, len(links))),
                    *[None] * rng.randint(0, 5),
                ]
                for link in people:
                    answer(
                        session,
                        instrument,
                        rnd,
                        _answers(instrument, rng),
                        link=link,
                        source=rng.choice([Source.web, Source.web, Source.paper])
                        if link is None
                        else Source.web,
                        forces=frozenset(rng.sample(forces, rng.randint(0, 4))),
                        submitted_at=None,
                    )
            if community_id is not None:
                community_ids.append(community_id)
        cstore.set_archived(session=session, community_id=community_ids[-1], archived=True)
    return community_ids


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = list(frame.columns)
    out = frame.sort_values(columns, kind="stable").reset_index(drop=True)
    numbers = {c: "float64" for c in columns if out[c].dtype.kind in "iuf"}
    for c in columns:  # a frame built from no rows plus a few has numbers as objects
        if out[c].dtype == object and out[c].map(lambda v: isinstance(v, int)).all():
            numbers[c] = "float64"
    texts = {c: object for c in columns if c not in numbers and out[c].dtype.kind not in "b"}
    return out.astype(numbers | texts)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert sorted(got.columns) == sorted(want.columns)
    assert len(got) == len(want)
    if len(got):  # (an empty frame's column types depend on the driver)
        columns = sorted(got.columns)
        pd.testing.assert_frame_equal(_sorted(got[columns]), _sorted(want[columns]))


def _check(engine: Engine, instrument: Instrument, chosen: frozenset[int] | None) -> None:
    with read_session(engine) as session:
        new = portfolio_export.read_portfolio(session, chosen, instrument)
        ref = old.read_portfolio(session, chosen, instrument)
        assert new.periods == ref.periods
        for name in ("communities", "means", "too_few", "participation", "instruments"):
            _same(getattr(new, name), getattr(ref, name))
        for period in new.periods:
            _same(
                portfolio_export.read_period_means(session, chosen, 5, period),
                old.read_period_means(session, chosen, 5, period),
            )
        ids = frozenset(int(c) for c in new.communities["community_id"])
        totals = portfolio_export.read_force_totals(session, ids, tuple(new.periods))
        assert (sum(len(t) for t in totals) > 0) == (len(new.means) > 0)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_summaries_give_what_the_old_path_gave(
    engine: Engine, registry: Registry, instrument: Instrument, seed: int
) -> None:
    ids = _portfolio(engine, instrument, seed)
    publish(engine, registry)
    for chosen in (None, frozenset(ids[:2]), frozenset(ids[-2:]), frozenset()):
        _check(engine, instrument, chosen)


def test_rebuild_writes_what_publishing_wrote(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    _portfolio(engine, instrument, 5)
    publish(engine, registry)

    def rows() -> list[tuple[object, ...]]:
        with read_session(engine) as session:
            found = session.exec(select(PortfolioRound).order_by(col(PortfolioRound.round_id)))
            return [tuple(getattr(r, c) for c in portfolio_summaries.COLUMNS) for r in found]

    written = rows()
    assert written
    assert any(r[-1] for r in written)  # some responses came through personal links
    with write_session(engine) as session:
        session.execute(delete(PortfolioRound))
        portfolio_summaries.rebuild_portfolio_summaries(session=session)
    assert rows() == written
    with write_session(engine) as session:
        session.execute(delete(PortfolioRound))
        portfolio_summaries.rebuild_portfolio_summaries(
            session=session, round_ids=[r[0] for r in written[::2] if isinstance(r[0], int)]
        )
    assert rows() == written[::2]
