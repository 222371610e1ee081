"""Communities, organisations and their membership, portfolios, and rounds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from lc_health.models import (
    Community,
    Membership,
    Organisation,
    Portfolio,
    PortfolioCommunity,
    Round,
    RoundTally,
)

COMMUNITY_COLUMNS = ("community_id", "name", "sector", "region", "phase", "is_demo", "archived")
ROUND_COLUMNS = (
    "round_id",
    "community_id",
    "period",
    "opens_on",
    "closes_on",
    "closed_manually",
    "instrument_id",
    "instrument_version",
    "responses",
)


def create_community(
    *,
    session: Session,
    name: str,
    sector: str = "",
    region: str = "",
    phase: str = "",
    description: str = "",
    contact: str = "",
    is_demo: bool = False,
) -> Community:
    row = Community(
        name=name.strip(),
        sector=sector.strip(),
        region=region.strip(),
        phase=phase.strip(),
        description=description.strip(),
        contact=contact.strip(),
        is_demo=is_demo,
    )
    session.add(row)
    session.flush()
    return row


def create_organisation(*, session: Session, name: str, type: str) -> Organisation:
    row = Organisation(name=name.strip(), type=type)
    session.add(row)
    session.flush()
    return row


def add_member(*, session: Session, community_id: int, organisation_id: int) -> None:
    if session.get(Membership, (community_id, organisation_id)) is None:
        session.add(Membership(community_id=community_id, organisation_id=organisation_id))
        session.flush()


def create_portfolio(*, session: Session, name: str, community_ids: Iterable[int]) -> Portfolio:
    row = Portfolio(name=name.strip())
    session.add(row)
    session.flush()
    assert row.id is not None
    for cid in sorted(set(community_ids)):
        session.add(PortfolioCommunity(portfolio_id=row.id, community_id=cid))
    session.flush()
    return row


def create_round(
    *,
    session: Session,
    community_id: int,
    period: str,
    opens_on: date,
    closes_on: date,
    instrument_id: str,
    instrument_version: int,
) -> Round:
    row = Round(
        community_id=community_id,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        instrument_id=instrument_id,
        instrument_version=instrument_version,
    )
    session.add(row)
    session.flush()
    return row


def get_community(*, session: Session, community_id: int) -> Community | None:
    return session.get(Community, community_id)


def communities_frame(
    *, session: Session, community_ids: Iterable[int] | None = None, include_archived: bool = False
) -> pd.DataFrame:
    """Columns: community_id, name, sector, region, phase, is_demo, archived."""
    stmt = sa_select(
        col(Community.id),
        col(Community.name),
        col(Community.sector),
        col(Community.region),
        col(Community.phase),
        col(Community.is_demo),
        col(Community.archived_at).is_not(None),
    ).order_by(col(Community.name))
    if community_ids is not None:
        stmt = stmt.where(col(Community.id).in_(sorted(set(community_ids))))
    if not include_archived:
        stmt = stmt.where(col(Community.archived_at).is_(None))
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COMMUNITY_COLUMNS))


def rounds_frame(*, session: Session, community_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Columns: round_id, community_id, period, opens_on, closes_on, closed_manually,
    instrument_id, instrument_version, responses (0 when none)."""
    stmt = (
        sa_select(
            col(Round.id),
            col(Round.community_id),
            col(Round.period),
            col(Round.opens_on),
            col(Round.closes_on),
            col(Round.closed_manually),
            col(Round.instrument_id),
            col(Round.instrument_version),
            func.coalesce(col(RoundTally.responses), 0),
        )
        .outerjoin(RoundTally, col(RoundTally.round_id) == col(Round.id))
        .order_by(col(Round.community_id), col(Round.period))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(sorted(set(community_ids))))
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(ROUND_COLUMNS))


def community_organisations(*, session: Session, community_id: int) -> list[Organisation]:
    stmt = (
        select(Organisation)
        .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .where(Membership.community_id == community_id)
        .order_by(Organisation.name)
    )
    return list(session.execute(stmt).scalars())


def portfolio_community_ids(*, session: Session, portfolio_id: int) -> list[int]:
    stmt = select(PortfolioCommunity.community_id).where(
        PortfolioCommunity.portfolio_id == portfolio_id
    )
    return sorted(session.execute(stmt).scalars())


def count_communities(*, session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Community)).scalar_one())
