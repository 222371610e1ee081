"""Live participation in an open round, as its lead sees it: responses per day, those the
response rate counts (personal links when the round has them, else all, against the expected
headcount), days left and the reminders the schedule sent. Counts only, through the real store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument
from lc_health.domain.schedules import REMINDER, ROUND_OPENED
from lc_health.store import schedules as schedule_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import OutboxMessage, Round
from lc_health.store.participation import reminders_sent, round_participation
from tests import publishing as pub

OPENS, CLOSES = date(2027, 1, 1), date(2027, 1, 28)
TODAY = date(2027, 1, 10)


def _at(day: int) -> datetime:
    return datetime(2027, 1, day, 14, tzinfo=UTC)


def test_a_round_with_personal_links(engine: Engine, instrument: Instrument) -> None:
    with write_session(engine) as session:
        rnd = pub.make(
            session, instrument, personal=4, period="2027-Q1", opens_on=OPENS, closes_on=CLOSES
        )
        items = pub.all_items(instrument, 4)
        pub.answer(session, instrument, rnd, items, link=rnd.links[0], submitted_at=_at(2))
        pub.answer(session, instrument, rnd, items, link=rnd.links[1], submitted_at=_at(7))
        pub.answer(session, instrument, rnd, items, source=Source.paper, submitted_at=_at(7))
        for kind, day in ((ROUND_OPENED, OPENS), (REMINDER, date(2027, 1, 7))):
            schedule_store.record_event(session, round_id=rnd.round_id, kind=kind, day=day)
        # The outbox: one reminder accepted on the schedule's day, one sent on demand two
        # days later, one still waiting (not counted until the mail server accepts it).
        for n, (status, sent_at) in enumerate(
            (("sent", _at(7)), ("sent", _at(9)), ("pending", None))
        ):
            session.add(
                OutboxMessage(
                    kind="reminder",
                    round_id=rnd.round_id,
                    dedupe_key=f"reminder:test:{n}",
                    message_key=f"test-{n}",
                    status=status,
                    sent_at=sent_at,
                )
            )
    with read_session(engine) as session:
        seen = round_participation(session=session, round_id=rnd.round_id, today=TODAY)
        assert reminders_sent(session, round_id=rnd.round_id) == 2
    assert seen.responses == 3 and seen.invited == 4 and seen.target == 4
    assert seen.rated == 2 and seen.rate == pytest.approx(0.5)  # paper does not count
    assert seen.days_left == 19
    assert seen.reminders == 2
    assert seen.reminder_days == (date(2027, 1, 7), date(2027, 1, 9))
    assert list(seen.per_day["day"]) == [date(2027, 1, d) for d in range(1, 11)]
    assert seen.per_day["responses"].tolist() == [0, 1, 0, 0, 0, 0, 2, 0, 0, 0]
    assert seen.per_day["rated"].tolist() == [0, 1, 0, 0, 0, 0, 1, 0, 0, 0]


def test_an_open_link_round_counts_everyone_against_the_expected_headcount(
    engine: Engine, instrument: Instrument
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(
            session, instrument, open_link=True, period="2027-Q1", opens_on=OPENS, closes_on=CLOSES
        )
        items = pub.all_items(instrument, 4)
        for day in (3, 3, 9):
            pub.answer(session, instrument, rnd, items, submitted_at=_at(day))
    with read_session(engine) as session:
        seen = round_participation(session=session, round_id=rnd.round_id, today=TODAY)
        assert reminders_sent(session, round_id=rnd.round_id) == 0
    assert seen.target is None and seen.rate is None and seen.rated == 3
    assert seen.reminders == 0 and seen.reminder_days == ()
    with write_session(engine) as session:
        row = session.get(Round, rnd.round_id)
        assert row is not None
        row.expected_headcount = 12
        session.add(row)
    with read_session(engine) as session:
        seen = round_participation(session=session, round_id=rnd.round_id, today=CLOSES)
    assert seen.target == 12 and seen.rate == pytest.approx(0.25) and seen.days_left == 1
