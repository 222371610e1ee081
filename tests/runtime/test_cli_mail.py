"""`lc-health mail send`: one pass over the outbox, counts on stdout, never an address; without
SMTP settings it says what is missing. The server's sender thread, and the notifier the round
schedules call. Run in this process (as `main(argv)`) against a real
SQLite file and a real SMTP server."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine

from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Instrument, Registry
from lc_health.runtime import cli, mail
from lc_health.runtime.bootstrap import load_settings
from lc_health.services import mail as mail_service
from lc_health.services import rounds as rsvc
from lc_health.store import db
from lc_health.store.models import Role
from lc_health.store.users import create_user
from tests.mail_world import PUBLIC_URL, SECRET, SENDER, TODAY, make_world
from tests.smtp import SmtpServer


@pytest.fixture
def configured(
    sqlite_engine: Engine, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> Engine:
    monkeypatch.setenv(
        "LC_HEALTH_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("LC_HEALTH_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("LC_HEALTH_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("LC_HEALTH_SMTP_SECURITY", "none")
    monkeypatch.setenv("LC_HEALTH_MAIL_FROM", SENDER)
    monkeypatch.setenv("LC_HEALTH_MAIL_SECRET", SECRET.decode())
    monkeypatch.setenv("LC_HEALTH_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("LC_HEALTH_MAIL_RATE_PER_MINUTE", "10000")
    return sqlite_engine


def test_mail_send_sends_what_is_due_and_prints_counts(
    configured: Engine,
    instrument: Instrument,
    smtp_server: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = make_world(configured, instrument, "ann@example.org\nbob@example.org")
    smtp_server.recorder.refuse["bob@example.org"] = "550 5.1.1 unknown user"
    mail_service.enqueue_invitations(configured, round_id=world.round_id)
    assert cli.main(["mail", "send"]) == 0
    out, err = capsys.readouterr()
    assert out == "sent 1, to retry 0, refused 1, failed 0, not needed 0\n"
    assert "@" not in out + err
    assert [d.to for d in smtp_server.recorder.delivered] == [["ann@example.org"]]
    assert cli.main(["mail", "send"]) == 0  # nothing left
    assert capsys.readouterr().out.startswith("sent 0,")


def test_mail_send_without_a_server_says_what_is_missing(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "LC_HEALTH_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    assert cli.main(["mail", "send"]) == 1
    assert (
        capsys.readouterr().err == "lc-health: cannot send e-mail: LC_HEALTH_SMTP_HOST is not set\n"
    )
    monkeypatch.setenv("LC_HEALTH_SMTP_HOST", "127.0.0.1")
    assert cli.main(["mail", "send"]) == 1
    assert "LC_HEALTH_MAIL_FROM" in capsys.readouterr().err


def test_mail_send_in_demo_mode_sends_nothing(
    configured: Engine,
    instrument: Instrument,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = make_world(configured, instrument, "ann@example.org")
    assert mail_service.enqueue_invitations(configured, round_id=world.round_id) == 1
    monkeypatch.setenv("LC_HEALTH_DEMO", "true")
    assert cli.main(["mail", "send"]) == 1
    assert "demo mode" in capsys.readouterr().err
    assert smtp_server.recorder.delivered == []
    assert [m.status for m in world.outbox()] == ["pending"]


def test_the_server_process_sends_in_the_background_but_never_in_demo_mode(
    configured: Engine, instrument: Instrument, smtp_server: SmtpServer
) -> None:
    world = make_world(configured, instrument, "ann@example.org")
    mail_service.enqueue_invitations(configured, round_id=world.round_id)
    demo = load_settings().model_copy(update={"demo": True})
    assert mail.start_background_sender(demo) is False
    try:
        assert mail.start_background_sender(load_settings()) is True
        assert mail.start_background_sender(load_settings()) is True  # still one thread
        assert [t.name for t in threading.enumerate()].count("lc-health-mail") == 1
        deadline = time.monotonic() + 30
        while not smtp_server.recorder.count() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        mail.stop_background_sender()
    assert [d.to for d in smtp_server.recorder.delivered] == [["ann@example.org"]]


def test_the_notifier_for_the_round_schedules_fills_the_outbox_once(
    sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    world = make_world(sqlite_engine, instrument, "ann@example.org\nbob@example.org")
    with db.write_session(sqlite_engine) as session:
        create_user(
            session=session,
            email="lead@example.org",
            role=Role.lead,
            community_ids=[world.community_id],
        )
    notifier = mail.MailNotifier(sqlite_engine)
    for _ in range(2):  # a schedule that runs again adds nothing
        notifier.round_opened(world.round_id)
        notifier.reminders_due(world.round_id, TODAY)
        notifier.round_closing(world.round_id)
    kinds = sorted((m.kind, m.notice) for m in world.outbox())
    assert kinds == [
        ("invitation", ""),
        ("invitation", ""),
        ("lead_notice", "round_closing"),
        ("lead_notice", "round_opened"),
    ]  # no reminder before the invitations were sent
    with db.write_session(sqlite_engine) as session:
        rsvc.close_round(
            session=session,
            round_id=world.round_id,
            actor="test",
            registry=registry,
            policy=Policy(),
        )
    notifier.round_published(world.round_id)
    notifier.round_published(world.round_id)
    kinds = [(m.kind, m.notice) for m in world.outbox()]
    assert kinds.count(("you_said", "")) == 2
    assert kinds.count(("lead_notice", "round_published")) == 1
