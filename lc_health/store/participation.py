"""Participation in a round while it runs: how many responded, through which channel, per day,
against the invitations valid so far. Counts only: never anything a response contains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import ColumnElement, and_, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.domain.disclosure import Channel, channel_of
from lc_health.domain.mail import Kind, Status
from lc_health.domain.schedules import REMINDER
from lc_health.store.models import OutboxMessage, Response, Round
from lc_health.store.publication import invited_during
from lc_health.store.schedules import events_of_kind


@dataclass(frozen=True)
class Participation:
    responses: int
    by_channel: dict[str, int]
    invited: int  # personal links valid during the round so far
    expected_headcount: int | None
    # day (date), responses, rated (those the response rate counts: personal links when the
    # round has any, else all); every day from opening to today
    per_day: pd.DataFrame
    days_left: int  # days the round still accepts answers, today included (0 when closed)
    reminders: int = 0  # reminders sent so far
    reminder_days: tuple[date, ...] = ()  # the days they went out

    @property
    def target(self) -> int | None:
        """What the response rate is measured against: the valid personal links, else the
        expected headcount (None: neither)."""
        return self.invited or self.expected_headcount or None

    @property
    def rated(self) -> int:
        """The responses the response rate counts."""
        return int(self.per_day["rated"].sum())

    @property
    def rate(self) -> float | None:
        """Personal-link responses over valid personal links; for an open-link round, all
        responses over the expected headcount when one was entered; never above 1."""
        if self.invited > 0:
            return min(1.0, self.by_channel[Channel.personal.value] / self.invited)
        if self.expected_headcount:
            return min(1.0, self.responses / self.expected_headcount)
        return None


def round_participation(*, session: Session, round_id: int, today: date) -> Participation:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise KeyError(round_id)
    rows = session.execute(
        sa_select(
            col(Response.invitation_id), col(Response.source), col(Response.submitted_at)
        ).where(col(Response.round_id) == round_id)
    ).all()
    invited = invited_during(session, rnd=rnd)
    by_channel = {c.value: 0 for c in Channel}
    days: dict[date, int] = {}
    rated: dict[date, int] = {}
    for invitation_id, source, submitted_at in rows:
        channel = channel_of(invitation_id=invitation_id, source=source)
        by_channel[channel.value] += 1
        day = submitted_at.date()
        days[day] = days.get(day, 0) + 1
        if not invited or channel is Channel.personal:
            rated[day] = rated.get(day, 0) + 1
    last = min(today, rnd.closes_on)
    span = pd.date_range(rnd.opens_on, max(last, rnd.opens_on), freq="D").date
    per_day = pd.DataFrame(
        {
            "day": span,
            "responses": [days.get(d, 0) for d in span],
            "rated": [rated.get(d, 0) for d in span],
        }
    )
    closed = rnd.closed_manually or today > rnd.closes_on
    sent = _reminder_days(session, round_id)
    return Participation(
        responses=len(rows),
        by_channel=by_channel,
        invited=invited,
        expected_headcount=rnd.expected_headcount,
        per_day=per_day,
        days_left=0 if closed else (rnd.closes_on - today).days + 1,
        reminders=reminders_sent(session, round_id=round_id),
        reminder_days=sent,
    )


def _sent_reminders(round_id: int) -> ColumnElement[bool]:
    return and_(
        col(OutboxMessage.round_id) == round_id,
        col(OutboxMessage.kind) == Kind.reminder.value,
        col(OutboxMessage.status) == Status.sent.value,
    )


def reminders_sent(session: Session, *, round_id: int) -> int:
    """How many reminder e-mails of the round the mail server accepted (the outbox's count)."""
    found = session.execute(
        sa_select(func.count()).select_from(OutboxMessage).where(_sent_reminders(round_id))
    ).scalar_one()
    return int(found)


def _reminder_days(session: Session, round_id: int) -> tuple[date, ...]:
    """The days reminders went out: the schedule's reminder days and the days reminder e-mails
    were sent (also those sent on demand)."""
    planned = set(events_of_kind(session, round_id=round_id, kind=REMINDER))
    stamps = session.execute(
        sa_select(col(OutboxMessage.sent_at)).where(_sent_reminders(round_id)).distinct()
    ).scalars()
    return tuple(sorted(planned | {s.date() for s in stamps if s is not None}))
