"""A live session tied to the open round (services.live.send_tied): the phones answer the
round's instrument, each sheet sent is a response of the round (source "live", tallies
updated) unless the phone already answered the round, the projector's picture is computed from
the same answers as the review's factor scores, a phone can take its response out again; live
sessions go with the retention purge and forget an erased lead. Real SQLite, and PostgreSQL
where phones write at once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from lc_health.domain import live as live_rules
from lc_health.domain.disclosure import Channel, channel_of, shown
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.metrics.live import read_payload
from lc_health.services import live, privacy
from lc_health.store import db
from lc_health.store.models import (
    AuditEvent,
    ItemTally,
    LiveSession,
    LiveSheet,
    Response,
    RoundTally,
    ScoreTally,
)
from tests.factories import make_community, make_round

LEAD = "trekker@example.org"
NOW = datetime(2026, 8, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 8, 1)


def _start(engine: Engine, instrument: Instrument, threshold: int = 3) -> tuple[int, str, int]:
    with db.write_session(engine) as session:
        community = make_community(session, name="Kas van Morgen")
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        row = live.start(
            session,
            actor=LEAD,
            community_id=community.id,
            round_id=rnd.id,
            threshold=threshold,
            today=TODAY,
        )
        assert row.id is not None
        return row.id, row.code, rnd.id


def _sheet(instrument: Instrument, n: int) -> dict[str, int]:
    return {item.id: (n + i) % 6 for i, item in enumerate(instrument.items)}


def _phone(
    engine: Engine,
    instrument: Instrument,
    code: str,
    token: str,
    answers: dict[str, int],
    *,
    already: bool = False,
) -> int:
    with db.write_session(engine) as session:
        sid = live.join(session, code=code, phone_token=token, client="", language="en", now=NOW)
    assert sid is not None
    with db.write_session(engine) as session:
        live.save_answers(
            session, session_id=sid, phone_token=token, answers=answers, instrument=instrument
        )
    live.send_tied(
        engine,
        session_id=sid,
        phone_token=token,
        instrument=instrument,
        already_answered=already,
        now=NOW,
        today=TODAY,
    )
    return sid


def test_a_tied_sheet_is_a_response_of_the_round_and_the_picture_matches_the_review(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code, round_id = _start(sqlite_engine, instrument)
    with db.read_session(sqlite_engine) as session:
        shown_state = live.projector(session, session_id=sid)
    assert shown_state is not None and shown_state.instrument == instrument.key
    # A tied session keeps item answers only; a factor's number is not one of its answers.
    with db.write_session(sqlite_engine) as session:
        live.join(session, code=code, phone_token="p0", client="", language="en", now=NOW)
        kept = live.save_answers(
            session,
            session_id=sid,
            phone_token="p0",
            answers={1: 4, "nope": 3, instrument.items[0].id: 9, instrument.items[1].id: 2},
            instrument=instrument,
        )
    assert kept == {instrument.items[1].id: 2}
    with pytest.raises(Invalid) as incomplete:
        live.send_tied(
            sqlite_engine,
            session_id=sid,
            phone_token="p0",
            instrument=instrument,
            already_answered=False,
            now=NOW,
            today=TODAY,
        )
    assert incomplete.value.problems[0].code == "error.live_incomplete"
    with db.write_session(sqlite_engine) as session, pytest.raises(Invalid) as untied_send:
        live.send(session, session_id=sid, phone_token="p0", now=NOW)
    assert untied_send.value.problems[0].code == "error.live_instrument"

    for n in range(4):
        _phone(sqlite_engine, instrument, code, f"p{n}", _sheet(instrument, n))
    # A second tap stores nothing twice.
    live.send_tied(
        sqlite_engine,
        session_id=sid,
        phone_token="p1",
        instrument=instrument,
        already_answered=False,
        now=NOW,
        today=TODAY,
    )
    with db.read_session(sqlite_engine) as session:
        responses = session.exec(select(Response).where(col(Response.round_id) == round_id)).all()
        tally = session.get(RoundTally, round_id)
        items = session.exec(select(ItemTally).where(col(ItemTally.round_id) == round_id)).all()
        factors = {
            s.key: s
            for s in session.exec(
                select(ScoreTally).where(
                    col(ScoreTally.round_id) == round_id, col(ScoreTally.scope) == "factor"
                )
            ).all()
        }
        phone = live.phone(session, session_id=sid, phone_token="p2")
    assert len(responses) == 4 and {r.source for r in responses} == {"live"}
    # A room with a code is counted as an open link is (docs/live-session.md).
    assert all(
        channel_of(invitation_id=r.invitation_id, source=r.source) is Channel.open_link
        for r in responses
    )
    assert not any(r.answered_forces or r.role for r in responses)
    assert {r.language for r in responses} == {"en"} and all(
        r.invitation_id is None for r in responses
    )
    assert tally is not None and tally.responses == 4
    assert sum(i.n1 + i.n2 + i.n3 + i.n4 + i.n5 + i.n_dk for i in items) == 4 * len(
        instrument.items
    )
    assert phone is not None and phone.sent and phone.in_round is True

    with db.write_session(sqlite_engine) as session:
        live.reveal(session, actor=LEAD, session_id=sid, now=NOW, instrument=instrument)
    with db.read_session(sqlite_engine) as session:
        state = live.projector(session, session_id=sid)
    assert state is not None
    picture = read_payload(state.published)
    assert picture["sheets"] == 4
    for row in picture["factors"]:
        tallied = factors.get(str(row["factor"]))
        if row["suppressed"]:
            continue
        # The projector's factor mean is the round's own factor mean over the same answers.
        assert tallied is not None and row["n"] == tallied.n
        assert row["mean"] == shown(tallied.total / tallied.n)


def test_a_phone_that_already_answered_stays_in_the_room_only(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code, round_id = _start(sqlite_engine, instrument)
    for n in range(3):
        _phone(sqlite_engine, instrument, code, f"p{n}", _sheet(instrument, n), already=n == 0)
    with db.read_session(sqlite_engine) as session:
        assert len(session.exec(select(Response)).all()) == 2
        tally = session.get(RoundTally, round_id)
        first = live.phone(session, session_id=sid, phone_token="p0")
    assert tally is not None and tally.responses == 2
    assert first is not None and first.sent and first.in_round is False
    with db.write_session(sqlite_engine) as session:
        live.reveal(session, actor=LEAD, session_id=sid, now=NOW, instrument=instrument)
    with db.read_session(sqlite_engine) as session:
        state = live.projector(session, session_id=sid)
    assert state is not None and read_payload(state.published)["sheets"] == 3  # all in the room


def test_a_round_closed_by_the_time_of_sending_keeps_the_sheet_in_the_room(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code, _ = _start(sqlite_engine, instrument)
    with db.write_session(sqlite_engine) as session:
        live.join(session, code=code, phone_token="late", client="", language="nl", now=NOW)
        live.save_answers(
            session,
            session_id=sid,
            phone_token="late",
            answers=_sheet(instrument, 1),
            instrument=instrument,
        )
    live.send_tied(
        sqlite_engine,
        session_id=sid,
        phone_token="late",
        instrument=instrument,
        already_answered=False,
        now=NOW,
        today=date(2026, 10, 2),  # the round closed on 30 September
    )
    with db.read_session(sqlite_engine) as session:
        assert session.exec(select(Response)).all() == []
        assert session.exec(select(LiveSheet)).one().in_round is False


def test_a_phone_takes_its_response_out_of_the_round(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    sid, code, round_id = _start(sqlite_engine, instrument)
    _phone(sqlite_engine, instrument, code, "mine", _sheet(instrument, 2))
    _phone(sqlite_engine, instrument, code, "other", _sheet(instrument, 3))
    with db.write_session(sqlite_engine) as session:
        assert live.withdraw_sheet(
            session, session_id=sid, phone_token="mine", instrument=instrument
        )
    with db.write_session(sqlite_engine) as session:  # a second time: nothing left
        assert not live.withdraw_sheet(
            session, session_id=sid, phone_token="mine", instrument=instrument
        )
        assert not live.withdraw_sheet(
            session, session_id=sid, phone_token="stranger", instrument=instrument
        )
    with db.read_session(sqlite_engine) as session:
        left = session.exec(select(Response)).all()
        tally = session.get(RoundTally, round_id)
        mine = live.phone(session, session_id=sid, phone_token="mine")
        events = session.exec(select(AuditEvent.action)).all()
    assert len(left) == 1 and left[0].submission_key != live_rules.submission_key(1)
    assert tally is not None and tally.responses == 1
    assert mine is not None and mine.sent and mine.in_round is False
    assert "live.withdraw" in events


PHONES = 24


def test_a_room_of_tied_phones_sends_at_once(engine: Engine, instrument: Instrument) -> None:
    """Phones sending together through the survey's group-commit writer: every sheet is one
    response, the tallies count each once."""
    _, code, round_id = _start(engine, instrument, threshold=5)
    errors: list[BaseException] = []

    def phone(n: int) -> None:
        try:
            _phone(engine, instrument, code, f"phone-{n}", _sheet(instrument, n), already=n < 4)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(PHONES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with db.read_session(engine) as session:
        responses = session.exec(select(Response).where(col(Response.round_id) == round_id)).all()
        tally = session.get(RoundTally, round_id)
        sent = session.exec(select(LiveSheet).where(col(LiveSheet.sent_at).is_not(None))).all()
    assert len(responses) == PHONES - 4 and tally is not None and tally.responses == PHONES - 4
    assert len(sent) == PHONES


def test_retention_purges_old_live_sessions_and_erasure_forgets_the_lead(
    engine: Engine, instrument: Instrument
) -> None:
    sid, code, _ = _start(engine, instrument)
    _phone(engine, instrument, code, "p1", _sheet(instrument, 1))
    with db.write_session(engine) as session:
        old = session.get(LiveSession, sid)
        assert old is not None
        old.started_at = NOW - timedelta(days=4 * 366)
        session.add(old)
        community_id = old.community_id
        recent = live.start(
            session, actor=LEAD, community_id=community_id, round_id=None, threshold=5, today=TODAY
        )
        live.start(
            session,
            actor="ander@example.org",
            community_id=community_id,
            round_id=None,
            threshold=5,
            today=TODAY,
        )
    with db.read_session(engine) as session:
        preview = privacy.purge_preview(session=session, now=NOW, years=3)
    assert (preview.live_sessions, preview.live_sheets) == (1, 1)
    with db.write_session(engine) as session:
        counts = privacy.purge_expired(session=session, now=NOW, years=3, actor="test")
    assert counts == preview
    with db.read_session(engine) as session:
        left = session.exec(select(LiveSession)).all()
        assert session.exec(select(LiveSheet)).all() == []
        # The sheet's response is the round's: it follows the round's retention, not the room's.
        assert len(session.exec(select(Response)).all()) == 1
        assert "live.purge" in session.exec(select(AuditEvent.action)).all()
    assert recent.id in {s.id for s in left} and sid not in {s.id for s in left}
    with db.write_session(engine) as session:  # again: nothing older is left
        again = privacy.purge_expired(session=session, now=NOW, years=3)
    assert again.live_sessions == 0

    with db.write_session(engine) as session:
        assert live.forget_lead(session, email=LEAD, actor="admin@example.org") == 1
    with db.read_session(engine) as session:
        starters = sorted(s.started_by for s in session.exec(select(LiveSession)).all())
        audit_text = " ".join(
            f"{e.actor} {e.target} {e.detail}"
            for e in session.exec(select(AuditEvent)).all()
            if e.action == "live.forget_lead"
        )
    assert starters == [live.ERASED_LEAD, "ander@example.org"]
    assert LEAD not in audit_text


def test_the_live_bench_runs_a_tied_room(engine: Engine, instrument: Instrument) -> None:
    from lc_health.bench.live import render, run_room

    result = run_room(engine, phones=6, instrument=instrument)
    assert (result.stored, result.errors, result.questions) == (6, 0, len(instrument.items))
    with db.read_session(engine) as session:
        assert len(session.exec(select(Response)).all()) == 6
    text = render(result, "SQLite")
    assert "tied to a round" in text and "stored as a round response" in text
