"""AppTest: "You said, we did" behind a survey link. A published round shows its picture and
the agreed actions (plain text, status, due date; never the owner or the lead's note); a round
that was not published shows nothing of itself; an open link's landing page shows the
community's last published round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from lc_health.domain.enums import ActionStatus, Source
from lc_health.domain.instrument import Instrument, Registry
from lc_health.services.actions import follow_up_action, record_action
from lc_health.store import db
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from tests import publishing as pub
from tests.apptest import page_text
from tests.factories import make_community, make_response_in, make_round
from tests.ui.survey.test_survey import _click, _open

TODAY = date.today()
ACTION = "<b>Invite</b> the **alderman** [here](http://evil.example) =1+1"
NOTE = "Date set: <i>14 March</i>"


@dataclass
class World:
    engine: Engine
    published: str  # a personal link of a community whose last round was published
    published_open: str  # the open link of that published round
    running: str  # a personal link of a community with an open round and a published one
    running_open: str  # the open link of that open round
    unpublished: str  # a personal link of a community whose only round is still open


def _answers(engine: Engine, instrument: Instrument, round_id: int, value: int, n: int) -> None:
    with db.write_session(engine) as session:
        for _ in range(n):
            response_store.save_response(
                session=session,
                response_in=make_response_in(
                    instrument,
                    round_id=round_id,
                    source=Source.paper,
                    answers={i.id: value for i in instrument.items},
                ),
                instrument=instrument,
            )


def _community(
    engine: Engine, instrument: Instrument, name: str, *, closed: bool, open_now: bool
) -> tuple[str, str, int, int]:
    """A community with a round last quarter (closed or still open) and maybe one open now:
    (personal token, open-link token of its newest round, community id, first round id)."""
    with db.write_session(engine) as session:
        community = make_community(session, name=name)
        assert community.id is not None
        ends = TODAY - timedelta(days=10) if closed else TODAY + timedelta(days=10)
        first = make_round(
            session,
            instrument,
            community_id=community.id,
            period="2026-Q3",
            opens_on=TODAY - timedelta(days=100),
            closes_on=ends,
        )
        assert first.id is not None
        newest = first.id
        if open_now:
            later = make_round(
                session,
                instrument,
                community_id=community.id,
                period="2026-Q4",
                opens_on=TODAY - timedelta(days=5),
                closes_on=TODAY + timedelta(days=30),
            )
            assert later.id is not None
            newest = later.id
        (link,) = istore.create_personal_links(session=session, community_id=community.id, count=1)
        open_link = istore.create_open_link(session=session, round_id=newest)
    return link.token, open_link.token, community.id, first.id


def _action(engine: Engine, community_id: int, round_id: int) -> None:
    with db.write_session(engine) as session:
        action = record_action(
            session=session,
            actor="lead@example.org",
            community_id=community_id,
            round_id=round_id,
            factor_id=3,
            what=ACTION,
            owner="Secret Owner",
            due_on=date(2027, 3, 14),
        )
        assert action.id is not None
        follow_up_action(
            session=session,
            actor="lead@example.org",
            community_id=community_id,
            action_id=action.id,
            status=ActionStatus.in_progress,
            note=NOTE,
        )


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, instrument: Instrument, registry: Registry
) -> World:
    url = f"sqlite:///{tmp_path / 'you_said.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    done, done_open, done_id, done_round = _community(
        engine, instrument, "Kas van Morgen", closed=True, open_now=False
    )
    running, running_open, running_id, running_round = _community(
        engine, instrument, "Robohuis", closed=True, open_now=True
    )
    waiting, _, waiting_id, waiting_round = _community(
        engine, instrument, "Bijenstrook", closed=False, open_now=False
    )
    for community_id, round_id in (
        (done_id, done_round),
        (running_id, running_round),
        (waiting_id, waiting_round),
    ):
        _answers(engine, instrument, round_id, 4, 6)
        _action(engine, community_id, round_id)
    pub.publish(engine, registry, today=TODAY)
    return World(engine, done, done_open, running, running_open, waiting)


def _shows_the_round(at: AppTest, instrument: Instrument) -> None:
    text = page_text(at)
    assert "You said, we did" in text
    assert "In Q3 2026, 6 people answered" in text
    (table,) = at.table
    frame = table.value
    assert list(frame.columns) == ["Factor", "Median (middle half)", "Since the last round"]
    assert len(frame) == len(instrument.factors)
    assert set(frame["Median (middle half)"]) == {"4.0 (4.0 – 4.0)"}
    plain = [str(x.value) for x in at.text]
    assert ACTION in plain  # exactly as typed, as plain text
    assert not any(NOTE in p for p in plain) and NOTE not in text  # the lead's working note
    assert "In progress" in text and "14-03-2027" in text
    assert "Secret Owner" not in text and not any("Secret Owner" in p for p in plain)
    assert not any("<b>" in m.value or "<i>" in m.value for m in at.markdown)
    assert "The record of the conversation about this round is not in yet." in text


def test_published_round_shows_its_picture_and_actions(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.published)
    assert at.title[0].value == "Kas van Morgen"
    assert "No round is open right now" in page_text(at)
    _shows_the_round(at, instrument)
    assert [e.label for e in at.expander] == ["Withdraw my answers"]
    dutch = _open(world.published, "nl")
    assert "Wat jullie zeiden, wat we ermee doen" in page_text(dutch)
    assert "Bezig" in page_text(dutch) and ACTION in [str(x.value) for x in dutch.text]


def test_open_link_landing_page_shows_the_last_published_round(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.published_open)
    assert "This round is closed" in page_text(at)
    _shows_the_round(at, instrument)


def test_open_round_offers_the_last_published_round_from_its_welcome(
    world: World, instrument: Instrument
) -> None:
    for token in (world.running, world.running_open):
        at = _open(token)
        assert "about five minutes" in page_text(at)  # the survey of the open round
        assert not at.table
        _click(at, "What happened with the answers of Q3 2026")
        assert at.query_params["view"] in ("you_said", ["you_said"])  # kept in the URL
        _shows_the_round(at, instrument)
        assert "Q4 2026" not in page_text(at).replace("Round Q4 2026", "")
        _click(at, "Back to the survey")
        assert "about five minutes" in page_text(at) and not at.table


def test_unpublished_round_shows_nothing_of_itself(world: World) -> None:
    at = _open(world.unpublished)
    assert "about five minutes" in page_text(at)
    assert not [b for b in at.button if b.label.startswith("What happened")]
    at.query_params["view"] = "you_said"  # asked for by hand: still nothing of the open round
    at.run()
    assert not at.exception
    text = page_text(at)
    assert "You said, we did" not in text and ACTION not in [str(x.value) for x in at.text]
    assert not at.table


def test_open_link_of_a_round_not_open_yet_shows_the_last_published_round(
    world: World, instrument: Instrument
) -> None:
    with db.write_session(world.engine) as session:
        resolved = istore.resolve(session=session, token=world.published, today=TODAY)
        assert resolved.community is not None and resolved.community.id is not None
        later = make_round(
            session,
            instrument,
            community_id=resolved.community.id,
            period="2027-Q1",
            opens_on=TODAY + timedelta(days=20),
            closes_on=TODAY + timedelta(days=50),
        )
        assert later.id is not None
        link = istore.create_open_link(session=session, round_id=later.id)
    at = _open(link.token)
    assert "This round is not open yet. Meanwhile" in page_text(at)
    _shows_the_round(at, instrument)


def _draw_meeting() -> None:
    from lc_health.domain.instrument import load_registry
    from lc_health.services.you_said import YouSaid
    from lc_health.ui.survey import you_said as page

    info = YouSaid(
        round_id=1,
        community_id=1,
        period="2026-Q3",
        instrument_id="lc_health",
        instrument_version=2,
        responses=6,
        factors=(),
        forces_respondents=0,
        forces=(),
        actions=(),
        discussed=((3, "action", "<b>Plan</b> a **demo** day"), (5, "no_action", "")),
        summary="<script>alert(1)</script> We talked about [this](http://evil.example)",
    )
    page._discussed(info, load_registry().latest(), "en")


def test_meeting_record_is_shown_as_plain_text() -> None:
    """What the meeting record will bring (services.conversation, wired at merge): the
    summary and each agenda item's note as typed, with its factor and outcome."""
    at = AppTest.from_function(_draw_meeting, default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    plain = [str(x.value) for x in at.text]
    assert plain[0] == "<script>alert(1)</script> We talked about [this](http://evil.example)"
    assert "Community building · An action was agreed" in plain
    assert "<b>Plan</b> a **demo** day" in plain
    assert "Shared vision · Discussed, no action needed" in plain
    assert not any("<script>" in m.value or "<b>" in m.value for m in at.markdown)
