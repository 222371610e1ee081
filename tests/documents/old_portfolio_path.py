"""The portfolio's reads as they were before the published summaries (models.PortfolioRound):
rounds joined to their publications, and personal responses counted in the raw response table.
Kept here only as the reference the summaries must reproduce exactly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.documents.portfolio_export import PortfolioData
from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import FACTOR, HEALTH, LAYER
from lc_health.metrics import portfolio
from lc_health.store import communities as cstore
from lc_health.store import dashboard, ids
from lc_health.store import portfolio as pstore
from lc_health.store.models import Community, Publication, Response, Round


def _frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in session.execute(stmt).all()], columns=columns)


def _rounds(community_ids: Iterable[int] | None) -> Any:
    stmt = (
        sa_select(col(Round.id), col(Round.community_id), col(Round.period))
        .join(Community, col(Community.id) == col(Round.community_id))
        .where(col(Community.archived_at).is_(None))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    return stmt


def participation(session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    sub = _rounds(community_ids).subquery()
    stmt = sa_select(
        sub.c.community_id,
        sub.c.period,
        col(Publication.responses),
        col(Publication.forces_respondents),
    ).join(Publication, col(Publication.round_id) == sub.c.id)
    return _frame(session, stmt, ["community_id", "period", "responses", "forces_respondents"])


def instruments(session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    sub = _rounds(community_ids).subquery()
    stmt = (
        sa_select(
            sub.c.community_id,
            sub.c.period,
            col(Round.instrument_id),
            col(Round.instrument_version),
        )
        .join(Round, col(Round.id) == sub.c.id)
        .join(Publication, col(Publication.round_id) == sub.c.id)
        .where(col(Publication.responses) > 0)
    )
    return _frame(session, stmt, ["community_id", "period", "instrument_id", "instrument_version"])


def personal_responses(session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    stmt = (
        sa_select(col(Round.community_id), col(Round.period), func.count())
        .join(Response, col(Response.round_id) == col(Round.id))
        .where(col(Response.invitation_id).is_not(None))
        .group_by(col(Round.community_id), col(Round.period))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    return _frame(session, stmt, ["community_id", "period", "personal_responses"])


def read_portfolio(
    session: Session, community_ids: frozenset[int] | None, instrument: Instrument
) -> PortfolioData:
    """The old read_portfolio; the shown means from the full score sums (as tested equal to the
    narrow read in tests/store/test_portfolio_reads.py)."""
    part = participation(session, community_ids)
    sums = dashboard.portfolio_scores(
        session=session, community_ids=community_ids, scopes=[HEALTH, LAYER]
    )
    full = portfolio.community_means(portfolio.with_too_few(sums, part), 5)
    wanted = set(portfolio.trend_scores(instrument))
    shown = full[~full["suppressed"]]
    keep = [(s, k) in wanted for s, k in zip(shown["scope"], shown["key"], strict=True)]
    shown = shown[pd.Series(keep, index=shown.index, dtype=bool)]
    hidden = full[full["suppressed"] & (full["scope"] == HEALTH)]
    links = pstore.personal_links(session=session, community_ids=community_ids)
    part = part.merge(
        personal_responses(session, community_ids), on=["community_id", "period"], how="left"
    ).fillna({"personal_responses": 0})
    return PortfolioData(
        communities=cstore.communities_frame(session=session, community_ids=community_ids),
        periods=sorted(set(part.loc[part["responses"] > 0, "period"])),
        means=portfolio.shown_means(
            shown[["community_id", "period", "scope", "key", "mean"]].reset_index(drop=True)
        ),
        too_few=hidden[["community_id", "period"]].reset_index(drop=True),
        participation=portfolio.participation(part, links),
        instruments=instruments(session, community_ids),
    )


def read_period_means(
    session: Session, community_ids: frozenset[int] | None, threshold: int, period: str
) -> pd.DataFrame:
    sums = dashboard.portfolio_scores(
        session=session,
        community_ids=community_ids,
        scopes=[HEALTH, LAYER, FACTOR],
        periods=[period],
    )
    published = participation(session, community_ids)
    published = published[published["period"] == period]
    return portfolio.community_means(portfolio.with_too_few(sums, published), threshold)
