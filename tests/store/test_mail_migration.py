"""Migration 0006 adds the e-mail tables and its downgrade removes exactly them, on SQLite and
PostgreSQL, with the rest of the data untouched."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, create_engine, inspect

from lc_health.domain.instrument import Instrument
from lc_health.services import mail as mail_service
from lc_health.store import db
from tests.mail_world import make_world

MAIL_TABLES = {"mailrecipient", "outboxmessage"}


def test_mail_tables_come_and_go_with_their_revision(
    engine: Engine, instrument: Instrument
) -> None:
    world = make_world(engine, instrument, "ann@example.org")
    assert mail_service.enqueue_invitations(engine, round_id=world.round_id) == 1
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), "0006")  # later revisions go first
        plain.dispose()
        before = set(inspect(plain).get_table_names())
        assert before >= MAIL_TABLES
        command.downgrade(db.alembic_config(plain), "0005")
    finally:
        plain.dispose()
    engine.dispose()
    assert set(inspect(engine).get_table_names()) == before - MAIL_TABLES
    db.upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= before
    assert world.recipients() == {}  # the downgrade took the addresses with it
