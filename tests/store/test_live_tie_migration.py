"""Migration 0013 (a tied live sheet's place in the round) goes down to its parent and up
again on SQLite and PostgreSQL: the column goes and comes back, the sessions and sheets stay.
(The lead re-chains the revision at merge: the test names only 0013's parent.)"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect
from sqlmodel import select

from lc_health.store import db
from lc_health.store.models import LiveSession, LiveSheet
from tests.factories import make_community


def _parent(engine: Engine) -> str:
    script = ScriptDirectory.from_config(db.alembic_config(engine))
    revision = script.get_revision("0013")
    assert revision is not None and isinstance(revision.down_revision, str)
    return revision.down_revision


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("livesheet")}


def test_down_before_0013_and_up_again(engine: Engine) -> None:
    with db.write_session(engine) as session:
        community = make_community(session, name="Kas van Morgen")
        row = LiveSession(community_id=community.id, code="ACDEFG", started_by="lead")
        session.add(row)
        session.flush()
        session.add(LiveSheet(session_id=row.id, phone_key="x" * 64, in_round=True))
    assert "in_round" in _columns(engine)
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), _parent(plain))
    finally:
        plain.dispose()
    assert "in_round" not in _columns(engine)
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    with db.read_session(engine) as session:
        sheet = session.exec(select(LiveSheet)).one()
    assert sheet.phone_key == "x" * 64 and sheet.in_round is None
