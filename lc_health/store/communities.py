"""Communities, organisations and their membership, portfolios, and rounds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from lc_health.domain.errors import Invalid, Problem, check
from lc_health.store import ids
from lc_health.store.models import (
    Community,
    Membership,
    Organisation,
    Portfolio,
    PortfolioCommunity,
    Round,
    RoundTally,
    utcnow,
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


PHASES: tuple[str, ...] = ("starting", "developing", "sustaining", "winding_down")
MAX_NAME = 120
MAX_LABEL = 80  # sector and region (Community columns)
MAX_CONTACT = 200


def _community_problems(
    session: Session,
    *,
    name: str,
    phase: str,
    sector: str = "",
    region: str = "",
    contact: str = "",
    exclude_id: int | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    name = name.strip()
    if not name:
        problems.append(Problem("name", "error.required"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("name", "error.too_long", {"max": MAX_NAME}))
    else:
        clash = session.exec(
            select(Community.id).where(func.lower(Community.name) == name.lower())
        ).first()
        if clash is not None and clash != exclude_id:
            problems.append(Problem("name", "error.name_taken"))
    # The page's inputs stop longer text; the command line and other callers need this check.
    for field, value, most in (
        ("sector", sector, MAX_LABEL),
        ("region", region, MAX_LABEL),
        ("contact", contact, MAX_CONTACT),
    ):
        if len(value.strip()) > most:
            problems.append(Problem(field, "error.too_long", {"max": most}))
    if phase and phase not in PHASES:
        problems.append(Problem("phase", "error.unknown_choice"))
    return problems


def add_community(
    *,
    session: Session,
    name: str,
    sector: str = "",
    region: str = "",
    phase: str = "",
    description: str = "",
    contact: str = "",
) -> Community:
    """Create a community after checking the input (raises Invalid, writes nothing)."""
    check(
        _community_problems(
            session, name=name, phase=phase, sector=sector, region=region, contact=contact
        )
    )
    return create_community(
        session=session,
        name=name,
        sector=sector,
        region=region,
        phase=phase,
        description=description,
        contact=contact,
    )


def update_community(
    *,
    session: Session,
    community_id: int,
    name: str,
    sector: str,
    region: str,
    phase: str,
    description: str,
    contact: str,
) -> Community:
    row = session.get(Community, community_id)
    if row is None:
        raise KeyError(community_id)
    check(
        _community_problems(
            session,
            name=name,
            phase=phase,
            sector=sector,
            region=region,
            contact=contact,
            exclude_id=community_id,
        )
    )
    row.name, row.sector, row.region = name.strip(), sector.strip(), region.strip()
    row.phase, row.description, row.contact = phase, description.strip(), contact.strip()
    session.add(row)
    session.flush()
    return row


def set_archived(*, session: Session, community_id: int, archived: bool) -> None:
    """Archive (hide from lists and surveys, keep every answer) or bring back a community."""
    row = session.get(Community, community_id)
    if row is None:
        raise KeyError(community_id)
    row.archived_at = utcnow() if archived else None
    session.add(row)


def create_organisation(*, session: Session, name: str, type: str) -> Organisation:
    row = Organisation(name=name.strip(), type=type)
    session.add(row)
    session.flush()
    return row


def add_organisation(
    *, session: Session, name: str, type: str, types: Iterable[str]
) -> Organisation:
    """Create an organisation after checking the input (raises Invalid, writes nothing)."""
    name = name.strip()
    problems: list[Problem] = []
    if not name:
        problems.append(Problem("name", "error.required"))
    elif session.exec(
        select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    ).first():
        problems.append(Problem("name", "error.name_taken"))
    if type not in set(types):
        problems.append(Problem("type", "error.unknown_choice"))
    check(problems)
    return create_organisation(session=session, name=name, type=type)


def set_members(*, session: Session, community_id: int, organisation_ids: Iterable[int]) -> None:
    """Make exactly these organisations the community's members."""
    session.execute(delete(Membership).where(col(Membership.community_id) == community_id))
    for org_id in ids(organisation_ids):
        session.add(Membership(community_id=community_id, organisation_id=org_id))
    session.flush()


def organisations_frame(*, session: Session) -> pd.DataFrame:
    """Columns: organisation_id, name, type, communities (number of memberships)."""
    stmt = (
        sa_select(
            col(Organisation.id),
            col(Organisation.name),
            col(Organisation.type),
            func.count(col(Membership.community_id)),
        )
        .outerjoin(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .group_by(col(Organisation.id), col(Organisation.name), col(Organisation.type))
        .order_by(col(Organisation.name))
    )
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["organisation_id", "name", "type", "communities"]
    )


def add_member(*, session: Session, community_id: int, organisation_id: int) -> None:
    if session.get(Membership, (community_id, organisation_id)) is None:
        session.add(Membership(community_id=community_id, organisation_id=organisation_id))
        session.flush()


def create_portfolio(*, session: Session, name: str, community_ids: Iterable[int]) -> Portfolio:
    row = Portfolio(name=name.strip())
    session.add(row)
    session.flush()
    assert row.id is not None
    for cid in ids(community_ids):
        session.add(PortfolioCommunity(portfolio_id=row.id, community_id=cid))
    session.flush()
    return row


def get_community(*, session: Session, community_id: int) -> Community | None:
    return session.get(Community, community_id)


def known_community(*, session: Session, community_id: int) -> Community:
    """The community with this id; Invalid (error.unknown_community) when there is none."""
    row = session.get(Community, community_id)
    if row is None:
        raise Invalid(
            [Problem("community", "error.unknown_community", {"community_id": community_id})]
        )
    return row


def get_communities(*, session: Session, community_ids: Iterable[int]) -> list[Community]:
    """The communities with these ids, in the order given (unknown ids left out), in one
    query: an administrator's list holds every community of the platform."""
    wanted = [int(c) for c in community_ids]
    found = {
        c.id: c
        for c in session.exec(select(Community).where(col(Community.id).in_(sorted(set(wanted)))))
    }
    return [found[c] for c in wanted if c in found]


def select_community_columns() -> Any:
    """A SELECT of a community's COMMUNITY_COLUMNS, to be filtered and ordered by the caller."""
    return sa_select(
        col(Community.id),
        col(Community.name),
        col(Community.sector),
        col(Community.region),
        col(Community.phase),
        col(Community.is_demo),
        col(Community.archived_at).is_not(None),
    )


def communities_frame(
    *, session: Session, community_ids: Iterable[int] | None = None, include_archived: bool = False
) -> pd.DataFrame:
    """Columns: community_id, name, sector, region, phase, is_demo, archived."""
    stmt = select_community_columns().order_by(col(Community.name))
    if community_ids is not None:
        stmt = stmt.where(col(Community.id).in_(ids(community_ids)))
    if not include_archived:
        stmt = stmt.where(col(Community.archived_at).is_(None))
    # Straight from the driver (text and numbers; SQLite's booleans come as 0/1): the
    # portfolio reads ten thousand of these on every cache miss.
    result = session.connection().execute(stmt)
    rows = result.cursor.fetchall()
    result.close()
    frame = pd.DataFrame(rows, columns=list(COMMUNITY_COLUMNS))
    return frame.astype({"is_demo": bool, "archived": bool})


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
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
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


def any_community(*, session: Session) -> bool:
    """Whether the database holds at least one community (archived ones count)."""
    return session.execute(select(Community.id).limit(1)).first() is not None
