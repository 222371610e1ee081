"""Round schedules, the notifications they sent, and the lease that lets one process at a time
run them. See lc_health.domain.schedules for the rules and lc_health.services.schedule for the
tick that applies them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from lc_health.domain.schedules import Rule
from lc_health.store import ids
from lc_health.store.models import (
    Community,
    Publication,
    Round,
    RoundSchedule,
    ScheduleEvent,
    ScheduleLease,
    utcnow,
)

ALL_SCOPE = "all"


def scope_of(community_id: int | None) -> str:
    """'all' for the schedule of every community, else the community's id."""
    return ALL_SCOPE if community_id is None else str(community_id)


def rule_of(row: RoundSchedule) -> Rule:
    """The row's schedule as the domain's rule."""
    reminders = tuple(int(p) for p in row.reminders.split(",") if p.strip())
    return Rule(
        open_day=row.open_day, open_days=row.open_days, reminders=reminders, cadence=row.cadence
    )


def get_schedule(session: Session, *, community_id: int | None) -> RoundSchedule | None:
    """The community's own schedule (None: the one for every community), if there is one."""
    return session.exec(
        select(RoundSchedule).where(col(RoundSchedule.scope) == scope_of(community_id))
    ).first()


def all_schedules(session: Session) -> list[RoundSchedule]:
    """Every schedule: the one for all communities first, then by community."""
    rows = session.exec(select(RoundSchedule)).all()
    return sorted(rows, key=lambda r: (r.community_id is not None, r.community_id or 0))


@dataclass(frozen=True)
class Scheduled:
    """A community the schedule runs, with the schedule that applies to it."""

    community_id: int
    schedule: RoundSchedule


def scheduled_communities(session: Session) -> list[Scheduled]:
    """Active communities (not archived) with an active schedule that applies to them: their own,
    else the one for every community."""
    schedules = {row.community_id: row for row in session.exec(select(RoundSchedule)).all()}
    everyone = schedules.get(None)
    ids = session.exec(
        select(Community.id).where(col(Community.archived_at).is_(None)).order_by(col(Community.id))
    ).all()
    out = []
    for community_id in ids:
        assert community_id is not None
        row = schedules.get(community_id, everyone)
        if row is not None and row.active:
            out.append(Scheduled(community_id=community_id, schedule=row))
    return out


def save_schedule(
    session: Session, *, community_id: int | None, active: bool, rule: Rule, today: date
) -> RoundSchedule:
    """Insert or change a schedule (checked by the caller). Switching it on sets active_since."""
    row = get_schedule(session, community_id=community_id)
    if row is None:
        row = RoundSchedule(
            scope=scope_of(community_id), community_id=community_id, active_since=today
        )
    elif active and not row.active:
        row.active_since = today
    row.active = active
    row.cadence = rule.cadence
    row.open_day = rule.open_day
    row.open_days = rule.open_days
    row.reminders = ",".join(str(d) for d in rule.reminders)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def delete_schedule(session: Session, *, community_id: int | None) -> bool:
    """Remove a schedule (a community's own: the one for every community applies again)."""
    row = get_schedule(session, community_id=community_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


# -- notifications sent --------------------------------------------------------------------------


def has_event(session: Session, *, round_id: int, kind: str, day: date) -> bool:
    return (
        session.exec(
            select(ScheduleEvent.id).where(
                col(ScheduleEvent.round_id) == round_id,
                col(ScheduleEvent.kind) == kind,
                col(ScheduleEvent.day) == day,
            )
        ).first()
        is not None
    )


def record_event(session: Session, *, round_id: int, kind: str, day: date) -> bool:
    """Note that a notification went out; False (and nothing written) when it was noted before,
    by this process or another. Runs in a savepoint, so the caller's transaction goes on."""
    try:
        with session.begin_nested():
            session.add(ScheduleEvent(round_id=round_id, kind=kind, day=day))
    except IntegrityError:
        return False
    return True


def round_events(session: Session, *, round_id: int) -> list[ScheduleEvent]:
    """The notifications sent for a round, in the order of their days."""
    return list(
        session.exec(
            select(ScheduleEvent)
            .where(col(ScheduleEvent.round_id) == round_id)
            .order_by(col(ScheduleEvent.day), col(ScheduleEvent.kind))
        ).all()
    )


def sent_for(session: Session, *, round_ids: list[int]) -> set[tuple[int, str, date]]:
    """(round_id, kind, day) of every notification noted for these rounds."""
    if not round_ids:
        return set()
    rows = session.execute(
        sa_select(
            col(ScheduleEvent.round_id), col(ScheduleEvent.kind), col(ScheduleEvent.day)
        ).where(col(ScheduleEvent.round_id).in_(ids(round_ids)))
    ).all()
    return {(int(r), str(k), d) for r, k, d in rows}


def watched_rounds(
    session: Session, *, community_ids: list[int], since: date
) -> list[tuple[Round, Publication | None]]:
    """The communities' rounds that close on or after `since`, with their publication."""
    if not community_ids:
        return []
    rows = session.execute(
        sa_select(Round, Publication)
        .outerjoin(Publication, col(Publication.round_id) == col(Round.id))
        .where(col(Round.community_id).in_(ids(community_ids)), col(Round.closes_on) >= since)
        .order_by(col(Round.community_id), col(Round.opens_on))
    ).all()
    return [(rnd, pub) for rnd, pub in rows]


def events_of_kind(session: Session, *, round_id: int, kind: str) -> list[date]:
    return [e.day for e in round_events(session, round_id=round_id) if e.kind == kind]


# -- the lease -----------------------------------------------------------------------------------


def take_lease(session: Session, *, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Take the named lease until `until` when it is free (or ran out, or is ours already); True
    when taken. One statement, so two processes cannot both take it."""
    if session.get(ScheduleLease, name) is None:
        try:
            with session.begin_nested():
                session.add(ScheduleLease(name=name, holder="", until=now))
        except IntegrityError:
            pass  # another process made it first
    taken = session.execute(
        update(ScheduleLease)
        .where(
            col(ScheduleLease.name) == name,
            or_(col(ScheduleLease.until) <= now, col(ScheduleLease.holder) == holder),
        )
        .values(holder=holder, until=until)
    )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def give_lease(session: Session, *, name: str, holder: str, now: datetime) -> None:
    """Give the lease up (when it is still ours)."""
    session.execute(
        update(ScheduleLease)
        .where(col(ScheduleLease.name) == name, col(ScheduleLease.holder) == holder)
        .values(holder="", until=now)
    )


def communities_with_round(session: Session, *, period: str) -> set[int]:
    """The communities that have a round for the period already."""
    return {
        int(c)
        for c in session.exec(select(Round.community_id).where(col(Round.period) == period)).all()
    }
