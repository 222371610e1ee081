"""services.live on real databases: start, join by code (wrong codes counted and slowed down),
answers kept per phone, send, reveal only from the threshold on, publications in steps of the
threshold, reorder, end; and 40 phones joining and answering at once on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from lc_health.domain import live as live_rules
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.metrics.live import read_payload
from lc_health.services import live
from lc_health.store import db
from lc_health.store.models import AuditEvent, LiveSheet, Response
from tests.factories import make_community, make_round

LEAD = "trekker@example.org"
NOW = datetime(2026, 8, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 8, 1)


def _start(
    engine: Engine, instrument: Instrument, *, tied: bool = False, threshold: int = 5
) -> tuple[int, str]:
    with db.write_session(engine) as session:
        community = make_community(session, name="Kas van Morgen")
        assert community.id is not None
        round_id = None
        if tied:
            rnd = make_round(session, instrument, community_id=community.id)
            round_id = rnd.id
        row = live.start(
            session,
            actor=LEAD,
            community_id=community.id,
            round_id=round_id,
            threshold=threshold,
            today=TODAY,
        )
        assert row.id is not None
        return row.id, row.code


def _phone(
    engine: Engine, code: str, token: str, answers: dict[int, int], *, send: bool = True
) -> int:
    with db.write_session(engine) as session:
        sid = live.join(session, code=code, phone_token=token, client="", language="en", now=NOW)
    assert sid is not None
    for factor, value in answers.items():  # one save per answer, as the phone does
        with db.write_session(engine) as session:
            live.save_answers(session, session_id=sid, phone_token=token, answers={factor: value})
    if send:
        with db.write_session(engine) as session:
            live.send(session, session_id=sid, phone_token=token, now=datetime.now(UTC))
    return sid


def _all(value: int) -> dict[int, int]:
    return dict.fromkeys(live_rules.FACTORS, value)


def test_a_phone_joins_by_code_keeps_its_answers_and_sends(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code = _start(sqlite_engine, instrument)
    assert len(code) == 6 and set(code) <= set(live_rules.CODE_ALPHABET)
    typed = f" {code[:3].lower()}-{code[3:]} "
    with db.write_session(sqlite_engine) as session:
        assert (
            live.join(session, code=typed, phone_token="p1", client="", language="en", now=NOW)
            == sid
        )
    with db.write_session(sqlite_engine) as session:
        live.save_answers(
            session, session_id=sid, phone_token="p1", answers={1: 4, "2": 0, 13: 5, 3: 9}
        )
    # The connection dropped: the phone comes back with its token and finds its answers.
    with db.read_session(sqlite_engine) as session:
        back = live.phone(session, session_id=sid, phone_token="p1")
    assert back is not None and back.answers == {1: 4, 2: 0} and not back.sent
    with db.write_session(sqlite_engine) as session, pytest.raises(Invalid) as refused:
        live.send(session, session_id=sid, phone_token="p1", now=NOW)
    assert refused.value.problems[0].code == "error.live_incomplete"
    _phone(sqlite_engine, code, "p1", _all(3))
    with db.write_session(sqlite_engine) as session, pytest.raises(Invalid) as final:
        live.save_answers(session, session_id=sid, phone_token="p1", answers={1: 1})
    assert final.value.problems[0].code == "error.live_sent"
    with db.read_session(sqlite_engine) as session:
        sheet = session.exec(select(LiveSheet)).one()
        assert sheet.phone_key != "p1" and len(sheet.phone_key) == 64  # only a hash of the token
        assert json.loads(sheet.answers) == {str(f): 3 for f in live_rules.FACTORS}
        assert session.exec(select(Response)).all() == []  # never a round's response


def test_wrong_codes_are_counted_and_slow_down_guessing(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    _, code = _start(sqlite_engine, instrument)
    wrong = "AAAAAA" if code != "AAAAAA" else "CCCCCC"
    for _ in range(live_rules.WRONG_CODES_BEFORE_WAIT):
        with db.write_session(sqlite_engine) as session:
            assert (
                live.join(
                    session, code=wrong, phone_token="x", client="10.0.0.9", language="nl", now=NOW
                )
                is None
            )
    # From now on even the right code waits, from that client; another client is not held up.
    with db.write_session(sqlite_engine) as session, pytest.raises(Invalid) as waiting:
        live.join(session, code=code, phone_token="x", client="10.0.0.9", language="nl", now=NOW)
    assert waiting.value.problems[0].code == "error.live_wait"
    with db.write_session(sqlite_engine) as session:
        assert live.join(
            session, code=code, phone_token="y", client="10.0.0.8", language="nl", now=NOW
        )
    later = NOW + timedelta(seconds=31)
    with db.write_session(sqlite_engine) as session:
        assert live.join(
            session, code=code, phone_token="x", client="10.0.0.9", language="nl", now=later
        )
    # Not even a possible code is not a guess (and not looked up).
    assert live_rules.normalise_code("O0O0O0") is None


def test_reveal_waits_for_the_threshold_and_figures_step_by_threshold(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code = _start(sqlite_engine, instrument, threshold=5)
    for i in range(4):
        _phone(sqlite_engine, code, f"p{i}", _all(2))
    with db.write_session(sqlite_engine) as session, pytest.raises(Invalid) as too_few:
        live.reveal(session, actor=LEAD, session_id=sid, now=NOW)
    assert too_few.value.problems[0].code == "error.live_too_few"
    with db.read_session(sqlite_engine) as session:
        shown = live.projector(session, session_id=sid)
    assert shown is not None and shown.sent == 4 and shown.published == b"" and not shown.revealed
    for i in range(4, 7):
        _phone(sqlite_engine, code, f"p{i}", _all(4))
    with db.write_session(sqlite_engine) as session:
        live.reveal(session, actor=LEAD, session_id=sid, now=NOW)
    with db.read_session(sqlite_engine) as session:
        shown = live.projector(session, session_id=sid)
    assert shown is not None and shown.published_count == 7
    first = shown.published
    picture = read_payload(first)
    assert picture["sheets"] == 7
    # Four more: not a step yet; the fifth makes one of exactly five.
    for i in range(7, 11):
        _phone(sqlite_engine, code, f"p{i}", _all(5))
    with db.write_session(sqlite_engine) as session:
        assert live.publish_due(session, session_id=sid) == 7
    with db.read_session(sqlite_engine) as session:
        assert live.projector(session, session_id=sid).published == first  # type: ignore[union-attr]
    _phone(sqlite_engine, code, "p11", _all(5))
    with db.write_session(sqlite_engine) as session:
        assert live.publish_due(session, session_id=sid) == 12
    with db.write_session(sqlite_engine) as session:
        assert live.reorder(session, actor=LEAD, session_id=sid, order=[12, 3, 3, 1]) == [12, 3, 1]
        with pytest.raises(Invalid):
            live.reorder(session, actor=LEAD, session_id=sid, order=[13])
    with db.write_session(sqlite_engine) as session:
        live.end(session, actor=LEAD, session_id=sid)
    with db.write_session(sqlite_engine) as session:
        assert (
            live.join(session, code=code, phone_token="late", client="", language="nl", now=NOW)
            is None
        )
    with db.read_session(sqlite_engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("live.start") == 1 and "live.reveal" in actions and "live.end" in actions


def test_a_session_ties_only_to_the_communitys_open_round(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, _ = _start(sqlite_engine, instrument, tied=True)
    with db.read_session(sqlite_engine) as session:
        assert live.projector(session, session_id=sid).round_id is not None  # type: ignore[union-attr]
    with db.write_session(sqlite_engine) as session:
        other = make_community(session, name="Robothuis")
        assert other.id is not None
        with pytest.raises(Invalid) as wrong:
            live.start(
                session, actor=LEAD, community_id=other.id, round_id=1, threshold=5, today=TODAY
            )
    assert wrong.value.problems[0].code == "error.live_round"
    with db.write_session(sqlite_engine) as session, pytest.raises(ValueError):
        live.start(session, actor=LEAD, community_id=1, round_id=None, threshold=2, today=TODAY)


PHONES = 40


def test_forty_phones_join_and_answer_at_once(engine: Engine, instrument: Instrument) -> None:
    """A room of 40: every sheet stored, and the projector's count right within 2 s of the
    last one sent."""
    sid, code = _start(engine, instrument)
    errors: list[BaseException] = []
    seen_at: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            with db.read_session(engine) as session:
                shown = live.projector(session, session_id=sid)
            if shown is not None and shown.sent == PHONES:
                seen_at.append(time.monotonic())
                return
            time.sleep(0.1)

    def phone(n: int) -> None:
        try:
            _phone(engine, code, f"phone-{n}", {f: (n + f) % 6 for f in live_rules.FACTORS})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    last_sent = time.monotonic()
    watcher.join(timeout=5)
    done.set()
    assert errors == []
    with db.read_session(engine) as session:
        shown = live.projector(session, session_id=sid)
        sheets = session.exec(select(LiveSheet)).all()
    assert shown is not None and (shown.joined, shown.sent) == (PHONES, PHONES)
    assert all(
        live_rules.is_complete(live_rules.clean_answers(json.loads(s.answers))) for s in sheets
    )
    assert seen_at and seen_at[0] - last_sent < 2.0
    with db.write_session(engine) as session:
        live.reveal(session, actor=LEAD, session_id=sid, now=NOW)
    with db.read_session(engine) as session:
        picture = read_payload(live.projector(session, session_id=sid).published)  # type: ignore[union-attr]
    assert picture["sheets"] == PHONES


def test_the_live_bench_reports_a_whole_room(sqlite_engine: Engine) -> None:
    from lc_health.bench.live import render, run_room

    result = run_room(sqlite_engine, phones=8)
    assert (result.stored, result.errors) == (8, 0)
    assert result.projector_lag < 2.0
    text = render(result, "SQLite")
    assert "8 phones at once" in text and "Stored: 8 of 8 sheets, 0 errors" in text


def test_a_step_is_due_only_after_the_reveal_and_a_full_step(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code = _start(sqlite_engine, instrument, threshold=3)
    for i in range(3):
        _phone(sqlite_engine, code, f"p{i}", _all(1))

    def due() -> bool:
        with db.read_session(sqlite_engine) as session:
            state = live.projector(session, session_id=sid)
        assert state is not None
        return live.step_due(state)

    assert not due()  # not revealed
    with db.write_session(sqlite_engine) as session:
        live.reveal(session, actor=LEAD, session_id=sid, now=NOW)
    _phone(sqlite_engine, code, "p3", _all(2))
    _phone(sqlite_engine, code, "p4", _all(2))
    assert not due()
    _phone(sqlite_engine, code, "p5", _all(2))
    assert due()
    with db.write_session(sqlite_engine) as session:
        assert live.publish_due(session, session_id=sid) == 6
    assert not due()
