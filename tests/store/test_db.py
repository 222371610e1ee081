"""Migrations, connection settings and readable database errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

from lc_health.runtime.cli import main
from lc_health.store import db


def test_migrations_build_the_models_schema_from_empty(engine: Engine) -> None:
    """Upgrading an empty database gives exactly the tables and columns the models declare."""
    assert db.current_revision(engine) == db.head_revision()
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(sqlite_engine: Engine) -> None:
    db.upgrade(sqlite_engine)
    assert db.current_revision(sqlite_engine) == db.head_revision()


def test_a_database_a_newer_version_migrated_is_served_as_it_is(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Rolling upgrade: a replica of this version (re)starting after a newer one migrated the
    database finds a revision it does not know; it starts and leaves the schema alone."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    with caplog.at_level("WARNING", logger="lc_health.store.db"):
        db.upgrade(engine)
    assert db.current_revision(engine) == "ffff"
    assert "newer than this version knows" in caplog.text


def test_sqlite_connection_settings(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS


def test_default_database_is_a_file_in_the_home_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # conftest makes an empty temporary folder LC_HEALTH_HOME
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "lc-health.db").exists()
    assert "database at revision" in capsys.readouterr().out
    assert main(["db", "current"]) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "is not a valid SQLAlchemy URL"),
        ("mysql://u:p@localhost/x", "Unsupported database 'mysql'"),
        (
            "postgresql+psycopg://nobody:secret@127.0.0.1:1/none",
            "Cannot reach the database at 'postgresql+psycopg://nobody:***@127.0.0.1:1/none'",
        ),
    ],
)
def test_bad_database_urls_explain_themselves(url: str, expected: str) -> None:
    with pytest.raises(db.DatabaseError) as info:
        db.check_connection(db.make_engine(url))
    assert expected in str(info.value)
    assert "secret" not in str(info.value)


def test_sqlite_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(db.DatabaseError) as info:
        db.make_engine(f"sqlite:///{blocker / 'sub' / 'x.db'}")
    assert "Cannot create the folder" in str(info.value)


def test_read_only_database_explains_itself(tmp_path: Path) -> None:
    """A database that cannot be written (read-only mode here, since tests may run as root and
    root ignores file permissions) fails migration with advice, not a traceback."""
    path = tmp_path / "ro.db"
    db.make_engine(f"sqlite:///{path}").connect().close()
    engine = db.make_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    with pytest.raises(db.DatabaseError) as info:
        db.upgrade(engine)
    assert "cannot be written" in str(info.value)
    assert "LC_HEALTH_DATABASE_URL" in str(info.value)


def test_database_errors_never_carry_the_values_written(tmp_path: Path) -> None:
    """A failed write's error (which may reach a log as a traceback) names no parameter."""
    from sqlalchemy.exc import IntegrityError

    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (a TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO t VALUES (:a)"), {"a": "ann@example.org"})
    with pytest.raises(IntegrityError) as raised, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:a)"), {"a": "ann@example.org"})
    assert "ann@example.org" not in str(raised.value)
    engine.dispose()
