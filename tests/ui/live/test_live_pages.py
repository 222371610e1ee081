"""AppTest: the live session's pages on the demo data. The lead starts a session and sees its
code; a phone joins with it (typed in lower case), answers, and finds its answers again in a
new browser session with the same link; wrong or garbled codes and URLs never crash a page,
and a statement's text is never markup."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import users as ustore
from lc_health.store.models import LiveSession, LiveSheet
from tests.apptest import page_app, page_text

KAS = "Duurzame Kas Lansingerland"


@pytest.fixture
def ids(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
        communities = cstore.communities_frame(session=session)
    engine.dispose()
    out = dict(zip(users["email"].str.split("@").str[0], users["user_id"].astype(int), strict=True))
    out |= dict(zip(communities["name"], communities["community_id"].astype(int), strict=True))
    return out


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _statements(at: AppTest) -> list[Any]:
    """The twelve statements' answer buttons (not the language switch)."""
    return [g for g in at.button_group if g.label[:1].isdigit()]


def _phone(**params: str) -> AppTest:
    at = page_app("live_join")
    at.query_params["lang"] = "en"
    for key, value in params.items():
        at.query_params[key] = value
    return _run(at)


def test_lead_starts_and_a_phone_joins_answers_and_resumes(
    ids: dict[str, int], demo_db: str
) -> None:
    lead = page_app("lead_live")
    lead.query_params["lang"] = "en"
    lead.query_params["community"] = str(ids[KAS])
    lead.session_state["user_id"] = ids["trekker"]
    _run(lead)
    assert "one short statement per factor" in page_text(lead)
    next(b for b in lead.button if b.label == "Start the session").click()
    _run(lead)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        code = session.execute(select(LiveSession.code)).scalar_one()
    assert code in page_text(lead)

    phone = _phone(join=code.lower())
    phone.text_input[0].set_value(f"{code[:3].lower()} {code[3:]}")
    next(b for b in phone.button if b.label == "Join").click()
    _run(phone)
    token = phone.query_params["p"]
    assert phone.query_params["join"] == code and len(token) > 30
    _statements(phone)[0].set_value(4)
    _run(phone)
    _statements(phone)[1].set_value(0)
    _run(phone)
    assert "2 answers kept." in page_text(phone)
    # Another browser session with the same link (the connection was lost) finds them again.
    again = _phone(join=code, p=token)
    assert [g.value for g in _statements(again)[:3]] == [4, 0, None]
    assert "We really put ourselves into this" in _statements(again)[0].label
    with db.read_session(engine) as session:
        sheet = session.execute(select(LiveSheet)).scalar_one()
    engine.dispose()
    assert token not in sheet.phone_key and sheet.sent_at is None


@pytest.mark.parametrize(
    "params",
    [
        {"join": ""},
        {"join": "<b>NOPE</b>" * 20},
        {"join": "ACDEFG", "p": "not-a-phone"},
        {"join": "٣٣٣٣٣٣", "p": ""},
    ],
)
def test_garbled_join_links_show_the_code_form(ids: dict[str, int], params: dict[str, str]) -> None:
    del ids  # (the fixture points the app at the demo database)
    phone = _phone(**params)
    assert any(b.label == "Join" for b in phone.button)
    phone.text_input[0].set_value("ZZZZZZ")
    next(b for b in phone.button if b.label == "Join").click()
    _run(phone)
    assert "That code belongs to no running session" in page_text(phone)


@pytest.mark.parametrize("value", ["99999999999999999999", "٣"])
def test_garbled_session_and_live_ids_are_ignored(ids: dict[str, int], value: str) -> None:
    for url_path, key in (("lead_live", "session"), ("lead_conversation", "live")):
        at = page_app(url_path)
        at.query_params["lang"] = "en"
        at.query_params["community"] = str(ids[KAS])
        at.query_params[key] = value
        at.session_state["user_id"] = ids["trekker"]
        _run(at)


def test_a_tied_phone_answers_the_rounds_statements_sends_and_can_withdraw(
    ids: dict[str, int], demo_db: str, registry: Any
) -> None:
    """A session tied to the open round: the phone shows the round's statements a layer per
    screen, asks whether the survey was already answered, and its sheet becomes a response of
    the round that it can take out again."""
    from datetime import date

    from lc_health.services import live
    from lc_health.store.models import Response
    from lc_health.store.rounds import open_round_for
    from tests.factories import make_round

    engine = db.make_engine(demo_db)
    today = date.today()
    with db.write_session(engine) as session:
        rnd = open_round_for(session=session, community_id=ids[KAS], today=today)
        if rnd is None:
            rnd = make_round(
                session,
                registry.latest(),
                community_id=ids[KAS],
                period="2099-Q1",
                opens_on=today,
                closes_on=today,
            )
        instrument = registry.get(rnd.instrument_id, rnd.instrument_version)
        row = live.start(
            session,
            actor="trekker@example.org",
            community_id=ids[KAS],
            round_id=rnd.id,
            threshold=5,
            today=today,
        )
        sid, code, round_id = row.id, row.code, rnd.id
    last = instrument.items_in_layer(instrument.layers[-1].id)[-1]
    with db.write_session(engine) as session:
        live.join(
            session, code=code, phone_token="tok", client="", language="en", now=row.started_at
        )
        live.save_answers(
            session,
            session_id=sid,
            phone_token="tok",
            instrument=instrument,
            answers={i.id: 3 for i in instrument.items if i.id != last.id},
        )
    phone = _phone(join=code, p="tok")
    first = instrument.items_in_layer(instrument.layers[0].id)[0]
    assert _statements(phone)[0].label.endswith(first.text.en) and _statements(phone)[0].value == 3
    assert "Screen 1 of" in page_text(phone)
    for _ in instrument.layers[1:]:
        next(b for b in phone.button if b.label == "Next").click()
        _run(phone)
    _statements(phone)[-1].set_value(0)
    _run(phone)
    phone.radio[0].set_value(
        "No: count them as my survey answers too"
    )  # not answered through a personal link yet
    _run(phone)
    next(b for b in phone.button if b.label == "Send").click()
    _run(phone)
    assert "also count as a response" in page_text(phone)
    with db.read_session(engine) as session:
        stored = (
            session.execute(
                select(Response).where(Response.round_id == round_id, Response.source == "live")
            )
            .scalars()
            .all()
        )
    assert len(stored) == 1
    next(b for b in phone.button if b.label == "Take my answers out of the survey").click()
    _run(phone)
    assert "count in the room's picture only" in page_text(phone)
    with db.read_session(engine) as session:
        assert (
            session.execute(
                select(Response).where(Response.round_id == round_id, Response.source == "live")
            )
            .scalars()
            .all()
            == []
        )
    engine.dispose()
