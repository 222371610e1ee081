"""Upgrades keep every row: a database built with the first released schema (revision 0001)
and filled with the demo portfolio migrates to the newest schema with all its data."""

from __future__ import annotations

import hashlib

from alembic import command
from sqlalchemy import Engine, inspect, text

from lc_health import db
from lc_health.demo import load_demo
from lc_health.instrument import Instrument

FIRST_RELEASE = "0001"


def _contents(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of the rows (columns in name order)."""
    out = {}
    with engine.connect() as conn:
        for table in sorted(inspect(engine).get_table_names()):
            if table == "alembic_version":
                continue
            columns = sorted(c["name"] for c in inspect(engine).get_columns(table))
            rows = conn.execute(text(f'SELECT {", ".join(columns)} FROM "{table}"')).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            out[table] = (len(rows), digest)
    return out


def test_first_release_with_demo_data_upgrades_with_every_row(
    engine: Engine, instrument: Instrument
) -> None:
    # The fixture migrated to the newest revision; start again from the first release.
    command.downgrade(db.alembic_config(engine), "base")
    db.upgrade(engine, FIRST_RELEASE)
    assert db.current_revision(engine) == FIRST_RELEASE
    with db.write_session(engine) as session:
        responses = load_demo(session=session, instrument=instrument)
    before = _contents(engine)
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    after = _contents(engine)
    for table, (count, digest) in before.items():
        assert after[table][0] == count, table
        assert after[table][1] == digest, table
    assert before["response"][0] == responses > 500
