"""Rounds that run themselves: the schedule's tick plans each quarter's round, publishes it when
it closes and sends each notification once, on its day; again and at once it changes nothing.
On SQLite and on PostgreSQL, through the real store; the notifier is a small real one that
writes down what it was asked to do."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from lc_health.domain.errors import Invalid
from lc_health.domain.i18n import translate
from lc_health.domain.instrument import Instrument, Registry
from lc_health.runtime.config import Settings
from lc_health.services import schedule
from lc_health.store import invitations as istore
from lc_health.store import schedules as schedule_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Publication, Round, ScheduleEvent, ScheduleLease, utcnow
from tests.factories import make_community, make_round

ADMIN = "admin@example.org"


@dataclass
class Written:
    """A notifier that writes down every call: (kind, round id, the tick's day)."""

    today: date | None = None
    calls: list[tuple[str, int, date | None]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _add(self, kind: str, round_id: int) -> None:
        with self.lock:
            self.calls.append((kind, round_id, self.today))

    def round_opened(self, round_id: int) -> None:
        self._add("round_opened", round_id)

    def reminders_due(self, round_id: int, today: date) -> None:
        assert today == self.today
        self._add("reminder", round_id)

    def round_closing(self, round_id: int) -> None:
        self._add("round_closing", round_id)

    def round_published(self, round_id: int) -> None:
        self._add("round_published", round_id)


def _community(engine: Engine, links: int = 3) -> int:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        istore.create_personal_links(session=session, community_id=community.id, count=links)
        return community.id


def _save(
    engine: Engine,
    community_id: int | None = None,
    *,
    active: bool = True,
    open_day: int = 1,
    open_days: int = 28,
    reminders: str = "7, 2",
    today: date = date(2026, 12, 31),
) -> None:
    with write_session(engine) as session:
        schedule.save_schedule(
            session,
            community_id=community_id,
            active=active,
            open_day=open_day,
            open_days=open_days,
            reminders=reminders,
            today=today,
            actor=ADMIN,
        )


def _tick(engine: Engine, registry: Registry, day: date, notifier: Written) -> schedule.TickReport:
    notifier.today = day
    return schedule.tick(
        engine, registry=registry, settings=Settings(), today=day, notifier=notifier
    )


def _rounds(engine: Engine, community_id: int) -> list[Round]:
    with read_session(engine) as session:
        return list(
            session.exec(
                select(Round).where(Round.community_id == community_id).order_by(Round.period)
            ).scalars()
        )


def _count(engine: Engine, table: type) -> int:
    with read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_year_of_days_runs_four_rounds_and_sends_each_notification_on_its_day(
    engine: Engine, registry: Registry
) -> None:
    community_id = _community(engine)
    _save(engine)
    notifier = Written()
    day = date(2027, 1, 1)
    while day.year == 2027:
        _tick(engine, registry, day, notifier)
        day += timedelta(days=1)
    rounds = _rounds(engine, community_id)
    assert [(r.period, r.opens_on, r.closes_on) for r in rounds] == [
        ("2027-Q1", date(2027, 1, 1), date(2027, 1, 28)),
        ("2027-Q2", date(2027, 4, 1), date(2027, 4, 28)),
        ("2027-Q3", date(2027, 7, 1), date(2027, 7, 28)),
        ("2027-Q4", date(2027, 10, 1), date(2027, 10, 28)),
    ]
    latest = registry.latest()
    assert {(r.instrument_id, r.instrument_version) for r in rounds} == {
        (latest.id, latest.version)
    }
    expected = []
    for rnd in rounds:
        assert rnd.id is not None
        close = rnd.closes_on
        expected += [
            ("round_opened", rnd.id, rnd.opens_on),
            ("reminder", rnd.id, close - timedelta(days=7)),
            ("round_closing", rnd.id, close - timedelta(days=7)),
            ("reminder", rnd.id, close - timedelta(days=2)),
            ("round_published", rnd.id, close + timedelta(days=1)),
        ]
    assert notifier.calls == expected  # each once, on its day, in the order of the days
    with read_session(engine) as session:
        published = {
            p.round_id: p.published_at.date() for p in session.exec(select(Publication)).scalars()
        }
    assert published == {r.id: r.closes_on + timedelta(days=1) for r in rounds}


def test_a_second_tick_the_same_day_changes_nothing(engine: Engine, registry: Registry) -> None:
    community_id = _community(engine)
    _save(engine)
    notifier = Written()
    first = _tick(engine, registry, date(2027, 4, 1), notifier)
    assert len(first.created) == 1 and first.changed
    tables = (Round, ScheduleEvent, Publication)
    before = [_count(engine, t) for t in tables]
    again = _tick(engine, registry, date(2027, 4, 1), notifier)
    assert again.ran and not again.changed and again.skipped == [] and again.failed == []
    assert [_count(engine, t) for t in tables] == before
    assert [c[0] for c in notifier.calls] == ["round_opened"]
    assert len(_rounds(engine, community_id)) == 1


def test_ticks_at_once_plan_each_round_and_send_each_notification_once(
    engine: Engine, registry: Registry
) -> None:
    ids = [_community(engine) for _ in range(3)]
    _save(engine)
    notifier = Written(today=date(2027, 7, 1))
    threads = 4
    start = threading.Barrier(threads)
    reports: list[schedule.TickReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            reports.append(
                schedule.tick(
                    engine,
                    registry=registry,
                    settings=Settings(),
                    today=date(2027, 7, 1),
                    notifier=notifier,
                )
            )
        except BaseException as exc:  # noqa: BLE001  (asserted below)
            errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sum(len(r.created) for r in reports) == 3
    assert sorted(Counter(c[:2] for c in notifier.calls).values()) == [1, 1, 1]
    assert [len(_rounds(engine, c)) for c in ids] == [1, 1, 1]
    # And afterwards, one more tick finds nothing to do.
    assert not _tick(engine, registry, date(2027, 7, 1), notifier).changed


def test_a_lease_held_by_another_process_waits_and_a_stale_one_is_taken(
    engine: Engine, registry: Registry
) -> None:
    _community(engine)
    _save(engine)
    now = utcnow()
    with write_session(engine) as session:
        session.add(ScheduleLease(name="tick", holder="other", until=now + timedelta(minutes=5)))
    notifier = Written()
    busy = _tick(engine, registry, date(2027, 1, 1), notifier)
    assert not busy.ran and not busy.changed and notifier.calls == []
    assert "another process" in busy.summary()
    with write_session(engine) as session:
        lease = session.get(ScheduleLease, "tick")
        assert lease is not None
        lease.until = now - timedelta(seconds=1)  # the other process died
        session.add(lease)
    assert _tick(engine, registry, date(2027, 1, 1), notifier).created


def test_a_community_schedule_overrides_the_one_for_all(engine: Engine, registry: Registry) -> None:
    everyone, own, out = (_community(engine) for _ in range(3))
    _save(engine)
    _save(engine, own, open_day=15, open_days=14, reminders="3")
    _save(engine, out, active=False)
    report = _tick(engine, registry, date(2027, 1, 20), Written())
    assert len(report.created) == 2
    assert [(r.opens_on, r.closes_on) for r in _rounds(engine, everyone)] == [
        (date(2027, 1, 1), date(2027, 1, 28))
    ]
    assert [(r.opens_on, r.closes_on) for r in _rounds(engine, own)] == [
        (date(2027, 1, 15), date(2027, 1, 28))
    ]
    assert _rounds(engine, out) == []
    # Without its own schedule the community follows the one for all again.
    with write_session(engine) as session:
        assert schedule.remove_schedule(session, community_id=out, actor=ADMIN)
    _tick(engine, registry, date(2027, 4, 2), Written())
    assert [r.period for r in _rounds(engine, out)] == ["2027-Q2"]


def test_no_schedule_or_an_inactive_one_plans_nothing(engine: Engine, registry: Registry) -> None:
    community_id = _community(engine)
    assert not _tick(engine, registry, date(2027, 1, 2), Written()).changed
    _save(engine, active=False)
    assert not _tick(engine, registry, date(2027, 1, 3), Written()).changed
    assert _rounds(engine, community_id) == []


def test_a_round_planned_by_hand_is_kept_and_an_overlap_is_reported(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    taken, overlapping = _community(engine), _community(engine)
    with write_session(engine) as session:
        make_round(
            session,
            instrument,
            community_id=taken,
            period="2027-Q1",
            opens_on=date(2027, 1, 5),
            closes_on=date(2027, 2, 5),
        )
        make_round(
            session,
            instrument,
            community_id=overlapping,
            period="2026-Q4",
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 1, 10),
        )
    _save(engine)
    report = _tick(engine, registry, date(2027, 1, 2), Written())
    assert report.created == []
    assert [(c, p.code) for c, p in report.skipped] == [(overlapping, "error.round_overlaps")]
    assert [r.period for r in _rounds(engine, taken)] == ["2027-Q1"]


def test_switching_a_schedule_on_does_not_announce_what_went_before(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    community_id = _community(engine)
    with write_session(engine) as session:
        rnd = make_round(
            session,
            instrument,
            community_id=community_id,
            period="2027-Q1",
            opens_on=date(2027, 1, 1),
            closes_on=date(2027, 1, 28),
        )
    _save(engine, today=date(2027, 1, 10))
    notifier = Written()
    for offset in range(25):
        _tick(engine, registry, date(2027, 1, 10) + timedelta(days=offset), notifier)
    # Planned by hand and opened before the schedule was on: no invitations, but the reminders
    # and the closing notice from then on, and the publication.
    assert [(kind, day) for kind, _, day in notifier.calls] == [
        ("reminder", date(2027, 1, 21)),
        ("round_closing", date(2027, 1, 21)),
        ("reminder", date(2027, 1, 26)),
        ("round_published", date(2027, 1, 29)),
    ]
    assert {rid for _, rid, _ in notifier.calls} == {rnd.id}


def test_a_failing_notifier_is_tried_again_at_the_next_tick(
    engine: Engine, registry: Registry
) -> None:
    _community(engine)
    _save(engine)

    class Down(Written):
        def round_opened(self, round_id: int) -> None:
            raise ConnectionError(f"outbox unavailable for round {round_id}")

    report = _tick(engine, registry, date(2027, 1, 1), Down())
    assert report.created and report.sent == []
    assert [kind for _, kind, _ in report.failed] == ["round_opened"]
    assert "failed" in report.summary()
    notifier = Written()
    again = _tick(engine, registry, date(2027, 1, 2), notifier)
    assert [kind for kind, _, _ in notifier.calls] == ["round_opened"]
    assert [(kind, day) for _, kind, day in again.sent] == [("round_opened", date(2027, 1, 1))]


@pytest.mark.parametrize(
    ("entered", "fields"),
    [
        ({"open_day": 0}, {"open_day"}),
        ({"open_day": None, "open_days": None}, {"open_day", "open_days"}),
        ({"open_days": 91}, {"open_days"}),
        ({"open_day": 80, "open_days": 20}, {"open_days"}),
        ({"reminders": "7, x"}, {"reminders"}),
        ({"reminders": "30", "open_days": 14}, {"reminders"}),
        ({"reminders": "1 2 3 4 5 6"}, {"reminders"}),
    ],
)
def test_bad_schedules_are_refused_with_every_problem_and_nothing_written(
    sqlite_engine: Engine, entered: dict[str, object], fields: set[str]
) -> None:
    values: dict[str, object] = {"open_day": 1, "open_days": 28, "reminders": "7, 2"} | entered
    with pytest.raises(Invalid) as caught, write_session(sqlite_engine) as session:
        schedule.save_schedule(
            session,
            community_id=None,
            active=True,
            today=date(2027, 1, 1),
            actor=ADMIN,
            **values,  # type: ignore[arg-type]
        )
    assert {p.field for p in caught.value.problems} == fields
    for problem in caught.value.problems:
        nl, en = (translate(lang, problem.code, **problem.params) for lang in ("nl", "en"))
        assert problem.code not in (nl, en) and nl != en
    with read_session(sqlite_engine) as session:
        assert schedule.schedules(session) == []


def test_a_schedule_for_an_unknown_community_is_refused(sqlite_engine: Engine) -> None:
    with pytest.raises(Invalid) as caught, write_session(sqlite_engine) as session:
        schedule.save_schedule(
            session,
            community_id=999,
            active=True,
            open_day=1,
            open_days=28,
            reminders="",
            today=date(2027, 1, 1),
            actor=ADMIN,
        )
    assert [p.field for p in caught.value.problems] == ["community"]


def test_saving_keeps_the_rule_and_switching_on_again_moves_active_since(
    sqlite_engine: Engine,
) -> None:
    _save(sqlite_engine, open_day=5, open_days=20, reminders="2;7 7", today=date(2027, 1, 1))
    _save(sqlite_engine, active=False, today=date(2027, 2, 1))
    _save(sqlite_engine, open_day=5, open_days=20, reminders="", today=date(2027, 3, 1))
    with read_session(sqlite_engine) as session:
        (row,) = schedule.schedules(session)
        assert row.active_since == date(2027, 3, 1)
        assert schedule_store.rule_of(row).reminders == ()
    _save(sqlite_engine, open_day=5, open_days=20, reminders="2;7 7", today=date(2027, 4, 1))
    with read_session(sqlite_engine) as session:
        (row,) = schedule.schedules(session)
        assert schedule_store.rule_of(row).reminders == (7, 2)
        assert row.active_since == date(2027, 3, 1)


def test_after_days_without_a_tick_only_the_latest_reminder_goes_out(
    engine: Engine, registry: Registry
) -> None:
    _community(engine)
    _save(engine)
    notifier = Written()
    _tick(engine, registry, date(2027, 1, 1), notifier)
    days: list[date] = []

    class Late(Written):
        def reminders_due(self, round_id: int, today: date) -> None:
            days.append(today)
            self._add("reminder", round_id)

    late = Late()
    _tick(engine, registry, date(2027, 1, 27), late)  # nothing ran from the 2nd to the 26th
    assert [kind for kind, _, _ in late.calls] == ["reminder", "round_closing"]
    # The tick's own day: a reminder asked for by hand that day has the same key in the outbox,
    # so nobody gets two on one day.
    assert days == [date(2027, 1, 27)]
    assert not _tick(engine, registry, date(2027, 1, 28), late).changed
