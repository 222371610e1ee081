"""Rounds that run themselves: the schedule's tick, and the writes on schedules.

`tick` does, for one day, everything a schedule asks (lc_health.domain.schedules): it plans the
quarter's round of every scheduled community when it is due (with the newest instrument, as
`lc-health round open` does), publishes the rounds that closed (services.publication), and sends
each notification once through a Notifier.

Running it again, or in several processes at once, changes nothing the second time:

* one process at a time runs it (a lease row in the database, taken in one UPDATE; a process
  that dies gives it up when the lease runs out); the others return at once (`ran` False);
* a round is planned only when the community has none for the quarter (the unique
  (community, period) key settles a race);
* each notification is noted in `scheduleevent` with its round, kind and day, unique together.

The notifier is called first and the notification noted after it, each in its own transaction:
the notifier writes to the mail outbox through its own transactions (so it cannot share ours
without holding SQLite's write lock twice), and its enqueues are idempotent by a dedupe key. A
crash between the two sends the notification again at the next tick and the outbox drops the
copy; the other order would lose it. A notifier that raises is not noted, and is tried again at
the next tick.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from lc_health.domain.disclosure import PolicySettings
from lc_health.domain.errors import Invalid, Problem, check
from lc_health.domain.instrument import Registry
from lc_health.domain.periods import Period
from lc_health.domain.schedules import (
    CADENCES,
    REMINDER,
    ROUND_CLOSING,
    ROUND_CREATED,
    ROUND_OPENED,
    ROUND_PUBLISHED,
    Rule,
    due,
    parse_reminders,
    rule_problems,
)
from lc_health.services import rounds as rsvc
from lc_health.services.publication import publish_due
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import schedules as store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Publication, Round, RoundSchedule, utcnow
from lc_health.store.rounds import RoundState, state

log = logging.getLogger(__name__)

ACTOR = "lc-health schedule"
LEASE = "tick"
LEASE_SECONDS = 600
# Rounds that closed longer ago than this are not looked at for notifications any more.
WATCH_DAYS = 120


class Notifier(Protocol):
    """Who hears what when a schedule runs (the mail outbox, in the app)."""

    def round_opened(self, round_id: int) -> None:
        """The round opened: invitations to its participants, a notice to its leads."""

    def reminders_due(self, round_id: int, today: date) -> None:
        """A reminder day: a reminder to participants who have not answered yet. `today` is the
        day of the tick that sends it (also when it runs late): the key to drop a second copy
        by, shared with a reminder asked for by hand that day, so that nobody gets two a day."""

    def round_closing(self, round_id: int) -> None:
        """The round closes in a week: a notice to its leads."""

    def round_published(self, round_id: int) -> None:
        """The round's figures were published: leads, and "you said, we did" to participants."""


@dataclass
class TickReport:
    """What one tick did."""

    today: date
    ran: bool = True  # False: another process was running the schedule
    created: list[int] = field(default_factory=list)  # rounds planned
    published: list[int] = field(default_factory=list)  # rounds published (anew)
    sent: list[tuple[int, str, date]] = field(default_factory=list)  # round, kind, day
    skipped: list[tuple[int, Problem]] = field(default_factory=list)  # community, why
    failed: list[tuple[int, str, str]] = field(default_factory=list)  # round, kind, error

    @property
    def changed(self) -> bool:
        return bool(self.created or self.published or self.sent)

    def summary(self) -> str:
        if not self.ran:
            return f"{self.today}: another process is running the schedule; nothing done"
        text = (
            f"{self.today}: rounds planned: {len(self.created)}, published: "
            f"{len(self.published)}, notifications sent: {len(self.sent)}"
        )
        if self.skipped:
            text += f", communities skipped: {len(self.skipped)}"
        if self.failed:
            text += f", notifications failed: {len(self.failed)} (tried again next time)"
        return text


def tick(
    engine: Engine,
    *,
    registry: Registry,
    settings: PolicySettings,
    today: date,
    notifier: Notifier,
    now: datetime | None = None,
) -> TickReport:
    """Do what the schedules ask for `today` (module docstring). `now` is the time publications
    are stamped with: by default the current time when `today` is today, else midday of
    `today` (a backfill, or a test walking through the days)."""
    report = TickReport(today=today)
    holder = uuid.uuid4().hex
    if not _take_lease(engine, holder):
        report.ran = False
        return report
    try:
        _plan_rounds(engine, registry, today, report)
        if now is None and today != date.today():
            now = datetime.combine(today, time(12), tzinfo=UTC)
        outcomes = publish_due(
            engine=engine, registry=registry, settings=settings, today=today, now=now
        )
        report.published = [o.round_id for o in outcomes if o.status != "kept"]
        _notify(engine, today, notifier, report)
    finally:
        with write_session(engine) as session:
            store.give_lease(session, name=LEASE, holder=holder, now=utcnow())
    return report


def _take_lease(engine: Engine, holder: str) -> bool:
    now = utcnow()
    try:
        with write_session(engine) as session:
            return store.take_lease(
                session,
                name=LEASE,
                holder=holder,
                now=now,
                until=now + timedelta(seconds=LEASE_SECONDS),
            )
    except IntegrityError:
        return False


def _plan_rounds(engine: Engine, registry: Registry, today: date, report: TickReport) -> None:
    period = Period.containing(today)
    with read_session(engine) as session:
        scheduled = store.scheduled_communities(session)
        taken = store.communities_with_round(session, period=str(period))
    instrument = registry.latest()
    for item in scheduled:
        opens_on, closes_on = store.rule_of(item.schedule).dates(period)
        if item.community_id in taken or today > closes_on:
            continue
        try:
            with write_session(engine) as session:
                [rnd] = rsvc.plan_rounds(
                    session=session,
                    community_ids=[item.community_id],
                    period=str(period),
                    opens_on=opens_on,
                    closes_on=closes_on,
                    instrument=instrument,
                    actor=ACTOR,
                )
                assert rnd.id is not None
                store.record_event(session, round_id=rnd.id, kind=ROUND_CREATED, day=today)
        except Invalid as exc:
            report.skipped.extend((item.community_id, p) for p in exc.problems)
            continue
        except IntegrityError:
            continue  # another process planned it first
        report.created.append(rnd.id)


def _watched(
    engine: Engine, today: date
) -> tuple[list[tuple[Round, Publication | None, RoundSchedule]], set[tuple[int, str, date]]]:
    with read_session(engine) as session:
        schedules = {s.community_id: s.schedule for s in store.scheduled_communities(session)}
        rounds = store.watched_rounds(
            session, community_ids=list(schedules), since=today - timedelta(days=WATCH_DAYS)
        )
        sent = store.sent_for(session, round_ids=[r.id for r, _ in rounds if r.id is not None])
    return [(rnd, pub, schedules[rnd.community_id]) for rnd, pub in rounds], sent


def _notify(engine: Engine, today: date, notifier: Notifier, report: TickReport) -> None:
    watched, sent = _watched(engine, today)
    for rnd, publication, schedule in watched:
        round_id = rnd.id
        assert round_id is not None
        made_here = any(r == round_id and k == ROUND_CREATED for r, k, _ in sent)
        for kind, day in due(
            opens_on=rnd.opens_on,
            closes_on=rnd.closes_on,
            accepting=state(rnd, today) is RoundState.open,
            published_on=publication.published_at.date() if publication else None,
            reminders=store.rule_of(schedule).reminders,
            today=today,
        ):
            if (round_id, kind, day) in sent or (day < schedule.active_since and not made_here):
                continue
            _send(engine, notifier, report, round_id=round_id, kind=kind, day=day)


def _send(
    engine: Engine,
    notifier: Notifier,
    report: TickReport,
    *,
    round_id: int,
    kind: str,
    day: date,
) -> None:
    calls: dict[str, Callable[[], None]] = {
        ROUND_OPENED: lambda: notifier.round_opened(round_id),
        REMINDER: lambda: notifier.reminders_due(round_id, report.today),
        ROUND_CLOSING: lambda: notifier.round_closing(round_id),
        ROUND_PUBLISHED: lambda: notifier.round_published(round_id),
    }
    try:
        calls[kind]()
    except Exception as exc:  # noqa: BLE001  (one failing notification must not stop the rest)
        log.warning("notification %s for round %d failed", kind, round_id, exc_info=True)
        report.failed.append((round_id, kind, f"{type(exc).__name__}: {exc}"))
        return
    with write_session(engine) as session:
        if store.record_event(session, round_id=round_id, kind=kind, day=day):
            report.sent.append((round_id, kind, day))


# -- editing schedules ---------------------------------------------------------------------------


def schedule_problems(
    *,
    open_day: int | None,
    open_days: int | None,
    reminders: str,
    cadence: str = "quarterly",
) -> tuple[Rule | None, list[Problem]]:
    """The schedule as entered, checked: the rule, or None and every problem."""
    days, problems = parse_reminders(reminders)
    problems += rule_problems(
        open_day=open_day, open_days=open_days, reminders=days, cadence=cadence
    )
    if problems:
        return None, problems
    assert open_day is not None and open_days is not None
    return Rule(open_day=open_day, open_days=open_days, reminders=days, cadence=cadence), []


def save_schedule(
    session: Session,
    *,
    community_id: int | None,
    active: bool,
    open_day: int | None,
    open_days: int | None,
    reminders: str,
    today: date,
    actor: str,
    cadence: str = "quarterly",
) -> RoundSchedule:
    """Save the schedule of one community (None: of every community); raises Invalid with every
    problem and writes nothing then. Audited."""
    target = "all communities"
    if community_id is not None:
        community = cstore.get_community(session=session, community_id=community_id)
        if community is None or community.archived_at is not None:
            check([Problem("community", "error.unknown_community", {"community_id": community_id})])
        assert community is not None
        target = community.name
    rule, problems = schedule_problems(
        open_day=open_day, open_days=open_days, reminders=reminders, cadence=cadence
    )
    check(problems)
    assert rule is not None
    row = store.save_schedule(
        session, community_id=community_id, active=active, rule=rule, today=today
    )
    audit.record(
        session=session,
        actor=actor,
        action="schedule.save",
        target=target,
        active=active,
        open_day=rule.open_day,
        open_days=rule.open_days,
        reminders=list(rule.reminders),
    )
    return row


def remove_schedule(session: Session, *, community_id: int, actor: str) -> bool:
    """Remove a community's own schedule: the one for every community applies to it again."""
    community = cstore.get_community(session=session, community_id=community_id)
    removed = store.delete_schedule(session, community_id=community_id)
    if removed:
        name = community.name if community is not None else str(community_id)
        audit.record(session=session, actor=actor, action="schedule.remove", target=name)
    return removed


def schedules(session: Session) -> list[RoundSchedule]:
    """Every schedule, the one for all communities first."""
    return store.all_schedules(session)


__all__ = [
    "CADENCES",
    "Notifier",
    "TickReport",
    "remove_schedule",
    "save_schedule",
    "schedule_problems",
    "schedules",
    "tick",
]
