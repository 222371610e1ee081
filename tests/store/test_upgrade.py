"""Upgrades keep every row: a database built with the first released schema (revision 0001)
and filled with the demo portfolio migrates to the newest schema with all its data."""

from __future__ import annotations

import hashlib

from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from lc_health.domain.instrument import Instrument
from lc_health.services.demo import load_demo
from lc_health.store import db

FIRST_RELEASE = "0001"


def _contents(
    engine: Engine, columns_of: dict[str, list[str]] | None = None
) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of the rows (columns in name order; only the given
    ones, so that columns a later revision added do not count)."""
    out = {}
    with engine.connect() as conn:
        for table in sorted(inspect(engine).get_table_names()):
            if table == "alembic_version":
                continue
            columns = sorted(c["name"] for c in inspect(engine).get_columns(table))
            if columns_of is not None:
                columns = columns_of.get(table, columns)
            rows = conn.execute(text(f'SELECT {", ".join(columns)} FROM "{table}"')).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            out[table] = (len(rows), digest)
    return out


def test_first_release_with_demo_data_upgrades_with_every_row(
    engine: Engine, instrument: Instrument
) -> None:
    # The demo data is written with today's tables, so it is loaded at the newest revision
    # and the database is then taken back to the first release (each migration's downgrade
    # drops what it added): what is left is a first-release database full of data.
    with db.write_session(engine) as session:
        responses = load_demo(session=session, instrument=instrument)
    # Without SQLite's foreign-key enforcement, as Alembic's batch mode needs to rebuild a table
    # that others refer to (the app's own engine turns it on).
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), FIRST_RELEASE)
    finally:
        plain.dispose()
    assert db.current_revision(engine) == FIRST_RELEASE
    before = _contents(engine)
    columns = {
        table: sorted(c["name"] for c in inspect(engine).get_columns(table))
        for table in inspect(engine).get_table_names()
    }
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    after = _contents(engine, columns)
    for table, (count, digest) in before.items():
        assert after[table][0] == count, table
        assert after[table][1] == digest, table
    assert before["response"][0] == responses > 500
