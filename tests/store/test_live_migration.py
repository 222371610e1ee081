"""Migration 0011 (live sessions) goes down (to 0009) and up again on SQLite and PostgreSQL;
after the way down its tables are gone, after the way up a session and its sheets are stored
again. (The lead re-chains the revision after 0010 at merge: the test names only 0011's parent.)"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect

from lc_health.store import db
from lc_health.store.models import LiveSession, LiveSheet
from tests.factories import make_community

TABLES = {"livesession", "livesheet"}


def _parent(engine: Engine) -> str:
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    revision = script.get_revision("0011")
    assert revision is not None and isinstance(revision.down_revision, str)
    return revision.down_revision


def test_down_before_0011_and_up_again(engine: Engine) -> None:
    with db.write_session(engine) as session:
        community = make_community(session, name="Kas van Morgen")
        session.add(LiveSession(community_id=community.id, code="ACDEFG", started_by="lead"))
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), _parent(plain))
    finally:
        plain.dispose()
    assert not TABLES & set(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    with db.write_session(engine) as session:
        row = LiveSession(community_id=1, code="ACDEFG", started_by="lead")
        session.add(row)
        session.flush()
        session.add(LiveSheet(session_id=row.id, phone_key="x" * 64))
