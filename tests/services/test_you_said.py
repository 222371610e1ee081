"""The You-said page data on SQLite and PostgreSQL: a published round's picture, forces and
agreed actions; nothing for a round that was not published; never an action's owner or the
lead's follow-up note."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from lc_health.domain.enums import ActionStatus, Source
from lc_health.domain.instrument import Instrument, Registry
from lc_health.services.actions import follow_up_action, record_action
from lc_health.services.you_said import AgreedAction, published_rounds, you_said
from lc_health.store.db import write_session
from tests import publishing as pub


def _action(engine: Engine, community_id: int, round_id: int, what: str) -> None:
    with write_session(engine) as session:
        action = record_action(
            session=session,
            actor="lead@example.org",
            community_id=community_id,
            round_id=round_id,
            factor_id=7,
            what=what,
            owner="Anna de Vries",
            due_on=date(2027, 2, 1),
        )
        assert action.id is not None
        follow_up_action(
            session=session,
            actor="lead@example.org",
            community_id=community_id,
            action_id=action.id,
            status=ActionStatus.done,
            note="Anna belde de wethouder",
        )


def test_published_round_gives_its_picture_and_actions(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    facilitating = instrument.forces_of("facilitating")[0].id
    with write_session(engine) as session:
        first = pub.make(session, instrument)
        later = pub.make(
            session,
            instrument,
            community_id=first.community_id,
            period="2026-Q4",
            opens_on=date(2026, 10, 1),
            closes_on=date(2026, 12, 20),  # still open on pub.TODAY
        )
        for value in (2, 3, 4, 4, 5, 5):
            pub.answer(
                session,
                instrument,
                first,
                pub.all_items(instrument, value),
                source=Source.paper,
                forces=frozenset({facilitating}),
            )
            pub.answer(
                session, instrument, later, pub.all_items(instrument, 1), source=Source.paper
            )
    _action(engine, first.community_id, first.round_id, "Tussenresultaten elke maand delen")
    _action(engine, first.community_id, later.round_id, "Nog niet gepubliceerd")
    pub.publish(engine, registry)
    assert published_rounds(engine, community_id=first.community_id) == [
        (first.round_id, "2026-Q3")
    ]
    assert you_said(engine, round_id=later.round_id) is None  # open: nothing of it
    found = you_said(engine, round_id=first.round_id)
    assert found is not None and found.responses == 6 and found.period == "2026-Q3"
    assert [f.factor_id for f in found.factors] == sorted(f.id for f in instrument.factors)
    assert {(f.n, f.mean, f.median) for f in found.factors} == {(6, 3.8, 4.0)}
    assert found.forces == ((facilitating, 6),) and found.forces_respondents == 6
    assert found.actions == (
        AgreedAction(
            factor_id=7,
            what="Tussenresultaten elke maand delen",
            status="done",
            due_on=date(2027, 2, 1),
        ),
    )
    assert found.discussed == () and found.summary is None
    data = found.to_json()
    assert b"Anna" not in data and b"Nog niet" not in data
    assert data == you_said(engine, round_id=first.round_id).to_json()  # type: ignore[union-attr]


def test_too_few_responses_publish_no_picture_but_the_actions(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument)
        for _ in range(4):
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 2), source=Source.paper)
    _action(engine, rnd.community_id, rnd.round_id, "Meer mensen uitnodigen")
    pub.publish(engine, registry)
    found = you_said(engine, round_id=rnd.round_id)
    assert found is not None and found.responses == 4
    assert not found.has_picture and found.forces == ()
    assert [a.what for a in found.actions] == ["Meer mensen uitnodigen"]


def test_the_meeting_record_reaches_the_page(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """What the group discussed without an action, and the closing summary, are part of the
    participants' page; the lead's e-mail address, as editor, is not."""
    from lc_health.services import agenda

    with write_session(engine) as session:
        rnd = pub.make(session, instrument)
        for value in (2, 3, 4, 4, 5, 5):
            pub.answer(
                session, instrument, rnd, pub.all_items(instrument, value), source=Source.paper
            )
    pub.publish(engine, registry)
    with write_session(engine) as session:
        agenda.record_no_action(
            session,
            actor="lead@example.org",
            community_id=rnd.community_id,
            round_id=rnd.round_id,
            factor_id=3,
            proposed=[3],
            note="Goes well enough; look again in spring",
        )
        agenda.close_meeting(
            session,
            actor="lead@example.org",
            community_id=rnd.community_id,
            round_id=rnd.round_id,
            text="We chose two factors and agreed one action.",
        )
    found = you_said(engine, round_id=rnd.round_id)
    assert found is not None
    assert found.discussed == ((3, "no_action", "Goes well enough; look again in spring"),)
    assert found.summary == "We chose two factors and agreed one action."
    assert b"lead@example.org" not in found.to_json()
