"""The sender: takes due messages from the outbox, puts each together (address, personal link,
texts in the recipient's language) and hands it to the SMTP server.

Delivery semantics (at least once, duplicates only in one narrow window):

- Messages are claimed a small batch at a time with a lease (store.mail.claim) in its own
  transaction, so two senders never take the same one. The lease is short (a minute plus three
  time-outs) and renewed before every send; a sender that dies leaves its batch leased until
  the lease runs out, then any sender takes it again. A crash or an SMTP outage delays a
  message, never loses it.
- Right after the server accepts a message (its reply to DATA), the message is marked sent in
  its own commit. A crash exactly between that acceptance and that commit sends it again, with
  the same Message-ID (fixed when it was enqueued), so mail systems and people can recognise the
  repeat. That window is the only way a message goes twice.
- Temporary failures (4xx replies, refused or lost connections, time-outs) are retried with a
  growing wait (1 minute, doubling, at most an hour); a connection failure ends the pass and
  gives the rest of the batch back. A permanent refusal (5xx) of the recipient or the message
  marks the address refused (bounced): it gets no more mail. A 5xx to our own sign-in or sender
  address is a setting problem, not the recipient's: retried like a temporary failure.
- At send time a message is skipped when it is no longer wanted: the address opted out, was
  refused or deleted, its link was revoked, the round is no longer open (invitations and
  reminders), or the person responded since (reminders).

Never logged: addresses, tokens, bodies, the SMTP password. Error texts kept in the outbox have
any address in them replaced.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine

from lc_health.domain import mail_links
from lc_health.domain.credentials import hash_token
from lc_health.domain.mail import (
    Kind,
    Status,
    build_message,
    format_day,
    message_id,
    optout_url,
    privacy_url,
    render,
    review_url,
    survey_url,
)
from lc_health.domain.periods import period_label
from lc_health.store import db
from lc_health.store import mail as mail_store
from lc_health.store.models import utcnow
from lc_health.store.rounds import RoundState, state

log = logging.getLogger(__name__)
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 3600
LEASE_MARGIN_SECONDS = 60
_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


@dataclass(frozen=True)
class SenderConfig:
    """What the sender needs (from the settings; see runtime.mail.sender_config)."""

    host: str
    port: int
    security: str  # starttls, tls or none
    sender: str
    public_url: str
    secret: bytes = field(repr=False)
    user: str = ""
    password: str | None = field(default=None, repr=False)
    rate_per_minute: int = 60
    default_language: str = "nl"
    timeout: float = 30.0
    batch: int = 5


@dataclass
class Report:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    bounced: int = 0

    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.skipped + self.bounced


class _Temporary(Exception):
    """Try this message again later."""


class _ConnectionLost(_Temporary):
    """The server cannot be reached: end the pass."""


class _Refused(Exception):
    """The server refused this recipient or message for good (5xx)."""


def scrub(text: str) -> str:
    """An error text fit to keep: addresses replaced, one line, at most 300 characters."""
    line = " ".join(_ADDRESS.sub("<address>", text).split())
    return line[: mail_store.ERROR_CHARS]


def _reply_text(code: int, raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return scrub(f"{code} {text}")


class _Smtp:
    """One SMTP connection, opened when first needed."""

    def __init__(self, config: SenderConfig) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if c.security == "tls":
            client = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=context)
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            if c.security == "starttls":
                client.starttls(context=context)
        if c.user:
            client.login(c.user, c.password or "")
        return client

    def send(self, message: EmailMessage, to: str) -> None:
        try:
            if self.client is None:
                self.client = self._open()
            self.client.send_message(message, from_addr=self.config.sender, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, raw = next(iter(exc.recipients.values()))
            self._raise_for(code, raw, recipient=True)
        except (smtplib.SMTPDataError, smtplib.SMTPNotSupportedError) as exc:
            self._raise_for(getattr(exc, "smtp_code", 554), getattr(exc, "smtp_error", b""), True)
        except smtplib.SMTPResponseException as exc:  # sender refused, sign-in, greeting
            self.close()
            raise _ConnectionLost(_reply_text(exc.smtp_code, exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:  # disconnected, refused, time-out, TLS
            self.close()
            raise _ConnectionLost(scrub(f"{type(exc).__name__}: {exc}")) from None

    def _raise_for(self, code: int, raw: bytes | str, recipient: bool) -> None:
        text = _reply_text(code, raw)
        if recipient and 500 <= code < 600:
            raise _Refused(text)
        self._reset()
        raise _Temporary(text)

    def _reset(self) -> None:
        try:
            if self.client is not None:
                self.client.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


@dataclass(frozen=True)
class _Prepared:
    message: EmailMessage | None
    to: str
    recipient_id: int | None
    skip: str = ""  # why it is not sent (skipped)
    fail: str = ""  # why it cannot be sent (failed)


def _participant_values(
    out: mail_store.Outgoing, config: SenderConfig, lang: str
) -> dict[str, str] | str:
    """The values of a participant's message, or why the link cannot be rebuilt."""
    assert out.recipient is not None and out.invitation is not None
    salt = out.recipient.link_salt
    token = mail_links.link_token(config.secret, salt)
    if hash_token(token) != out.invitation.token_hash:
        return "the link cannot be rebuilt: the mail secret changed since the address was added"
    return {
        "link": survey_url(config.public_url, token, lang),
        "privacy_url": privacy_url(config.public_url, lang),
        "optout_url": optout_url(
            config.public_url, mail_links.optout_token(config.secret, salt), lang
        ),
    }


def _participant_skip(
    out: mail_store.Outgoing, today: date, session_check: Callable[[], bool]
) -> str:
    r = out.recipient
    if r is None or out.invitation is None or not r.address:
        return "address deleted or opted out"
    if r.opted_out_at is not None:
        return "opted out"
    if r.bounced_at is not None:
        return "address refused before"
    if out.invitation.revoked_at is not None:
        return "link revoked"
    kind = out.message.kind
    if kind in (Kind.invitation, Kind.reminder) and state(out.round, today) != RoundState.open:
        return "round not open"
    if kind == Kind.reminder and session_check():
        # Said no more precisely: the outbox is on a lead's page, and "responded" next to a
        # message would say something about its addressee's answers.
        return "no longer needed"
    return ""


def _prepare(
    out: mail_store.Outgoing, config: SenderConfig, today: date, responded: Callable[[], bool]
) -> _Prepared:
    if out.community.is_demo:  # its addresses are examples, whatever mode the server is in
        return _Prepared(None, "", None, skip="demo community: its mail is never sent")
    kind = Kind(out.message.kind)
    msg_id = message_id(out.message.message_key, config.sender)
    base = {"community": out.community.name, "period": period_label(out.round.period)}
    if kind == Kind.lead_notice:
        user = out.user
        if user is None or not user.active:
            return _Prepared(None, "", None, skip="account inactive")
        lang = config.default_language
        assert out.community.id is not None and out.round.id is not None
        values = base | {
            "closes_on": format_day(out.round.closes_on, lang),
            "review_url": review_url(config.public_url, out.community.id, out.round.id),
        }
        rendered = render(kind, lang, values, notice=out.message.notice)
        return _Prepared(
            build_message(
                rendered, to=user.email, sender=config.sender, msg_id=msg_id, unsubscribe=None
            ),
            user.email,
            None,
        )
    skip = _participant_skip(out, today, responded)
    recipient = out.recipient
    if skip or recipient is None:
        return _Prepared(None, "", None, skip=skip or "address deleted")
    lang = recipient.language
    extra = _participant_values(out, config, lang)
    if isinstance(extra, str):
        return _Prepared(None, "", recipient.id, fail=extra)
    values = base | {"closes_on": format_day(out.round.closes_on, lang)} | extra
    rendered = render(kind, lang, values)
    message = build_message(
        rendered,
        to=recipient.address,
        sender=config.sender,
        msg_id=msg_id,
        unsubscribe=extra["optout_url"],
    )
    return _Prepared(message, recipient.address, recipient.id)


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` tries."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(0, min(attempts - 1, 12))
    return timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


class _Pass:
    """One pass over the due messages, with one SMTP connection and the rate limit."""

    def __init__(
        self,
        engine: Engine,
        config: SenderConfig,
        sleep: Callable[[float], None],
        clock: Callable[[], datetime],
    ) -> None:
        self.clock = clock
        self.engine = engine
        self.config = config
        self.sleep = sleep
        self.owner = uuid.uuid4().hex
        self.smtp = _Smtp(config)
        self.report = Report()
        self.interval = 60.0 / config.rate_per_minute
        self.last_send: float | None = None

    def lease_until(self) -> datetime:
        """A lease covers one send (connect, sign in, send: each within the time-out) and a
        margin; it is renewed before every send, so a dead sender's batch is free again soon."""
        return self.clock() + timedelta(seconds=LEASE_MARGIN_SECONDS + 3 * self.config.timeout)

    def claim(self) -> list[int]:
        c = self.config
        now = self.clock()
        with db.write_session(self.engine) as session:
            return mail_store.claim(
                session, now=now, lease_until=self.lease_until(), owner=self.owner, limit=c.batch
            )

    def _wait_for_rate(self) -> None:
        if self.last_send is not None:
            wait = self.interval - (time.monotonic() - self.last_send)
            if wait > 0:
                self.sleep(wait)
        self.last_send = time.monotonic()
        with db.write_session(self.engine) as session:
            mail_store.extend(session, owner=self.owner, until=self.lease_until())

    def _finish(self, message_id: int, status: Status, error: str = "") -> None:
        with db.write_session(self.engine) as session:
            if not mail_store.finish(
                session,
                message_id=message_id,
                owner=self.owner,
                status=status,
                now=self.clock(),
                error=error,
            ):
                log.warning("outbox message %d: lease lost before it was closed", message_id)

    def _retry(self, message_id: int, attempts: int, error: str) -> None:
        at = self.clock() + retry_delay(attempts)
        with db.write_session(self.engine) as session:
            mail_store.retry_later(
                session, message_id=message_id, owner=self.owner, at=at, error=error
            )
        self.report.retried += 1

    def _bounce(self, message_id: int, recipient_id: int | None, error: str) -> None:
        with db.write_session(self.engine) as session:
            mail_store.finish(
                session,
                message_id=message_id,
                owner=self.owner,
                status=Status.failed,
                now=self.clock(),
                error=error,
            )
            if recipient_id is not None:
                mail_store.mark_bounced(
                    session, recipient_id=recipient_id, now=self.clock(), error=error
                )
        self.report.bounced += 1

    def one(self, message_id: int, today: date) -> bool:
        """Send one claimed message; False when the server cannot be reached."""
        with db.read_session(self.engine) as session:
            out = mail_store.outgoing(session, message_id=message_id)
            kind = out.message.kind if out is not None else ""
            if out is None:
                prepared = _Prepared(None, "", None, skip="gone")
                attempts = 0
            else:
                attempts = out.message.attempts
                rid = out.round.id
                assert rid is not None
                prepared = _prepare(
                    out,
                    self.config,
                    today,
                    lambda: mail_store.has_responded(
                        session, round_id=rid, recipient_id=out.message.recipient_id or 0
                    ),
                )
        if prepared.skip:
            self._finish(message_id, Status.skipped, prepared.skip)
            self.report.skipped += 1
            return True
        if prepared.fail or prepared.message is None:
            log.warning("outbox message %d failed: %s", message_id, prepared.fail)
            self._finish(message_id, Status.failed, prepared.fail)
            self.report.failed += 1
            return True
        self._wait_for_rate()
        try:
            self.smtp.send(prepared.message, prepared.to)
        except _Refused as exc:
            log.warning("outbox message %d refused for good: %s", message_id, exc)
            self._bounce(message_id, prepared.recipient_id, str(exc))
            return True
        except _ConnectionLost as exc:
            log.warning("outbox message %d not sent, mail server unavailable: %s", message_id, exc)
            self._retry(message_id, attempts, str(exc))
            return False
        except _Temporary as exc:
            log.info("outbox message %d deferred: %s", message_id, exc)
            self._retry(message_id, attempts, str(exc))
            return True
        # Accepted by the server: record it at once (a crash before this line resends it).
        self._finish(message_id, Status.sent)
        self.report.sent += 1
        log.info("outbox message %d sent (%s)", message_id, kind)
        return True

    def give_back(self, message_ids: list[int], error: str) -> None:
        at = self.clock() + retry_delay(1)
        with db.write_session(self.engine) as session:
            for message_id in message_ids:
                mail_store.retry_later(
                    session, message_id=message_id, owner=self.owner, at=at, error=error
                )


def send_due(
    engine: Engine,
    *,
    config: SenderConfig,
    today: date | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utcnow,
    max_messages: int | None = None,
) -> Report:
    """Send every message that is due now (one pass, as `lc-health mail send` does); what it
    did. Stops early when the mail server cannot be reached (the rest waits for the next pass).
    `clock` gives the time leases and retries are measured by.
    """
    run = _Pass(engine, config, sleep, clock)
    try:
        while max_messages is None or run.report.total() < max_messages:
            claimed = run.claim()
            if not claimed:
                break
            for index, message_id in enumerate(claimed):
                if not run.one(message_id, today or date.today()):
                    run.give_back(claimed[index + 1 :], "mail server unavailable")
                    return run.report
    finally:
        run.smtp.close()
    return run.report
