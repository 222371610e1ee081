"""Participation in a round while it runs: how many responded, through which channel, per day,
against the invitations valid so far. Counts only: never anything a response contains."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.domain.disclosure import Channel, channel_of
from lc_health.store.models import Response, Round
from lc_health.store.publication import invited_during


@dataclass(frozen=True)
class Participation:
    responses: int
    by_channel: dict[str, int]
    invited: int  # personal links valid during the round so far
    expected_headcount: int | None
    per_day: pd.DataFrame  # day (date), responses; every day from opening to today
    days_left: int  # days the round still accepts answers, today included (0 when closed)

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
    by_channel = {c.value: 0 for c in Channel}
    days: dict[date, int] = {}
    for invitation_id, source, submitted_at in rows:
        by_channel[channel_of(invitation_id=invitation_id, source=source).value] += 1
        days[submitted_at.date()] = days.get(submitted_at.date(), 0) + 1
    last = min(today, rnd.closes_on)
    span = pd.date_range(rnd.opens_on, max(last, rnd.opens_on), freq="D").date
    per_day = pd.DataFrame({"day": span, "responses": [days.get(d, 0) for d in span]})
    closed = rnd.closed_manually or today > rnd.closes_on
    return Participation(
        responses=len(rows),
        by_channel=by_channel,
        invited=invited_during(session, rnd=rnd),
        expected_headcount=rnd.expected_headcount,
        per_day=per_day,
        days_left=0 if closed else (rnd.closes_on - today).days + 1,
    )
