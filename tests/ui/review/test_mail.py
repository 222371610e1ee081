"""AppTest: the e-mail page (paste addresses, bad input listed with what was typed kept, send
invitations and reminders, the outbox, deleting) and the opt-out page reached by its link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from lc_health.domain import mail_links
from lc_health.domain.instrument import Instrument
from lc_health.services.mail_sender import send_due
from lc_health.store import db
from lc_health.store import responses as response_store
from lc_health.store.models import Invitation, Role
from lc_health.store.users import create_user
from tests.apptest import goto, new_app, page_text
from tests.conftest import TEST_COOKIE_SECRET
from tests.factories import make_response_in
from tests.mail_world import TODAY, World, make_world, sender_config
from tests.smtp import SmtpServer

SECRET = TEST_COOKIE_SECRET.encode()  # no LC_HEALTH_MAIL_SECRET: the cookie secret is used


@dataclass(frozen=True)
class Site:
    world: World
    admin: int
    lead: int
    other_community: str


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, instrument: Instrument) -> Site:
    url = f"sqlite:///{tmp_path / 'mail.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    engine: Engine = db.make_engine(url)
    db.upgrade(engine)
    world = make_world(engine, instrument, name="Kas van Morgen")
    other = make_world(engine, instrument, name="Ander Lab", period="2026-Q3")
    with db.write_session(engine) as session:
        admin = create_user(session=session, email="beheer@example.org", role=Role.admin)
        lead = create_user(
            session=session,
            email="trekker@example.org",
            role=Role.lead,
            community_ids=[world.community_id],
        )
        assert admin.id is not None and lead.id is not None
    return Site(world, admin.id, lead.id, other.community)


def _mail_page(user_id: int, community_id: int | None = None) -> AppTest:
    at = new_app()
    at.session_state["user_id"] = user_id
    at.query_params["lang"] = "en"
    if community_id is not None:
        at.query_params["community"] = str(community_id)
    at.run()
    goto(at, "lead_mail").run()
    assert not at.exception, at.exception
    return at


def _paste(at: AppTest, text: str) -> AppTest:
    at.text_area[0].set_value(text)
    next(b for b in at.button if b.label == "Add addresses").click().run()
    assert not at.exception, at.exception
    return at


def test_bad_addresses_are_listed_and_what_was_typed_stays(site: Site) -> None:
    at = _mail_page(site.admin, site.world.community_id)
    typed = "ann@example.org\n**not** [an](http://x) address\nbob@example.org;fr"
    _paste(at, typed)
    error = "\n".join(e.value for e in at.error)
    assert "Nothing was saved" in error or "not saved" in error.lower()
    assert 'Line 2: "\\*\\*not\\*\\* \\[an\\]' in error  # shown as typed, never as markdown
    assert 'Line 3: "fr" is not a language' in error
    assert at.text_area[0].value == typed
    assert site.world.recipients() == {}


def test_addresses_pasted_invited_and_reminded(site: Site) -> None:
    at = _mail_page(site.admin, site.world.community_id)
    _paste(at, "ann@example.org\nBob@Example.org;en\nann@example.org")
    assert "2 addresses added" in page_text(at)
    assert at.text_area[0].value == ""  # a fresh form after a save
    table = at.dataframe[0].value
    assert sorted(table["Address"]) == ["ann@example.org", "bob@example.org"]
    recipients = site.world.recipients()
    assert sorted(table["Link #"]) == sorted(r.invitation_id for r in recipients.values())
    assert "Responses" not in table.columns and "responded" not in " ".join(table.columns)
    next(b for b in at.button if b.label.startswith("Send invitations")).click().run()
    assert "2 messages queued" in page_text(at)
    next(b for b in at.button if b.label.startswith("Send invitations")).click().run()
    assert "0 messages queued" in page_text(at)
    outbox = at.dataframe[1].value  # counts per kind and status
    assert outbox.loc["invitation", "waiting"] == 2
    recent = at.dataframe[2].value  # the latest messages: unsent, so no time and no error
    assert list(recent["Sent"]) == ["–", "–"] and list(recent["Last error"]) == ["–", "–"]
    assert recent["Queued"].str.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d").all()
    # Nothing was sent yet (no SMTP server here), so no reminder is due.
    next(b for b in at.button if b.label == "Send reminders").click().run()
    assert "0 messages queued" in page_text(at)


def _click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label.startswith(label)).click().run()
    assert not at.exception, at.exception
    return at


def _respond(site: Site, instrument: Instrument, address: str) -> None:
    invitation_id = site.world.recipients()[address].invitation_id
    with db.write_session(site.world.engine) as session:
        response_store.save_response(
            session=session,
            response_in=make_response_in(
                instrument, round_id=site.world.round_id, invitation_id=invitation_id
            ),
            instrument=instrument,
        )


def test_the_address_list_does_not_tell_who_was_reminded(
    site: Site, instrument: Instrument, smtp_server: SmtpServer
) -> None:
    """Reminders go only to those who have not responded: after sending them, the row of an
    address that responded and of one that did not differ only in address and link number."""
    at = _mail_page(site.admin, site.world.community_id)
    _paste(at, "ann@example.org\nbob@example.org")
    _click(at, "Send invitations")
    config = sender_config(smtp_server, secret=SECRET)
    assert send_due(site.world.engine, config=config).sent == 2
    _respond(site, instrument, "ann@example.org")
    _click(at, "Send reminders")
    assert "1 message queued" in page_text(at)
    assert send_due(site.world.engine, config=config).sent == 1
    assert [d.to for d in smtp_server.recorder.delivered[2:]] == [["bob@example.org"]]
    for page in (at.run(), _mail_page(site.lead)):
        table = page.dataframe[0].value
        assert not [c for c in table.columns if "remind" in c.lower() or "mailed" in c.lower()]
        rows = table.set_index("Address").drop(columns=["Link #"])
        rows["Added"] = rows["Added"].dt.date  # as shown; added a moment apart
        assert rows.loc["ann@example.org"].to_dict() == rows.loc["bob@example.org"].to_dict()
        assert "Last reminder" not in page_text(page)
        # Of reminders, only the round's count is shown (in the outbox, without addresses).
        assert page.dataframe[1].value.loc["reminder", "sent"] == 1
        assert "bob@example.org" not in page.dataframe[2].value.to_string()
    assert all(r.last_reminded_on is None for r in site.world.recipients().values())


def test_a_lead_sees_only_their_communities_and_cannot_delete(site: Site) -> None:
    """Deleting is for administrators: a lead who could delete all addresses but one would
    learn from the reminders' count whether that person responded."""
    at = _mail_page(site.lead)
    assert at.selectbox[0].options == ["Kas van Morgen"]
    assert site.other_community not in page_text(at)
    _paste(at, "cor@example.org")
    assert not at.exception
    assert [b for b in at.button if b.label == "Delete"] == [] and not at.multiselect
    assert "Only an administrator can delete an address" in page_text(at)
    assert list(site.world.recipients()) == ["cor@example.org"]


def test_an_administrator_deletes_and_the_link_stops_working(site: Site) -> None:
    at = _mail_page(site.admin, site.world.community_id)
    _paste(at, "cor@example.org")
    cor = site.world.recipients()["cor@example.org"]
    at.multiselect[0].select(cor.id)
    next(b for b in at.button if b.label == "Delete").click().run()
    assert not at.exception
    assert "1 address deleted" in page_text(at)
    assert site.world.recipients() == {}
    with db.read_session(site.world.engine) as session:
        link = session.get(Invitation, cor.invitation_id)
        assert link is not None and link.revoked_at is not None


def test_the_opt_out_page_asks_then_erases_the_address(site: Site) -> None:
    at = _mail_page(site.admin, site.world.community_id)
    _paste(at, "dan@example.org;en")
    recipient = site.world.recipients()["dan@example.org"]
    token = mail_links.optout_token(SECRET, recipient.link_salt)
    page = new_app()
    page.query_params["optout"] = token
    page.query_params["lang"] = "en"
    page.run()
    assert not page.exception, page.exception
    assert "Kas van Morgen" in page_text(page)
    assert site.world.recipients()["dan@example.org"].opted_out_at is None  # only asked
    next(b for b in page.button if b.label == "Send no more e-mail").click().run()
    assert "you will get no more e-mail" in page_text(page)
    assert "dan@example.org" not in site.world.recipients()
    again = new_app()
    again.query_params["optout"] = token
    again.query_params["lang"] = "nl"
    again.run()
    assert "krijg je al geen e-mail meer" in page_text(again)
    unknown = new_app()
    unknown.query_params["optout"] = "made-up"
    unknown.run()
    assert not unknown.exception and unknown.title


def test_without_an_open_round_there_is_nothing_to_send(site: Site, instrument: Instrument) -> None:
    closed = make_world(
        site.world.engine,
        instrument,
        name="Gesloten Lab",
        opens_on=TODAY - timedelta(days=60),
        closes_on=TODAY - timedelta(days=1),
    )
    at = _mail_page(site.admin, closed.community_id)
    assert "no open round now" in page_text(at)
    assert not any(b.label.startswith("Send invitations") for b in at.button)


def test_addresses_from_an_uploaded_file(site: Site) -> None:
    at = _mail_page(site.admin, site.world.community_id)
    data = "Naam;E-mail;Taal\nZoë;zoe@example.org;en\nEef;eef@example.org;\n".encode("cp1252")
    at.file_uploader[0].set_value(("adressen.csv", data, "text/csv"))
    next(b for b in at.button if b.label == "Add addresses").click().run()
    assert not at.exception, at.exception
    assert "2 addresses added" in page_text(at)
    languages = {a: r.language for a, r in site.world.recipients().items()}
    assert languages == {"zoe@example.org": "en", "eef@example.org": "nl"}


def test_a_file_that_is_not_text_is_refused_with_a_message(site: Site) -> None:
    at = _mail_page(site.admin, site.world.community_id)
    at.text_area[0].set_value("typed@example.org")
    at.file_uploader[0].set_value(("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/csv"))
    next(b for b in at.button if b.label == "Add addresses").click().run()
    assert not at.exception, at.exception
    assert "not text or CSV" in page_text(at)
    assert at.text_area[0].value == "typed@example.org"
    assert site.world.recipients() == {}
