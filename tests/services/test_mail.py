"""E-mail end to end with a real SMTP server (aiosmtpd, in this process) and a real database
(SQLite and PostgreSQL):
addresses with their own links, every message's text in both languages, reminders only to
those who have not responded (at most one a day), opt-out, refusals, retries, and no address or
token in the log or in plain text in the database."""

from __future__ import annotations

import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst
from sqlalchemy import Engine

from lc_health.domain.credentials import hash_token
from lc_health.domain.disclosure import Policy
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.mail import optout_url, parse_addresses, privacy_url, survey_url
from lc_health.runtime.mail import MailNotifier
from lc_health.services import mail as mail_service
from lc_health.services import privacy
from lc_health.services import rounds as rsvc
from lc_health.services.mail_sender import send_due
from lc_health.store import db
from lc_health.store import mail as mail_store
from lc_health.store import responses as response_store
from lc_health.store.models import Invitation, Role, utcnow
from lc_health.store.users import create_user
from tests.factories import make_response_in
from tests.mail_world import ACTOR, PUBLIC_URL, SECRET, TODAY, World, make_world, sender_config
from tests.smtp import SmtpServer

ADDRESSES = "ann@example.org\nbob@example.org;en\ncor@example.org"


@pytest.fixture
def world(engine: Engine, instrument: Instrument) -> World:
    """On SQLite and on PostgreSQL."""
    return make_world(engine, instrument, ADDRESSES, name="Bijen & <Lint>")


def _later(hours: float) -> object:
    return lambda: utcnow() + timedelta(hours=hours)


def _respond(world: World, instrument: Instrument, address: str) -> None:
    invitation_id = world.recipients()[address].invitation_id
    with db.write_session(world.engine) as session:
        response_store.save_response(
            session=session,
            response_in=make_response_in(
                instrument, round_id=world.round_id, invitation_id=invitation_id
            ),
            instrument=instrument,
        )


def test_each_address_gets_its_own_link_and_only_hashes_are_stored(
    sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    world = make_world(sqlite_engine, instrument, ADDRESSES)
    recipients = world.recipients()
    assert sorted(recipients) == ["ann@example.org", "bob@example.org", "cor@example.org"]
    assert {a: r.language for a, r in recipients.items()}["bob@example.org"] == "en"
    assert recipients["ann@example.org"].language == "nl"
    with db.read_session(world.engine) as session:
        for address, recipient in recipients.items():
            invitation = session.get(Invitation, recipient.invitation_id)
            assert invitation is not None and invitation.round_id is None  # a personal link
            assert invitation.token_hash == hash_token(world.link_token(address))
            assert recipient.optout_hash == hash_token(world.optout_token(address))
    # No token anywhere in the database file, in any form the app writes.
    world.engine.dispose()
    dump = "\n".join(sqlite3.connect(tmp_path / "test.db").iterdump())
    for address in recipients:
        assert world.link_token(address) not in dump
        assert world.optout_token(address) not in dump


def test_bad_lines_are_all_named_and_nothing_is_added(world: World) -> None:
    text = "dan@example.org\nnot an address\neva@example.org;fr\n\nx@localhost"
    with pytest.raises(Invalid) as caught, db.write_session(world.engine) as session:
        mail_service.add_addresses(
            session,
            community_id=world.community_id,
            text=text,
            default_language="nl",
            secret=SECRET,
            actor=ACTOR,
        )
    lines = sorted((p.code, p.params["line"]) for p in caught.value.problems)
    assert lines == [
        ("error.mail_invalid_address", 2),
        ("error.mail_invalid_address", 5),
        ("error.mail_invalid_language", 3),
    ]
    assert "dan@example.org" not in world.recipients()


def test_a_wrong_file_names_its_first_bad_lines_and_counts_the_rest(world: World) -> None:
    """A member list without addresses (thousands of bad lines) once listed every line on
    the page: a message of megabytes that froze the browser."""
    text = "\n".join(f"Naam {i};Straat {i}" for i in range(3000))
    with pytest.raises(Invalid) as caught, db.write_session(world.engine) as session:
        mail_service.add_addresses(
            session,
            community_id=world.community_id,
            text=text,
            default_language="nl",
            secret=SECRET,
            actor=ACTOR,
        )
    problems = caught.value.problems
    assert len(problems) <= mail_service.MAX_BAD_LINES_SHOWN + 1
    assert [p.params["line"] for p in problems[:3]] == [1, 2, 3]
    assert problems[-1].code == "error.mail_more_bad"
    assert problems[-1].params["count"] == 3000 - mail_service.MAX_BAD_LINES_SHOWN


def test_a_csv_column_and_repeats(world: World) -> None:
    text = (
        "Naam;E-mail;Taal\nDan;Dan@Example.org;en\nEva;eva@example.org;\nDan;dan@example.org;en\n"
    )
    with db.write_session(world.engine) as session:
        added = mail_service.add_addresses(
            session,
            community_id=world.community_id,
            text=text + "ann@example.org\n",
            default_language="en",
            secret=SECRET,
            actor=ACTOR,
        )
    assert (added.added, added.skipped) == (2, 1)  # ann was there already
    recipients = world.recipients()
    assert recipients["dan@example.org"].language == "en"
    assert recipients["eva@example.org"].language == "en"  # the default chosen


def test_enqueueing_twice_never_doubles(world: World) -> None:
    assert mail_service.enqueue_invitations(world.engine, round_id=world.round_id) == 3
    assert mail_service.enqueue_invitations(world.engine, round_id=world.round_id) == 0
    assert len(world.outbox()) == 3


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_invitation_text_in_the_recipients_language(
    world: World, smtp_server: SmtpServer, lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    address = "ann@example.org" if lang == "nl" else "bob@example.org"
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    with caplog.at_level(logging.DEBUG):
        report = send_due(world.engine, config=sender_config(smtp_server))
    assert report.sent == 3
    mail = next(d for d in smtp_server.recorder.delivered if d.to == [address])
    text, html = mail.text(), mail.html()
    link = survey_url(PUBLIC_URL, world.link_token(address), lang)
    assert link in text
    assert privacy_url(PUBLIC_URL, lang) in text
    assert optout_url(PUBLIC_URL, world.optout_token(address), lang) in text
    assert (
        mail.message["List-Unsubscribe"]
        == f"<{optout_url(PUBLIC_URL, world.optout_token(address), lang)}>"
    )
    words = {
        "nl": ("Jouw persoonlijke link", "Privacy: we gebruiken"),
        "en": ("Your personal link", "Privacy: we use"),
    }
    assert all(w in text for w in words[lang])
    assert ("vragenlijst" in mail.message["Subject"]) == (lang == "nl")
    # The HTML copy escapes every value.
    assert "Bijen &amp; &lt;Lint&gt;" in html and "<Lint>" not in html
    assert mail.message_id.startswith("<") and mail.message_id.endswith("@example.org>")
    # Our log (the test server's own log, mail.log, is not ours) names no address or token.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("lc_health"))
    assert "outbox message" in ours
    for address in world.recipients():
        assert address not in ours
        assert world.link_token(address) not in ours
        assert world.optout_token(address) not in ours


def test_reminders_go_only_to_those_who_have_not_responded_at_most_once_a_day(
    world: World, smtp_server: SmtpServer, instrument: Instrument
) -> None:
    # No reminder before the invitation went out.
    assert mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=TODAY) == 0
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    send_due(world.engine, config=sender_config(smtp_server))
    _respond(world, instrument, "ann@example.org")
    assert mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=TODAY) == 2
    assert mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=TODAY) == 0
    smtp_server.recorder.delivered.clear()
    send_due(world.engine, config=sender_config(smtp_server))
    reminded = sorted(d.to[0] for d in smtp_server.recorder.delivered)
    assert reminded == ["bob@example.org", "cor@example.org"]
    bob = next(d for d in smtp_server.recorder.delivered if d.to == ["bob@example.org"])
    assert "You have not filled in" in bob.text()
    assert survey_url(PUBLIC_URL, world.link_token("bob@example.org"), "en") in bob.text()
    # No reminder date is kept per address: it would tell who has not responded.
    assert world.recipients()["bob@example.org"].last_reminded_on is None
    # The next day: again only those two; cor answers before it is sent, so it is not sent.
    tomorrow = TODAY + timedelta(days=1)
    assert (
        mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=tomorrow) == 2
    )
    _respond(world, instrument, "cor@example.org")
    smtp_server.recorder.delivered.clear()
    report = send_due(world.engine, config=sender_config(smtp_server), today=tomorrow)
    assert [d.to for d in smtp_server.recorder.delivered] == [["bob@example.org"]]
    assert report.skipped == 1
    skipped = [m for m in world.outbox() if m.status == "skipped"]
    assert [m.last_error for m in skipped] == ["no longer needed"]  # not "responded"


def test_opting_out_stops_mail_and_erases_the_address(
    world: World, smtp_server: SmtpServer
) -> None:
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    token = world.optout_token("cor@example.org")
    with db.read_session(world.engine) as session:
        status = mail_service.optout_status(session, token=token)
    assert status.outcome == "done" and status.community == world.community
    with db.write_session(world.engine) as session:
        assert mail_service.opt_out(session, token=token).outcome == "done"
    with db.write_session(world.engine) as session:
        assert mail_service.opt_out(session, token=token).outcome == "already"
        assert mail_service.opt_out(session, token="no-such-token").outcome == "unknown"
    assert "cor@example.org" not in world.recipients()  # the address is gone, its hash stays
    send_due(world.engine, config=sender_config(smtp_server))
    assert sorted(d.to[0] for d in smtp_server.recorder.delivered) == [
        "ann@example.org",
        "bob@example.org",
    ]
    assert mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=TODAY) == 2
    with db.write_session(world.engine) as session:  # adding it again does nothing
        again = mail_service.add_addresses(
            session,
            community_id=world.community_id,
            text="cor@example.org",
            default_language="nl",
            secret=SECRET,
            actor=ACTOR,
        )
    assert (again.added, again.skipped) == (0, 1)


def test_a_permanent_refusal_marks_the_address_refused(
    world: World, smtp_server: SmtpServer
) -> None:
    smtp_server.recorder.refuse["bob@example.org"] = "550 5.1.1 <bob@example.org>: no such user"
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    report = send_due(world.engine, config=sender_config(smtp_server))
    assert (report.sent, report.bounced) == (2, 1)
    bob = world.recipients()["bob@example.org"]
    assert bob.bounced_at is not None
    assert bob.last_error.startswith("550") and "bob@example.org" not in bob.last_error
    failed = [m for m in world.outbox() if m.recipient_id == bob.id]
    assert [m.status for m in failed] == ["failed"] and "bob@" not in failed[0].last_error
    # Never mailed again.
    assert mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=TODAY) == 2


def test_a_temporary_refusal_is_tried_again_later(world: World, smtp_server: SmtpServer) -> None:
    smtp_server.recorder.refuse["ann@example.org"] = "451 4.7.1 greylisted, try later"
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    report = send_due(world.engine, config=sender_config(smtp_server))
    assert (report.sent, report.retried) == (2, 1)
    ann = next(m for m in world.outbox() if m.status != "sent")
    assert ann.status == "pending" and ann.attempts == 1 and ann.last_error.startswith("451")
    assert ann.next_attempt_at > utcnow() + timedelta(seconds=30)
    # Not yet due: nothing happens; an hour later it goes, once.
    assert send_due(world.engine, config=sender_config(smtp_server)).total() == 0
    del smtp_server.recorder.refuse["ann@example.org"]
    report = send_due(world.engine, config=sender_config(smtp_server), clock=_later(1))
    assert report.sent == 1
    assert sorted(d.to[0] for d in smtp_server.recorder.delivered) == [
        "ann@example.org",
        "bob@example.org",
        "cor@example.org",
    ]
    assert world.recipients()["ann@example.org"].bounced_at is None


def test_an_outage_delays_but_loses_nothing(world: World, smtp_server: SmtpServer) -> None:
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    smtp_server.stop()
    report = send_due(world.engine, config=sender_config(smtp_server))
    assert report.sent == 0 and report.retried == 1
    assert {m.status for m in world.outbox()} == {"pending"}
    smtp_server.start()
    report = send_due(world.engine, config=sender_config(smtp_server), clock=_later(2))
    assert report.sent == 3
    ids = [d.message_id for d in smtp_server.recorder.delivered]
    assert len(ids) == len(set(ids)) == 3
    assert {m.status for m in world.outbox()} == {"sent"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_lead_notices(world: World, smtp_server: SmtpServer, lang: str) -> None:
    with db.write_session(world.engine) as session:
        create_user(
            session=session,
            email="lead@example.org",
            role=Role.lead,
            community_ids=[world.community_id],
        )
        create_user(session=session, email="other@example.org", role=Role.admin)
    for kind in ("round_opened", "round_closing", "round_published"):
        assert (
            mail_service.enqueue_lead_notice(world.engine, round_id=world.round_id, kind=kind) == 1
        )
        assert (
            mail_service.enqueue_lead_notice(world.engine, round_id=world.round_id, kind=kind) == 0
        )
    with pytest.raises(Invalid):
        mail_service.enqueue_lead_notice(world.engine, round_id=world.round_id, kind="party")
    send_due(world.engine, config=sender_config(smtp_server, default_language=lang))
    delivered = smtp_server.recorder.delivered
    assert [d.to for d in delivered] == [["lead@example.org"]] * 3
    review = f"{PUBLIC_URL}/lead_review?community={world.community_id}&round={world.round_id}"
    expected = {
        "nl": ("is open", "Nog een week", "staan klaar", "lead bent van"),
        "en": ("is open", "One more week", "are ready", "a lead of"),
    }[lang]
    subjects = " | ".join(str(d.message["Subject"]) for d in delivered)
    for word in expected[:3]:
        assert word in subjects
    for mail in delivered:
        assert review in mail.text() and expected[3] in mail.text()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_you_said_we_did_after_publication(
    world: World, smtp_server: SmtpServer, registry: Registry, lang: str
) -> None:
    assert mail_service.enqueue_you_said(world.engine, round_id=world.round_id) == 0
    with db.write_session(world.engine) as session:
        rsvc.close_round(
            session=session,
            round_id=world.round_id,
            actor=ACTOR,
            registry=registry,
            policy=Policy(),
        )
    assert mail_service.enqueue_you_said(world.engine, round_id=world.round_id) == 3
    assert mail_service.enqueue_you_said(world.engine, round_id=world.round_id) == 0
    # Invitations are no longer sent for a closed round.
    assert mail_service.enqueue_invitations(world.engine, round_id=world.round_id) == 0
    send_due(world.engine, config=sender_config(smtp_server))
    address = "ann@example.org" if lang == "nl" else "bob@example.org"
    mail = next(d for d in smtp_server.recorder.delivered if d.to == [address])
    text = mail.text()
    assert survey_url(PUBLIC_URL, world.link_token(address), lang) in text
    assert privacy_url(PUBLIC_URL, lang) in text
    assert optout_url(PUBLIC_URL, world.optout_token(address), lang) in text
    assert ("Jullie zeiden" if lang == "nl" else "You said") in str(mail.message["Subject"])
    assert ("Stuur deze mail niet door" if lang == "nl" else "do not forward") in text


def test_a_changed_secret_fails_loudly_instead_of_mailing_a_dead_link(
    world: World, smtp_server: SmtpServer
) -> None:
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    report = send_due(world.engine, config=sender_config(smtp_server, secret=b"another secret"))
    assert report.failed == 3 and smtp_server.recorder.delivered == []
    assert all("secret" in m.last_error for m in world.outbox())


def test_deleting_addresses_takes_their_messages_and_links(world: World) -> None:
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    bob = world.recipients()["bob@example.org"]
    assert bob.id is not None
    refused = ((world.community_id + 1, Role.admin), (world.community_id, Role.lead))
    for community_id, role in refused:
        with db.write_session(world.engine) as session:
            with pytest.raises(Invalid):  # another community's address; a lead
                mail_service.delete_addresses(
                    session,
                    community_id=community_id,
                    recipient_ids=[bob.id],
                    actor=ACTOR,
                    actor_role=role,
                )
    assert "bob@example.org" in world.recipients()
    with db.write_session(world.engine) as session:
        assert (
            mail_service.delete_addresses(
                session,
                community_id=world.community_id,
                recipient_ids=[bob.id],
                actor=ACTOR,
                actor_role=Role.admin,
            )
            == 1
        )
    assert "bob@example.org" not in world.recipients()
    assert all(m.recipient_id != bob.id for m in world.outbox())
    with db.read_session(world.engine) as session:
        link = session.get(Invitation, bob.invitation_id)
        assert link is not None and link.revoked_at is not None  # no second valid link


def test_addresses_go_with_a_privacy_erasure_and_with_retention(
    world: World, registry: Registry
) -> None:
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    with db.write_session(world.engine) as session:
        removed = privacy.erase_token(
            session=session,
            token=world.link_token("ann@example.org"),
            actor=ACTOR,
            instrument_for=registry.get,
        )
    assert removed.outcome == "done"
    assert sorted(world.recipients()) == ["bob@example.org", "cor@example.org"]
    with db.write_session(world.engine) as session:
        now = utcnow()
        assert privacy.purge_expired(session=session, now=now, years=3).mail_addresses == 0
        later = now + timedelta(days=3 * 366 + 1)
        assert privacy.purge_preview(session=session, now=later, years=3).mail_addresses == 2
        assert privacy.purge_expired(session=session, now=later, years=3).mail_addresses == 2
    assert world.recipients() == {}
    assert world.outbox() == []


def test_removing_the_demo_takes_its_addresses_and_messages(demo_db: str) -> None:
    from lc_health.services.demo import remove_demo
    from lc_health.store import communities as cstore

    engine = db.make_engine(demo_db)
    with db.write_session(engine) as session:
        frame = cstore.communities_frame(session=session)
        community_id = int(frame["community_id"].iloc[0])
        mail_service.add_addresses(
            session,
            community_id=community_id,
            text="demo@example.org",
            default_language="nl",
            secret=SECRET,
            actor=ACTOR,
        )
        rnd = cstore.rounds_frame(session=session, community_ids=[community_id])
    round_id = int(rnd["round_id"].iloc[-1])
    with db.write_session(engine) as session:
        (recipient_id,) = mail_store.mailable_recipients(session, community_id=community_id)
        message = mail_store.NewMessage("invitation", round_id, "demo-test", recipient_id)
        assert mail_store.enqueue(session, messages=[message], now=utcnow()) == [recipient_id]
    with db.write_session(engine) as session:
        remove_demo(session=session, actor=ACTOR)
    with db.read_session(engine) as session:
        assert mail_store.recipients_frame(session, community_id=community_id).empty
        assert mail_store.status_counts(session, community_ids=None).empty
    engine.dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hst.text(max_size=200))
def test_any_pasted_text_adds_or_says_what_is_wrong(
    sqlite_engine: Engine, instrument: Instrument, text: str
) -> None:
    world = _property_world(sqlite_engine, instrument)
    try:
        with db.write_session(world.engine) as session:
            added = mail_service.add_addresses(
                session,
                community_id=world.community_id,
                text=text,
                default_language="en",
                secret=SECRET,
                actor=ACTOR,
            )
    except Invalid as exc:
        assert exc.problems and all(p.code.startswith("error.mail_") for p in exc.problems)
        return
    assert added.added + added.skipped == len(parse_addresses(text).entries)


_worlds: dict[str, World] = {}


def _property_world(engine: Engine, instrument: Instrument) -> World:
    key = engine.url.render_as_string(hide_password=False)
    if key not in _worlds:
        _worlds.clear()
        _worlds[key] = make_world(engine, instrument, name="Eigenschappen")
    return _worlds[key]


@pytest.mark.parametrize("breaker", ["\u2028", "\x85", "\r\n", "\x0b", "\x1c"])
def test_a_line_break_in_a_community_name_never_stops_the_sender(
    engine: Engine, instrument: Instrument, smtp_server: SmtpServer, breaker: str
) -> None:
    """A name pasted with a Unicode line separator (the community page accepts it) once made
    every pass of the sender fail on that message, leaving it and its batch leased again and
    again: no mail went out at all. The subject is one line, without control characters."""
    world = make_world(engine, instrument, "ann@example.org", name=f"Kas{breaker}van Morgen")
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    report = send_due(world.engine, config=sender_config(smtp_server))
    assert report.sent == 1
    subject = str(smtp_server.recorder.delivered[0].message["Subject"])
    assert "Kas van Morgen" in subject
    assert not any(c in subject for c in "\r\n\x00\x0b\x1c\x85\u2028")


def test_a_late_schedule_reminder_and_one_by_hand_on_the_same_day_are_one(
    world: World, smtp_server: SmtpServer
) -> None:
    """The schedule hands the notifier its tick's day, also when it runs late: a reminder asked
    for by hand that day is the same message, so nobody gets two on one day."""
    mail_service.enqueue_invitations(world.engine, round_id=world.round_id)
    send_due(world.engine, config=sender_config(smtp_server))
    MailNotifier(world.engine).reminders_due(world.round_id, TODAY)  # a late tick, today
    assert mail_service.enqueue_reminders(world.engine, round_id=world.round_id, today=TODAY) == 0
    smtp_server.recorder.delivered.clear()
    send_due(world.engine, config=sender_config(smtp_server))
    assert sorted(d.to[0] for d in smtp_server.recorder.delivered) == sorted(world.recipients())
