"""AppTest: the participant survey, every step and branch, on a real SQLite database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
from streamlit.testing.v1 import AppTest

from lc_health.domain.instrument import Instrument, Registry
from lc_health.services.open_link_audit import database_salt, session_hash
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import invitations as istore
from lc_health.store import open_links as olstore
from lc_health.store import responses as response_store
from lc_health.store.models import Answer, Comment, Response, Round
from lc_health.store.rounds import create_round
from tests.apptest import chart_data, new_app, page_text
from tests.factories import make_response_in

TODAY = date.today()


@dataclass
class World:
    engine: Engine
    round_id: int
    personal: str
    personal_id: int
    other_personal: str
    open_link: str
    revoked: str
    closed: str
    future: str


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, instrument: Instrument) -> World:
    url = f"sqlite:///{tmp_path / 'survey.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        community = cstore.create_community(
            session=session, name="Kas van Morgen", contact="trekker@kas.example"
        )
        other = cstore.create_community(session=session, name="Later Lab")
        gone = cstore.create_community(session=session, name="Vorig Lab")
        assert community.id and other.id and gone.id
        org = cstore.create_organisation(session=session, name="Groencollege", type="mbo")
        assert org.id is not None
        cstore.add_member(session=session, community_id=community.id, organisation_id=org.id)
        kw = {"instrument_id": instrument.id, "instrument_version": instrument.version}
        rnd = create_round(
            session=session,
            community_id=community.id,
            period="2026-Q4",
            opens_on=TODAY - timedelta(days=5),
            closes_on=TODAY + timedelta(days=20),
            **kw,
        )
        create_round(
            session=session,
            community_id=other.id,
            period="2026-Q4",
            opens_on=TODAY + timedelta(days=10),
            closes_on=TODAY + timedelta(days=40),
            **kw,
        )
        create_round(
            session=session,
            community_id=gone.id,
            period="2026-Q3",
            opens_on=TODAY - timedelta(days=60),
            closes_on=TODAY - timedelta(days=1),
            **kw,
        )
        assert rnd.id is not None
        personal, other_personal, revoked = istore.create_personal_links(
            session=session, community_id=community.id, count=3
        )
        istore.revoke(session=session, invitation_id=revoked.invitation_id)
        open_link = istore.create_open_link(session=session, round_id=rnd.id)
        (future,) = istore.create_personal_links(session=session, community_id=other.id, count=1)
        (closed,) = istore.create_personal_links(session=session, community_id=gone.id, count=1)
    return World(
        engine,
        rnd.id,
        personal.token,
        personal.invitation_id,
        other_personal.token,
        open_link.token,
        revoked.token,
        closed.token,
        future.token,
    )


def _open(token: str, lang: str = "en") -> AppTest:
    at = new_app()
    at.query_params["t"] = token
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def _answer_profile(at: AppTest) -> None:
    at.radio(key="p_role").set_value("teacher")
    at.radio(key="p_type").set_value("hbo")
    _click(at, "Next")


def _answer_layers(at: AppTest, instrument: Instrument, value: int = 4) -> None:
    for layer in instrument.layers:
        for item in instrument.items_in_layer(layer.id):
            at.radio(key=f"q_{item.id}").set_value(value)
        _click(at, "Next")


def _complete(at: AppTest, instrument: Instrument, *, comment: str = "", value: int = 4) -> None:
    _click(at, "Start")
    _answer_profile(at)
    _answer_layers(at, instrument, value)
    at.session_state["f_facilitating"] = [instrument.forces_of("facilitating")[0].id]
    at.run()
    _click(at, "Next")  # forces
    at.text_area(key="c_text").set_value(comment)
    _click(at, "Next")  # comment -> review


def _responses(engine: Engine) -> int:
    with db.read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Response)).scalar_one())


def test_arrival_explains_who_sees_what(world: World) -> None:
    at = _open(world.personal)
    text = page_text(at)
    assert at.title[0].value == "Kas van Morgen"
    assert "Round Q4 2026" in text
    assert "about five minutes" in text and "at least **5 people**" in text
    assert "This is your personal link" in text
    dutch = _open(world.personal, "nl")
    assert "ongeveer vijf minuten" in page_text(dutch)


def test_missing_answers_are_highlighted_and_nothing_is_lost(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.personal)
    _click(at, "Start")
    at.radio(key="p_role").set_value("student")
    _click(at, "Next")  # organisation type missing
    assert "Not everything on this page is answered" in page_text(at)
    assert at.radio(key="p_role").value == "student"
    at.radio(key="p_type").set_value("mbo")
    _click(at, "Next")
    first_layer = instrument.layers[0].id
    items = instrument.items_in_layer(first_layer)
    at.radio(key=f"q_{items[0].id}").set_value(2)
    _click(at, "Next")
    text = page_text(at)
    assert text.count("No answer yet") == len(items) - 1
    assert at.radio(key=f"q_{items[0].id}").value == 2
    _click(at, "Back")  # back to the profile, forward again: every answer kept
    assert at.radio(key="p_role").value == "student" and at.radio(key="p_type").value == "mbo"
    _click(at, "Next")
    assert at.radio(key=f"q_{items[0].id}").value == 2


def test_complete_survey_is_stored_once_and_shows_feedback(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.personal)
    _complete(at, instrument, comment="Goed bezig")
    assert "Check and send" in page_text(at)
    _click(at, "Send")
    assert "Thank you! Your answers are saved." in page_text(at)
    # This round is still open and nothing was published before: own scores only.
    assert "appears once the round has closed and enough people have answered" in page_text(at)
    at.run()  # a repeated run (e.g. a double click) stores nothing new
    assert _responses(world.engine) == 1
    with db.read_session(world.engine) as session:
        row = session.execute(select(Response)).scalar_one()
        assert row.invitation_id == world.personal_id and row.role == "teacher"
        assert row.language == "en" and row.answered_forces
        values = set(session.execute(select(Answer.value)).scalars())
    assert values == {4}


def test_personal_link_reopens_prefilled_and_replaces(world: World, instrument: Instrument) -> None:
    first = _open(world.personal)
    _complete(first, instrument, value=2)
    _click(first, "Send")
    again = _open(world.personal)  # a new browser session with the same link
    assert "You have already answered this round" in page_text(again)
    _click(again, "Change my answers")
    assert again.radio(key="p_role").value == "teacher"
    _click(again, "Next")
    item = instrument.items_in_layer(instrument.layers[0].id)[0]
    assert again.radio(key=f"q_{item.id}").value == 2
    again.radio(key=f"q_{item.id}").set_value(5)
    for _ in range(len(instrument.layers) + 2):
        _click(again, "Next")
    _click(again, "Send")
    assert _responses(world.engine) == 1
    with db.read_session(world.engine) as session:
        stored = session.execute(select(Answer.value).where(Answer.item_id == item.id)).scalar_one()
    assert stored == 5


def test_open_link_takes_one_response_per_session(world: World, instrument: Instrument) -> None:
    at = _open(world.open_link)
    _complete(at, instrument)
    _click(at, "Send")
    assert "filled in this survey in this session" in page_text(at)
    assert not [b for b in at.button if b.label in ("Start", "Change my answers")]
    at.run()
    assert _responses(world.engine) == 1
    other_session = _open(world.open_link)
    _complete(other_session, instrument)
    _click(other_session, "Send")
    assert _responses(world.engine) == 2


def _trail(world: World) -> pd.DataFrame:
    with db.read_session(world.engine) as session:
        return olstore.open_link_trail(session=session, round_id=world.round_id)


def test_open_link_submission_is_recorded_in_the_audit_trail(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.open_link)
    _complete(at, instrument, value=5)
    assert _trail(world).empty  # nothing before sending
    _click(at, "Send")
    at.run()  # a repeated run records nothing new
    trail = _trail(world)
    assert len(trail) == 1
    row = trail.iloc[0]
    assert bool(row["straightlined"])  # every rating a 5
    assert row["seconds"] is not pd.NA and 0 <= row["seconds"] < 600
    # AppTest's fixed session id, hashed under this database's salt; never the id itself.
    salt = database_salt(world.engine)
    assert row["session_hash"] == session_hash(salt=salt, session_id="test session id")
    assert salt not in page_text(at) and row["session_hash"] not in page_text(at)


def test_personal_link_submission_is_not_in_the_open_link_trail(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.personal)
    _complete(at, instrument, value=5)
    _click(at, "Send")
    assert _responses(world.engine) == 1
    assert _trail(world).empty


@pytest.mark.parametrize(
    ("which", "title", "names_community"),
    [
        ("unknown", "This link does not work", False),
        ("malformed", "This link does not work", False),
        ("revoked", "This link has been withdrawn", True),
        ("closed", "This round is closed", True),
        ("future", "This round is not open yet", True),
    ],
)
def test_bad_links_get_a_friendly_page(
    world: World, which: str, title: str, names_community: bool
) -> None:
    token = {
        "unknown": "A" * 43,
        "malformed": "<script>alert(1)</script>",
        "revoked": world.revoked,
        "closed": world.closed,
        "future": world.future,
    }[which]
    for lang in ("en", "nl"):
        at = _open(token, lang)
        assert at.title[0].value == title if lang == "en" else at.title[0].value
        text = page_text(at)
        assert ("Learning community" in text) == names_community
        for name in ("Kas van Morgen", "Later Lab", "Vorig Lab"):
            if not names_community:
                assert name not in text
        assert not at.radio and not at.get("vega_lite_chart")


def test_comment_stays_plain_text(world: World, instrument: Instrument) -> None:
    comment = "<script>alert('x')</script> **vet** [link](http://evil.example) 🌱 مرحبا"
    at = _open(world.personal)
    _complete(at, instrument, comment=comment)
    assert at.text[0].value == comment  # shown as plain text on the review step
    assert not any("<script>" in m.value for m in at.markdown)
    _click(at, "Send")
    with db.read_session(world.engine) as session:
        assert session.execute(select(Comment.text)).scalar_one() == comment


def test_feedback_shows_the_last_published_picture_never_the_open_round(
    world: World, instrument: Instrument
) -> None:
    """The community's picture next to a participant's scores is the last published round's:
    the open round's figures move with every answer, so they are not shown until it closes."""
    with db.write_session(world.engine) as session:
        rnd = session.get(Round, world.round_id)
        assert rnd is not None
        earlier = create_round(
            session=session,
            community_id=rnd.community_id,
            period="2026-Q3",
            opens_on=date(2026, 7, 1),
            closes_on=date(2026, 9, 30),
            instrument_id=instrument.id,
            instrument_version=instrument.version,
        )
        assert earlier.id is not None
        for n in range(5):  # five people answered all 3s last quarter
            response_store.save_response(
                session=session,
                response_in=make_response_in(
                    instrument,
                    round_id=earlier.id,
                    submission_key=f"earlier-{n}",
                    answers={i.id: 3 for i in instrument.items},
                ),
                instrument=instrument,
            )
        for n in range(5):  # five others answered all 5s in the open round
            response_store.save_response(
                session=session,
                response_in=make_response_in(
                    instrument,
                    round_id=world.round_id,
                    submission_key=f"other-{n}",
                    answers={i.id: 5 for i in instrument.items},
                ),
                instrument=instrument,
            )
    at = _open(world.personal)
    _complete(at, instrument, value=2)
    _click(at, "Send")
    text = page_text(at)
    assert "published picture of Q3 2026 (5 responses)" in text
    (frame,) = chart_data(at)
    assert set(frame["median"].dropna()) == {3.0}
    assert set(frame["own"].dropna()) == {2.0}


def test_failed_save_keeps_answers_and_stores_nothing(world: World, instrument: Instrument) -> None:
    at = _open(world.personal)
    _complete(at, instrument, comment="bewaar mij")
    with world.engine.begin() as conn:  # the database loses a table mid-survey
        conn.execute(text("DROP TABLE forcemark"))
    _click(at, "Send")
    assert "Your answers were not saved" in page_text(at)
    assert "Check and send" in page_text(at)  # still on the review step, answers on screen
    assert at.text[0].value == "bewaar mij"
    assert _responses(world.engine) == 0


def test_open_v1_round_keeps_its_own_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    v1 = registry.get("lc_health", 1)
    assert registry.latest().version > v1.version
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        community = cstore.create_community(session=session, name="Oud Lab")
        assert community.id is not None
        rnd = create_round(
            session=session,
            community_id=community.id,
            period="2026-Q4",
            opens_on=TODAY - timedelta(days=5),
            closes_on=TODAY + timedelta(days=20),
            instrument_id=v1.id,
            instrument_version=v1.version,
        )
        assert rnd.id is not None
        link = istore.create_open_link(session=session, round_id=rnd.id)
    at = _open(link.token)
    _complete(at, v1)  # every radio the v1 statements need exists, and no other
    assert v1.item_by_id["org_f04"].text.en in page_text(at)
    _click(at, "Send")
    with db.read_session(engine) as session:
        (version,) = session.execute(select(Response.instrument_version)).scalars()
        answered = set(session.execute(select(Answer.item_id)).scalars())
    assert version == 1
    assert answered == {i.id for i in v1.items}


def _stored_comments(engine: Engine) -> list[str]:
    with db.read_session(engine) as session:
        return list(session.execute(select(Comment.text)).scalars())


def test_too_long_comment_is_kept_on_screen_with_a_message(
    world: World, instrument: Instrument
) -> None:
    long = "Dit is een lange opmerking. " * 80  # 2239 characters without the last space
    at = _open(world.personal)
    _complete(at, instrument, comment=long)
    text = page_text(at)
    assert "Anything else you want to say?" in text  # still on the comment step
    assert "Your comment is 2239 characters long; 2000 fit" in text
    assert "239 characters shorter" in text
    assert "At most 2000 characters." in text
    assert at.text_area(key="c_text").value == long  # nothing cut off or dropped
    assert not at.text_area(key="c_text").max_chars  # the browser refuses no paste
    assert _responses(world.engine) == 0
    at.text_area(key="c_text").set_value(long[:1990])
    _click(at, "Next")
    assert "Check and send" in page_text(at)
    _click(at, "Send")
    assert _stored_comments(world.engine) == [long[:1990].strip()]


def test_too_long_comment_is_explained_in_dutch(world: World, instrument: Instrument) -> None:
    at = _open(world.personal, "nl")
    _click(at, "Beginnen")
    at.radio(key="p_role").set_value("teacher")
    at.radio(key="p_type").set_value("hbo")
    _click(at, "Volgende")
    for layer in instrument.layers:
        for item in instrument.items_in_layer(layer.id):
            at.radio(key=f"q_{item.id}").set_value(3)
        _click(at, "Volgende")
    _click(at, "Volgende")  # forces
    at.text_area(key="c_text").set_value("x" * 2001)
    _click(at, "Volgende")
    assert "Je opmerking is 2001 tekens lang; er passen er 2000" in page_text(at)
    assert "Maximaal 2000 tekens." in page_text(at)
    assert _responses(world.engine) == 0


def test_comment_with_control_characters_is_stored_without_them(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.open_link)
    _complete(at, instrument, comment="Goed\x00 bezig\r\nklaar\x1b")
    _click(at, "Send")
    assert "Thank you! Your answers are saved." in page_text(at)
    assert _stored_comments(world.engine) == ["Goed bezig\nklaar"]


def test_language_switch_keeps_answers_not_yet_sent(world: World, instrument: Instrument) -> None:
    at = _open(world.personal)
    _click(at, "Start")
    at.radio(key="p_role").set_value("teacher")
    at.radio(key="p_type").set_value("hbo")
    assert not at.button_group  # on a form step the switch is a button inside the form
    _click(at, "Nederlands")  # the answers on the screen arrive with the switch
    assert "Over jou" in page_text(at)
    assert at.radio(key="p_role").value == "teacher"
    assert at.radio(key="p_type").value == "hbo"
    _click(at, "Volgende")
    layer = instrument.layers[0].id
    items = instrument.items_in_layer(layer)
    for item in items:
        at.radio(key=f"q_{item.id}").set_value(2)
    _click(at, "English")
    assert [at.radio(key=f"q_{item.id}").value for item in items] == [2] * len(items)
    assert at.radio(key=f"q_{items[0].id}").label.endswith(items[0].text.en)
    _click(at, "Next")
    assert not [e for e in at.error if "Not everything" in str(e.value)]
    _click(at, "Back")
    assert [at.radio(key=f"q_{item.id}").value for item in items] == [2] * len(items)
    _answer_layers(at, instrument, 2)
    _click(at, "Next")  # forces
    at.text_area(key="c_text").set_value("Goed bezig")
    _click(at, "Nederlands")
    assert at.text_area(key="c_text").value == "Goed bezig"
    _click(at, "Volgende")
    assert "Goed bezig" in [str(x.value) for x in at.text]
