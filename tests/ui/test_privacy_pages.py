"""AppTest: the privacy statement (both languages, no sign-in), a participant withdrawing their
answers, and the administrators' privacy page (lookup, export, erasure, retention)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col
from streamlit.testing.v1 import AppTest

from lc_health.domain.credentials import hash_token
from lc_health.domain.instrument import Instrument, Registry
from lc_health.services.auth import find_user
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store import rounds as round_store
from lc_health.store.models import AuditEvent, Invitation, Response
from tests.apptest import TIMEOUT, page_app, page_text
from tests.factories import make_response_in
from tests.tally_checks import assert_tallies_match_scratch

TODAY = date.today()


def _page(module: str, lang: str = "en", user_id: int | None = None) -> AppTest:
    at = page_app(module)
    at.query_params["lang"] = lang
    if user_id is not None:
        at.session_state["user_id"] = user_id
    at.run()
    assert not at.exception, at.exception
    return at


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def _count(engine: Engine, model: type, *where: object) -> int:
    with db.read_session(engine) as session:
        stmt = select(func.count()).select_from(model)
        for clause in where:
            stmt = stmt.where(clause)  # type: ignore[arg-type]
        return int(session.execute(stmt).scalar_one())


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'privacy.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    return url


@pytest.mark.usefixtures("empty_db")
def test_privacy_statement_in_english_without_signing_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_ANONYMITY_THRESHOLD", "7")
    monkeypatch.setenv("LC_HEALTH_COMMENT_THRESHOLD", "9")
    monkeypatch.setenv("LC_HEALTH_RETENTION_YEARS", "3")
    monkeypatch.setenv("LC_HEALTH_CONTACT_EMAIL", "privacy@lc.example.org")
    at = _page("privacy")
    assert at.title[0].value == "Privacy statement"
    text = page_text(at)
    for expected in (
        "at least **7 people**",
        "at least **9** people",
        "They never see comments",
        "pseudonymous key",
        "one-way hash",
        "erased **3 years** after the round closes",
        "Withdraw my answers",
        "export or erase",
        "privacy@lc\\.example\\.org",
        "no name, email address or IP address",
        "De kracht van verbinding!",
        "If you were invited by e-mail",
        "nor whether or when you were reminded",
    ):
        assert expected in text, expected
    assert "Sign in to see this page." not in text
    assert "privacy." not in text  # every section's text exists (no bare message key)


@pytest.mark.usefixtures("empty_db")
def test_privacy_statement_in_dutch_with_default_settings() -> None:
    at = _page("privacy", lang="nl")
    assert at.title[0].value == "Privacyverklaring"
    text = page_text(at)
    assert "minstens **5 mensen**" in text
    assert "Er is geen vaste bewaartermijn ingesteld" in text
    assert "Neem contact op met de trekker van je community" in text
    assert "Mijn antwoorden intrekken" in text
    assert "Als je per e-mail bent uitgenodigd" in text
    assert "ook niet of en wanneer je een herinnering kreeg" in text
    assert "privacy." not in text


@dataclass
class Survey:
    engine: Engine
    token: str
    invitation_id: int
    open_token: str
    rounds: list[int]


@pytest.fixture
def survey(empty_db: str, instrument: Instrument) -> Survey:
    engine = db.make_engine(empty_db)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        community = cstore.create_community(session=session, name="Kas van Morgen")
        assert community.id is not None
        kw = {"instrument_id": instrument.id, "instrument_version": instrument.version}
        earlier = round_store.create_round(
            session=session,
            community_id=community.id,
            period="2020-Q1",
            opens_on=date(2020, 1, 1),
            closes_on=date(2020, 3, 31),
            **kw,
        )
        current = round_store.create_round(
            session=session,
            community_id=community.id,
            period="2099-Q4",
            opens_on=TODAY - timedelta(days=3),
            closes_on=TODAY + timedelta(days=30),
            **kw,
        )
        assert earlier.id is not None and current.id is not None
        (link,) = istore.create_personal_links(session=session, community_id=community.id, count=1)
        open_link = istore.create_open_link(session=session, round_id=current.id)
        key = session.get(Invitation, link.invitation_id).respondent_key  # type: ignore[union-attr]
    for round_id in (earlier.id, current.id):
        with db.write_session(engine) as session:
            for n in range(4):
                response_store.save_response(
                    session=session,
                    instrument=instrument,
                    response_in=make_response_in(
                        instrument, round_id=round_id, submission_key=f"x{round_id}-{n}"
                    ),
                )
            response_store.save_response(
                session=session,
                instrument=instrument,
                response_in=make_response_in(
                    instrument,
                    round_id=round_id,
                    invitation_id=link.invitation_id,
                    respondent_key=key,
                    comment="alleen van mij",
                ),
            )
    return Survey(engine, link.token, link.invitation_id, open_link.token, [earlier.id, current.id])


def _withdraw_page(token: str) -> None:
    from lc_health.ui.survey.withdraw import render_withdraw

    render_withdraw(token=token, community_name="Kas van Morgen")


def _withdraw_app(token: str) -> AppTest:
    at = AppTest.from_function(_withdraw_page, kwargs={"token": token}, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    return at


def test_participant_withdraws_after_confirming(survey: Survey, instrument: Instrument) -> None:
    draft_key = f"draft_{hash_token(survey.token)[:16]}"
    at = _withdraw_app(survey.token)
    at.session_state[draft_key] = "the survey page's draft"
    at.run()
    assert not at.exception, at.exception
    assert at.expander[0].label == "Withdraw my answers"
    text = page_text(at)
    assert "**Kas van Morgen**" in text and "Q1 2020, Q4 2099" in text
    _click(at, "Withdraw answers")  # not ticked yet: nothing happens but a hint
    assert "Tick the box first" in page_text(at)
    assert _count(survey.engine, Response, col(Response.invitation_id) == survey.invitation_id) == 2

    at.checkbox(key="_withdraw_sure").check().run()
    _click(at, "Withdraw answers")
    assert "Your answers have been withdrawn and erased (filled in 2 times)" in page_text(at)
    assert "No answers are kept with this link." in page_text(at)
    assert draft_key not in at.session_state
    assert _count(survey.engine, Response, col(Response.invitation_id) == survey.invitation_id) == 0
    assert _count(survey.engine, Response) == 8  # everyone else's answers stay
    for round_id in survey.rounds:
        assert_tallies_match_scratch(survey.engine, instrument, round_id)
    assert survey.token not in page_text(at)


@pytest.mark.parametrize("which", ["open", "unknown"])
def test_withdraw_is_not_offered_for_other_links(survey: Survey, which: str) -> None:
    token = survey.open_token if which == "open" else "Q" * 43
    at = _withdraw_app(token).run()
    assert not at.exception, at.exception
    assert not at.expander and not at.button


# The administrators' page, on the demo database.

ADMIN = "beheer@demo.lc-health.nl"
LEAD = "trekker@demo.lc-health.nl"


@dataclass
class Demo:
    engine: Engine
    admin_id: int
    lead_id: int
    token: str
    invitation_id: int
    open_token: str


@pytest.fixture
def demo(demo_db: str, monkeypatch: pytest.MonkeyPatch, registry: Registry) -> Demo:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.write_session(engine) as session:
        admin, lead = (find_user(session=session, email=e) for e in (ADMIN, LEAD))
        assert admin and admin.id and lead and lead.id
        frame = cstore.communities_frame(session=session)
        cid = int(frame.loc[frame["name"] == "Robotica Fieldlab Westland", "community_id"].iloc[0])
        rounds = round_store.community_rounds(session=session, community_id=cid)[-2:]
        (link,) = istore.create_personal_links(session=session, community_id=cid, count=1)
        open_link = istore.create_open_link(session=session, round_id=rounds[-1].id or 0)
        key = session.get(Invitation, link.invitation_id).respondent_key  # type: ignore[union-attr]
        for rnd in rounds:
            instrument = registry.get(rnd.instrument_id, rnd.instrument_version)
            response_store.save_response(
                session=session,
                instrument=instrument,
                response_in=make_response_in(
                    instrument,
                    round_id=rnd.id or 0,
                    invitation_id=link.invitation_id,
                    respondent_key=key,
                    comment="vertrouwelijk",
                ),
            )
    return Demo(engine, admin.id, lead.id, link.token, link.invitation_id, open_link.token)


def _look_up(at: AppTest, text: str) -> AppTest:
    at.text_input[0].set_value(text)
    return _click(at, "Look up")


def test_admin_looks_up_exports_and_erases(demo: Demo) -> None:
    at = _page("admin_privacy", user_id=demo.admin_id)
    assert at.title[0].value == "Privacy requests"
    assert "No retention period is set" in page_text(at)
    _look_up(at, istore.link_url("https://lc.example.org", demo.token, "nl"))
    text = page_text(at)
    assert f"Personal link #{demo.invitation_id} of **Robotica Fieldlab Westland**" in text
    assert [m.value for m in at.metric] == ["2", "2"]  # responses, comments
    assert demo.token not in text
    download = at.get("download_button")
    assert download and "Download everything (JSON)" in str(download[0].proto)
    with db.read_session(demo.engine) as session:
        events = session.execute(select(AuditEvent.action, AuditEvent.detail)).all()
    assert ("privacy.lookup", json.dumps({"link": demo.invitation_id})) in events

    _click(at, "Erase")
    assert "Tick the box first to confirm." in page_text(at)
    assert _count(demo.engine, Response, col(Response.invitation_id) == demo.invitation_id) == 2
    at.checkbox(key="_erase_sure").check().run()
    _click(at, "Erase")
    assert "Erased: 2 responses, and the link is disabled." in page_text(at)
    assert not at.metric  # the looked-up link is forgotten
    assert _count(demo.engine, Response, col(Response.invitation_id) == demo.invitation_id) == 0
    with db.read_session(demo.engine) as session:
        link = session.get(Invitation, demo.invitation_id)
        assert link is not None and link.revoked_at is not None


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("open", "This is an open link of **Robotica Fieldlab Westland**"),
        ("unknown", "No link found."),
        ("garbage", "No link found."),
    ],
)
def test_admin_lookup_of_other_links(demo: Demo, which: str, expected: str) -> None:
    text = {"open": demo.open_token, "unknown": "Z" * 43, "garbage": "https://x.example/?lang=en"}
    at = _page("admin_privacy", user_id=demo.admin_id)
    _look_up(at, text[which])
    assert expected in page_text(at)
    assert not at.metric and not at.get("download_button")


def test_admin_purges_past_retention(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_RETENTION_YEARS", "1")
    before = _count(demo.engine, Response)
    at = _page("admin_privacy", user_id=demo.admin_id)
    assert "more than **1 year** ago" in page_text(at)
    assert "To erase now:" in page_text(at)
    at.checkbox(key="_purge_sure").check().run()
    _click(at, "Purge now")
    assert "Purged:" in page_text(at) and "The figures of those rounds are kept." in page_text(at)
    assert 0 < _count(demo.engine, Response) < before
    at.run()
    assert "Nothing is older than the retention period." in page_text(at)


def test_lead_cannot_open_the_admin_privacy_page(demo: Demo) -> None:
    at = _page("admin_privacy", user_id=demo.lead_id)
    assert "This page is not available for your role." in page_text(at)
    assert not at.text_input and not at.metric
