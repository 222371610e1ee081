"""Migration 0007 (round schedules) goes down (to 0006) and up again on SQLite and PostgreSQL;
after the way down its tables are gone, after the way up they take schedules again."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import Engine, create_engine, inspect

from lc_health.domain.schedules import Rule
from lc_health.store import db
from lc_health.store import schedules as schedule_store

TABLES = {"roundschedule", "scheduleevent", "schedulelease"}


def test_down_to_0006_and_up_again(engine: Engine) -> None:
    with db.write_session(engine) as session:
        schedule_store.save_schedule(
            session, community_id=None, active=True, rule=Rule(), today=date(2027, 1, 1)
        )
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), "0006")
    finally:
        plain.dispose()
    assert db.current_revision(engine) == "0006"
    assert not TABLES & set(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert TABLES <= set(inspect(engine).get_table_names())
    with db.write_session(engine) as session:
        row = schedule_store.save_schedule(
            session, community_id=None, active=True, rule=Rule(), today=date(2027, 1, 1)
        )
        assert row.open_days == 28
