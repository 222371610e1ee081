"""services.agenda and services.round_record: the group's agenda (dots, ties in the proposal
order, factors added and dropped), "discussed, no action" with a note, an agreed action marking
its factor, the closing summary; every write audited without its text, refused input writing
nothing, and the round's record holding only what participants may see."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from lc_health.domain.enums import ActionStatus
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.services import actions, agenda
from lc_health.services.round_record import AgreedAction, DiscussedFactor, round_record
from lc_health.store import db
from lc_health.store.models import AgendaItem, AuditEvent, MeetingSummary
from tests.factories import make_community, make_round
from tests.services.audited import count, events

LEAD = "trekker@example.org"
PROPOSED = (9, 3, 5)
NOTE = "We talked it through: the new partner covers this already"
SUMMARY = "Funding first.\r\nNext time: the vacuum between ideas and use.\x00\x07"


def _round(engine: Engine, instrument: Instrument, name: str = "Kas van Morgen") -> tuple[int, int]:
    with db.write_session(engine) as session:
        community = make_community(session, name=name)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return community.id, rnd.id


def _vote(engine: Engine, community_id: int, round_id: int, dots: dict[int, object]) -> list[int]:
    with db.write_session(engine) as session:
        frame = agenda.vote(
            session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            proposed=PROPOSED,
            dots=dots,
        )
    return [int(f) for f in frame.loc[~frame["dropped"], "factor_id"]]


def _on(engine: Engine, community_id: int, round_id: int, factor: int, *, on: bool) -> None:
    with db.write_session(engine) as session:
        agenda.set_on_agenda(
            session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            factor_id=factor,
            proposed=PROPOSED,
            on_agenda=on,
        )


def _order(engine: Engine, round_id: int) -> list[int]:
    with db.read_session(engine) as session:
        frame = agenda.agenda_frame(session, round_id=round_id, proposed=PROPOSED)
    return [int(f) for f in frame.loc[~frame["dropped"], "factor_id"]]


def test_dots_order_the_agenda_and_ties_keep_the_proposal_order(
    engine: Engine, instrument: Instrument
) -> None:
    community_id, round_id = _round(engine, instrument)
    assert _order(engine, round_id) == [9, 3, 5]  # before any vote: the proposal
    assert _vote(engine, community_id, round_id, {9: 2, 3: 4, 5: 2}) == [3, 9, 5]
    assert _vote(engine, community_id, round_id, {3: 0}) == [9, 5, 3]
    _on(engine, community_id, round_id, 12, on=True)  # the group's own factor comes last...
    assert _order(engine, round_id) == [9, 5, 3, 12]  # ...among equals (0 dots)
    assert _vote(engine, community_id, round_id, {12: 7}) == [12, 9, 5, 3]
    _on(engine, community_id, round_id, 9, on=False)
    assert _order(engine, round_id) == [12, 5, 3]
    _on(engine, community_id, round_id, 9, on=True)  # back, with its dots
    assert _order(engine, round_id) == [12, 9, 5, 3]
    with db.read_session(engine) as session:
        rows = {r.factor_id: r for r in session.exec(select(AgendaItem)).all()}
    assert rows[12].added_by_group and not rows[9].added_by_group
    assert rows[12].position == len(PROPOSED) and rows[9].position == 0
    assert rows[12].updated_by == LEAD
    assert [e[1] for e in events(engine)] == [
        "agenda.vote",
        "agenda.vote",
        "agenda.add",
        "agenda.vote",
        "agenda.drop",
        "agenda.add",
    ]
    with db.read_session(engine) as session:
        first = session.exec(select(AuditEvent).order_by(AuditEvent.id)).first()  # type: ignore[arg-type]
    assert first is not None
    assert json.loads(first.detail) == {"round": round_id, "dots": {"3": 4, "5": 2, "9": 2}}


def test_no_action_and_an_agreed_action_are_the_factors_outcome(
    engine: Engine, instrument: Instrument
) -> None:
    community_id, round_id = _round(engine, instrument)
    with db.write_session(engine) as session:
        agenda.record_no_action(
            session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            factor_id=3,
            proposed=PROPOSED,
            note=f"  {NOTE}\x1b ",
        )
        agenda.agree_action(
            session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            factor_id=9,
            proposed=PROPOSED,
            what="Ask two growers to co-fund a coordinator",
            owner="Anna de Vries",
            due_on=date(2027, 1, 31),
        )
    with db.read_session(engine) as session:
        rows = {r.factor_id: r for r in session.exec(select(AgendaItem)).all()}
    assert rows[3].outcome == "no_action" and rows[3].note == NOTE
    assert rows[9].outcome == "action" and rows[9].note == ""
    assert [e[1] for e in events(engine)] == ["agenda.no_action", "action.add"]
    with db.read_session(engine) as session:
        details = " ".join(e.detail for e in session.exec(select(AuditEvent)).all())
    assert NOTE not in details and "growers" not in details


def test_closing_keeps_the_summary_clean_and_audits_without_the_text(
    engine: Engine, instrument: Instrument
) -> None:
    community_id, round_id = _round(engine, instrument)
    with db.write_session(engine) as session:
        agenda.close_meeting(
            session, actor=LEAD, community_id=community_id, round_id=round_id, text=SUMMARY
        )
    with db.write_session(engine) as session:  # closing again replaces it
        agenda.close_meeting(
            session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            text=SUMMARY + " Done.",
        )
    with db.read_session(engine) as session:
        stored = agenda.meeting_summary(session, round_id=round_id)
    assert stored is not None and stored.closed_by == LEAD
    assert stored.text == ("Funding first.\nNext time: the vacuum between ideas and use. Done.")
    assert count(engine, MeetingSummary) == 1
    assert events(engine) == [(LEAD, "agenda.close", "Kas van Morgen")] * 2
    with db.read_session(engine) as session:
        details = [e.detail for e in session.exec(select(AuditEvent)).all()]
    assert all("Funding" not in d for d in details)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        ("vote_negative", "error.agenda_dots"),
        ("vote_too_many", "error.agenda_dots"),
        ("vote_text", "error.agenda_dots"),
        ("vote_bad_factor", "error.agenda_factor"),
        ("add_bad_factor", "error.agenda_factor"),
        ("note_too_long", "error.too_long"),
        ("summary_empty", "error.required"),
        ("summary_controls_only", "error.required"),
        ("summary_too_long", "error.too_long"),
        ("other_round", "error.agenda_round"),
        ("action_empty", "error.required"),
    ],
)
def test_refused_input_writes_nothing(
    engine: Engine, instrument: Instrument, call: str, code: str
) -> None:
    community_id, round_id = _round(engine, instrument)
    _, their_round = _round(engine, instrument, name="Bijenlint")
    common = {"actor": LEAD, "community_id": community_id, "round_id": round_id}
    calls = {
        "vote_negative": lambda s: agenda.vote(s, **common, proposed=PROPOSED, dots={9: 1, 3: -1}),
        "vote_too_many": lambda s: agenda.vote(s, **common, proposed=PROPOSED, dots={9: 100}),
        "vote_text": lambda s: agenda.vote(s, **common, proposed=PROPOSED, dots={9: "3"}),
        "vote_bad_factor": lambda s: agenda.vote(s, **common, proposed=PROPOSED, dots={0: 1}),
        "add_bad_factor": lambda s: agenda.set_on_agenda(
            s, **common, factor_id=True, proposed=PROPOSED, on_agenda=True
        ),
        "note_too_long": lambda s: agenda.record_no_action(
            s, **common, factor_id=3, proposed=PROPOSED, note="x" * (agenda.MAX_NOTE + 1)
        ),
        "summary_empty": lambda s: agenda.close_meeting(s, **common, text="  \n "),
        "summary_controls_only": lambda s: agenda.close_meeting(s, **common, text="\x00\x01"),
        "summary_too_long": lambda s: agenda.close_meeting(
            s, **common, text="y" * (agenda.MAX_SUMMARY + 1)
        ),
        "other_round": lambda s: agenda.close_meeting(
            s, actor=LEAD, community_id=community_id, round_id=their_round, text="ok"
        ),
        "action_empty": lambda s: agenda.agree_action(
            s, **common, factor_id=9, proposed=PROPOSED, what=" ", owner="", due_on=None
        ),
    }
    with pytest.raises(Invalid) as refused, db.write_session(engine) as session:
        calls[call](session)
    assert [p.code for p in refused.value.problems][0] == code
    assert count(engine, AuditEvent) == 0
    assert count(engine, AgendaItem) == 0 and count(engine, MeetingSummary) == 0


def test_round_record_holds_what_participants_may_see(
    engine: Engine, instrument: Instrument
) -> None:
    community_id, round_id = _round(engine, instrument)
    _vote(engine, community_id, round_id, {5: 3, 9: 1})
    _on(engine, community_id, round_id, 3, on=False)  # dropped: not in the record
    with db.write_session(engine) as session:
        common = {"actor": LEAD, "community_id": community_id, "round_id": round_id}
        agenda.record_no_action(session, **common, factor_id=5, proposed=PROPOSED, note=NOTE)
        action = agenda.agree_action(
            session,
            **common,
            factor_id=9,
            proposed=PROPOSED,
            what="Ask two growers to co-fund a coordinator",
            owner="Anna de Vries",
            due_on=date(2027, 1, 31),
        )
        action_id = int(action.id or 0)
    with db.write_session(engine) as session:
        actions.follow_up_action(
            session=session,
            actor=LEAD,
            community_id=community_id,
            action_id=action_id,
            status=ActionStatus.in_progress,
            note="Anna phoned Jan",
        )
    assert round_record(engine, round_id=round_id).summary is None
    with db.write_session(engine) as session:
        agenda.close_meeting(session, **common, text="Funding first.")
    record = round_record(engine, round_id=round_id)
    assert record.round_id == round_id and record.community_id == community_id
    assert record.period == "2026-Q3"
    assert record.discussed == (
        DiscussedFactor(factor_id=5, outcome="no_action", note=NOTE),
        DiscussedFactor(factor_id=9, outcome="action", note=""),
    )
    assert record.actions == (
        AgreedAction(
            factor_id=9,
            what="Ask two growers to co-fund a coordinator",
            due_on=date(2027, 1, 31),
            status="in_progress",
        ),
    )
    assert record.summary == "Funding first." and record.closed_on is not None
    assert not record.is_empty
    shown = repr(record)
    assert "Anna" not in shown and LEAD not in shown and "trekker" not in shown
    with pytest.raises(KeyError):
        round_record(engine, round_id=round_id + 999)


def test_follow_up_of_an_action_of_an_earlier_round_and_recovered_factor(
    engine: Engine, instrument: Instrument
) -> None:
    """An action from an earlier round, on a factor not on this round's agenda, can still be
    followed up (the service does not care about the agenda), and its note is cleaned."""
    community_id, round_id = _round(engine, instrument)
    with db.write_session(engine) as session:
        later = make_round(
            session,
            instrument,
            community_id=community_id,
            period="2026-Q4",
            opens_on=date(2026, 10, 1),
            closes_on=date(2026, 12, 31),
        )
        old = actions.record_action(
            session=session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            factor_id=7,
            what="Monthly demo",
            owner="",
            due_on=date(2026, 10, 1),
        )
    assert later.id is not None and old.id is not None
    with db.write_session(engine) as session:
        done = actions.follow_up_action(
            session=session,
            actor=LEAD,
            community_id=community_id,
            action_id=old.id,
            status=ActionStatus.done,
            note="Held\x00 twice\r\nsince",
        )
    assert done.status == "done" and done.note == "Held twice\nsince"
