"""The e-mail sender as the server and the command line run it: its settings, one background
thread per server process (never in demo mode: the demo shows the outbox without sending), and
`lc-health mail send`."""

from __future__ import annotations

import logging
import threading
from datetime import date

from sqlalchemy import Engine

from lc_health.domain.mail_links import DEMO_SECRET
from lc_health.runtime.config import Settings
from lc_health.services import mail as mail_service
from lc_health.services.mail_sender import Report, SenderConfig, send_due
from lc_health.store import db

log = logging.getLogger(__name__)
# Seconds between passes of the server's sender thread and of `lc-health mail send --loop`.
IDLE_SECONDS = 30.0

_thread: threading.Thread | None = None
_stop = threading.Event()
_thread_lock = threading.Lock()


SCHEDULE_ACTOR = "lc-health schedule"


class MailNotifier:
    """What the round schedules (services.schedule's Notifier) hear of, as e-mail in the outbox.
    Each call is idempotent (dedupe keys), so a schedule may call it again after a crash."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def round_opened(self, round_id: int) -> None:
        """Invitations to the round's addresses and a notice to its leads."""
        mail_service.enqueue_invitations(self.engine, round_id=round_id, actor=SCHEDULE_ACTOR)
        mail_service.enqueue_lead_notice(
            self.engine, round_id=round_id, kind="round_opened", actor=SCHEDULE_ACTOR
        )

    def reminders_due(self, round_id: int, today: date) -> None:
        """Reminders to those who have not responded; `today` is the reminder's own day."""
        mail_service.enqueue_reminders(
            self.engine, round_id=round_id, today=today, actor=SCHEDULE_ACTOR
        )

    def round_closing(self, round_id: int) -> None:
        mail_service.enqueue_lead_notice(
            self.engine, round_id=round_id, kind="round_closing", actor=SCHEDULE_ACTOR
        )

    def round_published(self, round_id: int) -> None:
        """A notice to the leads and "you said, we did" to the addresses."""
        mail_service.enqueue_lead_notice(
            self.engine, round_id=round_id, kind="round_published", actor=SCHEDULE_ACTOR
        )
        mail_service.enqueue_you_said(self.engine, round_id=round_id, actor=SCHEDULE_ACTOR)


def mail_secret(settings: Settings) -> bytes | None:
    """The secret mailed links are derived from: LC_HEALTH_MAIL_SECRET, else the cookie secret;
    in demo mode without either, a fixed demo value (the demo sends nothing)."""
    for secret in (settings.mail_secret, settings.cookie_secret):
        if secret is not None and secret.get_secret_value():
            return secret.get_secret_value().encode("utf-8")
    return DEMO_SECRET if settings.demo else None


def why_not_sending(settings: Settings) -> str | None:
    """Why this configuration cannot send mail, or None."""
    if settings.demo:
        return "demo mode: the demo shows its outbox but never sends"
    if not settings.smtp_host:
        return "LC_HEALTH_SMTP_HOST is not set"
    if not settings.mail_from:
        return "LC_HEALTH_MAIL_FROM is not set"
    if mail_secret(settings) is None:
        return "neither LC_HEALTH_MAIL_SECRET nor LC_HEALTH_COOKIE_SECRET is set"
    return None


def sender_config(settings: Settings) -> SenderConfig:
    """The sender's configuration (call why_not_sending first)."""
    secret = mail_secret(settings)
    assert secret is not None
    return SenderConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        security=settings.smtp_security,
        sender=settings.mail_from,
        public_url=settings.public_url,
        secret=secret,
        user=settings.smtp_user,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        rate_per_minute=settings.mail_rate_per_minute,
        default_language=settings.default_language,
    )


def send_pass(engine: Engine, settings: Settings) -> Report:
    """One pass over the due messages, logged as counts."""
    report = send_due(engine, config=sender_config(settings))
    if report.total():
        log.info(
            "mail: %d sent, %d to retry, %d refused, %d failed, %d not needed",
            report.sent,
            report.retried,
            report.bounced,
            report.failed,
            report.skipped,
        )
    return report


def run_loop(engine: Engine, settings: Settings, stop: threading.Event) -> None:
    """Pass after pass until `stop` is set; an error in a pass is logged and the loop goes on."""
    while not stop.is_set():
        try:
            send_pass(engine, settings)
        except Exception as exc:  # noqa: BLE001  (the thread must outlive a database hiccup)
            log.warning("mail: pass failed (%s); trying again later", type(exc).__name__)
            log.debug("mail pass failed", exc_info=True)
        stop.wait(IDLE_SECONDS)


def start_background_sender(settings: Settings) -> bool:
    """Start the server process's one sender thread (a second call does nothing); True when it
    runs. Not in demo mode, and not without SMTP settings (messages then wait in the outbox)."""
    global _thread
    if settings.demo:
        log.info("mail: demo mode, nothing is sent (the outbox is shown as it is)")
        return False
    reason = why_not_sending(settings)
    if reason is not None:
        log.info("mail: not sending, %s", reason)
        return False
    with _thread_lock:
        if _thread is not None and _thread.is_alive():
            return True
        _stop.clear()
        engine = db.make_engine(settings.database_url)
        _thread = threading.Thread(
            target=run_loop, args=(engine, settings, _stop), name="lc-health-mail", daemon=True
        )
        _thread.start()
    log.info("mail: sender started")
    return True


def stop_background_sender(timeout: float = 10.0) -> None:
    """Stop the sender thread (tests)."""
    global _thread
    with _thread_lock:
        thread, _thread = _thread, None
        _stop.set()
    if thread is not None:
        thread.join(timeout)
