"""Quarterly survey rounds: planning, opening, closing and reopening.

A round accepts answers while it is open: from its opening date up to and including its closing
date, unless an administrator closed it by hand. Opening a round early moves its opening date to
today; reopening a round whose closing date has passed needs a new closing date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from sqlmodel import Session, col, select

from lc_health.domain.errors import Problem, check
from lc_health.domain.periods import Period
from lc_health.store import ids
from lc_health.store.models import Publication, Round


class RoundState(StrEnum):
    scheduled = "scheduled"  # not yet open
    open = "open"
    closed = "closed"


def state(rnd: Round, today: date) -> RoundState:
    if rnd.closed_manually or today > rnd.closes_on:
        return RoundState.closed
    if today < rnd.opens_on:
        return RoundState.scheduled
    return RoundState.open


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
    """Insert a round without checks (demo data, tests); people go through plan_round."""
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


def _overlaps(
    session: Session, community_id: int, opens_on: date, closes_on: date, exclude_id: int | None
) -> Round | None:
    stmt = select(Round).where(
        col(Round.community_id) == community_id,
        col(Round.opens_on) <= closes_on,
        col(Round.closes_on) >= opens_on,
    )
    for other in session.exec(stmt).all():
        if other.id != exclude_id:
            return other
    return None


def round_problems(
    session: Session,
    *,
    community_id: int,
    period: str,
    opens_on: date | None,
    closes_on: date | None,
    exclude_id: int | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    try:
        Period.parse(period)
    except ValueError:
        problems.append(Problem("period", "error.period_format"))
    else:
        clash = session.exec(
            select(Round.id).where(
                col(Round.community_id) == community_id, col(Round.period) == period.upper()
            )
        ).first()
        if clash is not None and clash != exclude_id:
            problems.append(Problem("period", "error.period_taken", {"period": period.upper()}))
    if opens_on is None:
        problems.append(Problem("opens_on", "error.required"))
    if closes_on is None:
        problems.append(Problem("closes_on", "error.required"))
    if opens_on and closes_on:
        if closes_on < opens_on:
            problems.append(Problem("closes_on", "error.closes_before_opens"))
        else:
            other = _overlaps(session, community_id, opens_on, closes_on, exclude_id)
            if other is not None:
                problems.append(
                    Problem("opens_on", "error.round_overlaps", {"period": other.period})
                )
    return problems


def plan_round(
    *,
    session: Session,
    community_id: int,
    period: str,
    opens_on: date | None,
    closes_on: date | None,
    instrument_id: str,
    instrument_version: int,
) -> Round:
    """Plan one round after checking it (raises Invalid, writes nothing)."""
    check(
        round_problems(
            session,
            community_id=community_id,
            period=period,
            opens_on=opens_on,
            closes_on=closes_on,
        )
    )
    assert opens_on is not None and closes_on is not None
    return create_round(
        session=session,
        community_id=community_id,
        period=period.strip().upper(),
        opens_on=opens_on,
        closes_on=closes_on,
        instrument_id=instrument_id,
        instrument_version=instrument_version,
    )


def plan_for_all(
    *,
    session: Session,
    community_ids: Iterable[int],
    period: str,
    opens_on: date | None,
    closes_on: date | None,
    instrument_id: str,
    instrument_version: int,
) -> list[Round]:
    """Plan the same round for many communities, all or none: every community's problems are
    reported (field names carry the community id) and nothing is written if there is one."""
    chosen = ids(community_ids)
    problems: list[Problem] = []
    for community_id in chosen:
        for p in round_problems(
            session,
            community_id=community_id,
            period=period,
            opens_on=opens_on,
            closes_on=closes_on,
        ):
            problems.append(Problem(p.field, p.code, {**p.params, "community_id": community_id}))
    check(problems)
    return [
        plan_round(
            session=session,
            community_id=cid,
            period=period,
            opens_on=opens_on,
            closes_on=closes_on,
            instrument_id=instrument_id,
            instrument_version=instrument_version,
        )
        for cid in chosen
    ]


def open_now(*, session: Session, round_id: int, today: date) -> Round:
    rnd = _get(session, round_id)
    if today > rnd.closes_on:
        check([Problem("closes_on", "error.closes_in_past")])
    rnd.opens_on = min(rnd.opens_on, today)
    rnd.closed_manually = False
    session.add(rnd)
    published = session.get(Publication, round_id)
    if published is not None:
        published.for_closes_on = None
        session.add(published)
    return rnd


def close_now(*, session: Session, round_id: int) -> Round:
    rnd = _get(session, round_id)
    rnd.closed_manually = True
    session.add(rnd)
    return rnd


def reopen(*, session: Session, round_id: int, today: date, closes_on: date | None) -> Round:
    """Accept answers again, until closes_on when given (needed if the old date has passed)."""
    rnd = _get(session, round_id)
    new_close = closes_on or rnd.closes_on
    problems: list[Problem] = []
    if new_close < today:
        problems.append(Problem("closes_on", "error.closes_in_past"))
    else:
        other = _overlaps(session, rnd.community_id, rnd.opens_on, new_close, rnd.id)
        if other is not None:
            problems.append(Problem("closes_on", "error.round_overlaps", {"period": other.period}))
    check(problems)
    rnd.closes_on = new_close
    rnd.opens_on = min(rnd.opens_on, today)
    rnd.closed_manually = False
    session.add(rnd)
    published = session.get(Publication, round_id)
    if published is not None:
        # Its next closing, by hand or by date, is looked at anew (store.publication).
        published.for_closes_on = None
        session.add(published)
    return rnd


def _get(session: Session, round_id: int) -> Round:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise KeyError(round_id)
    return rnd


def open_round_for(*, session: Session, community_id: int, today: date) -> Round | None:
    """The community's round that accepts answers today, if any."""
    stmt = (
        select(Round)
        .where(col(Round.community_id) == community_id)
        .order_by(col(Round.opens_on).desc())
    )
    for rnd in session.exec(stmt).all():
        if state(rnd, today) == RoundState.open:
            return rnd
    return None


def community_rounds(*, session: Session, community_id: int) -> list[Round]:
    stmt = select(Round).where(col(Round.community_id) == community_id).order_by(col(Round.period))
    return list(session.exec(stmt).all())


def get_round(*, session: Session, round_id: int | None) -> Round | None:
    return session.get(Round, round_id) if round_id is not None else None


def save_round(*, session: Session, rnd: Round) -> None:
    """Keep changes made to a round's fields (written at the next flush or commit)."""
    session.add(rnd)
