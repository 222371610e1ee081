"""A community with an open round and e-mail addresses, and the sender's settings for the test
SMTP server (tests/smtp.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from lc_health.domain import mail_links
from lc_health.domain.instrument import Instrument
from lc_health.services import mail as mail_service
from lc_health.services.mail_sender import SenderConfig
from lc_health.store import db
from lc_health.store.models import MailRecipient, OutboxMessage
from tests.factories import make_community, make_round
from tests.smtp import SmtpServer

SECRET = b"a test mail secret that nobody else uses"
PUBLIC_URL = "https://lc.example.org"
SENDER = "lc-health@example.org"
ACTOR = "beheer@example.org"
TODAY = date.today()


@dataclass(frozen=True)
class World:
    engine: Engine
    community_id: int
    round_id: int
    community: str

    def recipients(self) -> dict[str, MailRecipient]:
        with db.read_session(self.engine) as session:
            rows = session.exec(
                select(MailRecipient).where(col(MailRecipient.community_id) == self.community_id)
            ).all()
            return {r.address: r for r in rows}

    def outbox(self) -> list[OutboxMessage]:
        with db.read_session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())

    def link_token(self, address: str) -> str:
        return mail_links.link_token(SECRET, self.recipients()[address].link_salt)

    def optout_token(self, address: str) -> str:
        return mail_links.optout_token(SECRET, self.recipients()[address].link_salt)


def make_world(
    engine: Engine, instrument: Instrument, text: str = "", *, name: str = "Bijenlint", **kw: Any
) -> World:
    with db.write_session(engine) as session:
        community = make_community(session, name=name)
        assert community.id is not None
        rnd = make_round(
            session,
            instrument,
            community_id=community.id,
            period=kw.get("period", "2026-Q4"),
            opens_on=kw.get("opens_on", TODAY - timedelta(days=3)),
            closes_on=kw.get("closes_on", TODAY + timedelta(days=20)),
        )
        assert rnd.id is not None
        if text:
            mail_service.add_addresses(
                session,
                community_id=community.id,
                text=text,
                default_language="nl",
                secret=SECRET,
                actor=ACTOR,
            )
        return World(engine, community.id, rnd.id, community.name)


def sender_config(server: SmtpServer, **overrides: Any) -> SenderConfig:
    config = SenderConfig(
        host=server.host,
        port=server.port,
        security="none",
        sender=SENDER,
        public_url=PUBLIC_URL,
        secret=SECRET,
        rate_per_minute=10_000,
        timeout=10.0,
    )
    return replace(config, **overrides)
