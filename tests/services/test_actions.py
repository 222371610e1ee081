"""services.actions: an agreed action and its follow-up are written with their audit record
(never the action's text), and refused input writes nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from lc_health.domain.enums import ActionStatus
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.services import actions
from lc_health.store import db
from lc_health.store.models import Action, AuditEvent
from tests.factories import make_community, make_round
from tests.services.audited import count, events

LEAD = "trekker@example.org"
SECRET_TEXT = "Invite the alderman to the next session"


def _round(engine: Engine, instrument: Instrument, name: str) -> tuple[int, int]:
    with db.write_session(engine) as session:
        community = make_community(session, name=name)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return community.id, rnd.id


def test_an_action_and_its_follow_up_are_audited(engine: Engine, instrument: Instrument) -> None:
    community_id, round_id = _round(engine, instrument, "Kas van Morgen")
    with db.write_session(engine) as session:
        action = actions.record_action(
            session=session,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            factor_id=3,
            what=SECRET_TEXT,
            owner="Anna",
            due_on=date(2026, 12, 15),
        )
        action_id = action.id
    assert action_id is not None
    with db.write_session(engine) as session:
        actions.follow_up_action(
            session=session,
            actor=LEAD,
            community_id=community_id,
            action_id=action_id,
            status=ActionStatus.done,
            note="Done in November",
        )
    assert events(engine) == [
        (LEAD, "action.add", "Kas van Morgen"),
        (LEAD, "action.update", "Kas van Morgen"),
    ]
    with db.read_session(engine) as session:
        details = [json.loads(e.detail) for e in session.exec(select(AuditEvent)).all()]
        stored = session.get(Action, action_id)
    assert details == [{"factor": 3}, {"factor": 3, "status": "done"}]
    assert stored is not None and stored.status == "done" and stored.note == "Done in November"
    assert all(SECRET_TEXT not in json.dumps(d) for d in details)


def test_refused_actions_write_nothing(engine: Engine, instrument: Instrument) -> None:
    community_id, round_id = _round(engine, instrument, "Kas van Morgen")
    other_id, other_round = _round(engine, instrument, "Bijenlint")
    with db.write_session(engine) as session:
        theirs = actions.record_action(
            session=session,
            actor=LEAD,
            community_id=other_id,
            round_id=other_round,
            factor_id=1,
            what="Their action",
            owner="",
            due_on=None,
        )
        their_id = int(theirs.id or 0)
    before = count(engine, AuditEvent)
    attempts = [
        lambda s: actions.record_action(
            session=s,
            actor=LEAD,
            community_id=community_id,
            round_id=round_id,
            factor_id=1,
            what="   ",
            owner="",
            due_on=None,
        ),
        lambda s: actions.follow_up_action(
            session=s,
            actor=LEAD,
            community_id=community_id,
            action_id=their_id,
            status=ActionStatus.dropped,
            note="not ours",
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid), db.write_session(engine) as session:
            attempt(session)
    assert count(engine, AuditEvent) == before
    assert count(engine, Action) == 1
    with db.read_session(engine) as session:
        kept = session.get(Action, their_id)
    assert kept is not None and kept.status == ActionStatus.open.value
