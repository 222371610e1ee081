"""Backups: SQLite's online backup while the app writes, a restore that gives back an identical
database (every table, every row), the refusals that protect data, the command line, and the
PostgreSQL path (pg_dump, or the documented command when it is missing)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from lc_health.store import backup, db
from tests.factories import make_community


def _tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, read through SQLAlchemy without our connection settings."""
    engine = create_engine(url, poolclass=NullPool)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with engine.connect() as conn:
            for name in sorted(inspect(conn).get_table_names()):
                columns = [c["name"] for c in inspect(conn).get_columns(name)]
                rows = conn.execute(
                    select(*(text(f'"{c}"') for c in columns)).select_from(table(name))
                ).all()
                out[name] = sorted((tuple(r) for r in rows), key=repr)
    finally:
        engine.dispose()
    return out


def _path(url: str) -> Path:
    return Path(make_url(url).database or "")


def test_backup_and_restore_give_an_identical_database(demo_db: str, tmp_path: Path) -> None:
    original = _tables(demo_db)
    assert len(original) >= 20 and len(original["response"]) > 100 and original["alembic_version"]
    target = tmp_path / "backups" / "lc-health.backup"
    message = backup.backup(database_url=demo_db, target=target)
    assert str(target) in message
    assert _tables(f"sqlite:///{target}") == original
    assert not list(target.parent.glob(".*partial*"))  # no temporary file left behind
    with sqlite3.connect(target) as conn:  # a single self-contained file
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    restored = f"sqlite:///{tmp_path / 'fresh' / 'restored.db'}"
    message = backup.restore(database_url=restored, source=target)
    assert "restored" in message and db.head_revision() in message
    assert _tables(restored) == original


def test_backups_are_for_their_owner_only_whatever_the_umask(demo_db: str, tmp_path: Path) -> None:
    """A backup holds comments: 0600, and a folder made for it 0700, under the common umask
    022 (which would make both readable by everyone)."""
    there = tmp_path / "there"
    there.mkdir()
    there.chmod(0o755)
    target = there / "made" / "here" / "lc-health.backup"
    old = os.umask(0o022)
    try:
        backup.backup(database_url=demo_db, target=target)
        replaced = tmp_path / "old.backup"
        replaced.write_bytes(b"an older backup")
        replaced.chmod(0o644)
        backup.backup(database_url=demo_db, target=replaced, force=True)
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o600
    assert replaced.stat().st_mode & 0o777 == 0o600
    assert (there / "made").stat().st_mode & 0o777 == 0o700
    assert (there / "made" / "here").stat().st_mode & 0o777 == 0o700
    assert there.stat().st_mode & 0o777 == 0o755  # a folder that was there is left alone
    assert _tables(f"sqlite:///{target}") == _tables(demo_db)


def test_backup_while_the_app_writes_is_consistent(demo_db: str, tmp_path: Path) -> None:
    """A write transaction in progress neither blocks the backup nor ends up in it."""
    before = _tables(demo_db)
    writer = sqlite3.connect(_path(demo_db), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO organisation (name, type) VALUES ('Halverwege BV', 'company')")
        backup.backup(database_url=demo_db, target=tmp_path / "mid.backup")
        writer.execute("COMMIT")
    finally:
        writer.close()
    assert _tables(f"sqlite:///{tmp_path / 'mid.backup'}") == before
    assert len(_tables(demo_db)["organisation"]) == len(before["organisation"]) + 1


def test_restore_refuses_to_overwrite_data_unless_forced(
    demo_db: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    with db.write_session(sqlite_engine) as session:
        make_community(session, name="Enige Community")
    small_url = sqlite_engine.url.render_as_string(hide_password=False)
    sqlite_engine.dispose()
    small = _tables(small_url)
    saved = tmp_path / "small.backup"
    backup.backup(database_url=small_url, target=saved)

    demo = _tables(demo_db)
    with pytest.raises(backup.BackupError, match="holds data; add --force"):
        backup.restore(database_url=demo_db, source=saved)
    assert _tables(demo_db) == demo  # untouched
    backup.restore(database_url=demo_db, source=saved, force=True)
    assert _tables(demo_db) == small


def test_backup_refuses_to_replace_a_file_unless_forced(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "exists.backup"
    target.write_bytes(b"keep me")
    with pytest.raises(backup.BackupError, match="exists; choose another file or add --force"):
        backup.backup(database_url=demo_db, target=target)
    assert target.read_bytes() == b"keep me"
    backup.backup(database_url=demo_db, target=target, force=True)
    assert _tables(f"sqlite:///{target}") == _tables(demo_db)


@pytest.mark.parametrize("kind", ["garbage", "empty_sqlite", "missing", "newer_schema"])
def test_restore_refuses_what_is_not_a_usable_backup(
    kind: str, demo_db: str, tmp_path: Path
) -> None:
    source = tmp_path / "suspect.db"
    if kind == "garbage":
        source.write_bytes(os.urandom(8192))
    elif kind == "empty_sqlite":
        with sqlite3.connect(source) as conn:  # a SQLite database, but not ours
            conn.execute("CREATE TABLE notes (x TEXT)")
    elif kind == "newer_schema":
        backup.backup(database_url=demo_db, target=source)
        with sqlite3.connect(source) as conn:
            conn.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    expected = {
        "garbage": "is not an lc-health backup",
        "empty_sqlite": "is not an lc-health backup",
        "missing": "there is no backup file",
        "newer_schema": "made by a newer lc-health",
    }[kind]
    with pytest.raises(backup.BackupError, match=expected):
        backup.restore(database_url=target_url, source=source)
    assert not (tmp_path / "target.db").exists()


def test_in_memory_database_cannot_be_backed_up(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="not a file"):
        backup.backup(database_url="sqlite://", target=tmp_path / "x.backup")


def _cli(args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_command_line_backup_and_restore(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "cli.backup"
    done = _cli(["backup", str(target)], demo_db)
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    again = _cli(["backup", str(target)], demo_db)
    assert again.returncode == 1 and "add --force" in again.stderr

    refused = _cli(["restore", str(target)], demo_db)
    assert refused.returncode == 1 and "holds data" in refused.stderr
    fresh = f"sqlite:///{tmp_path / 'cli-restored.db'}"
    restored = _cli(["restore", str(target)], fresh)
    assert restored.returncode == 0, restored.stderr
    assert _tables(fresh) == _tables(demo_db)
    forced = _cli(["restore", "--force", str(target)], demo_db)
    assert forced.returncode == 0, forced.stderr


PG_FAKE = "postgresql+psycopg://lc:s3cr3t-pw@db.example.org:5433/lchealth?sslmode=require"


def test_postgres_restore_names_the_documented_steps(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError) as info:
        backup.restore(database_url=PG_FAKE, source=tmp_path / "lc.dump")
    message = str(info.value)
    assert "pg_restore --clean --if-exists --no-owner --single-transaction" in message
    assert "--host=db.example.org --port=5433 --username=lc --dbname=lchealth" in message
    assert "lc-health db upgrade" in message and "s3cr3t-pw" not in message


def test_postgres_backup_without_pg_dump_names_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    with pytest.raises(backup.BackupError) as info:
        backup.backup(database_url=PG_FAKE, target=tmp_path / "lc.dump")
    message = str(info.value)
    assert "pg_dump is not on the PATH" in message
    assert "pg_dump --format=custom --no-owner" in message and "--dbname=lchealth" in message
    assert "s3cr3t-pw" not in message
    assert not (tmp_path / "lc.dump").exists()


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_postgres_backup_runs_pg_dump(postgres_engine: Engine, tmp_path: Path) -> None:
    with db.write_session(postgres_engine) as session:
        make_community(session, name="Gedumpte Community")
    url = postgres_engine.url.render_as_string(hide_password=False)
    target = tmp_path / "pg" / "lc.dump"
    message = backup.backup(database_url=url, target=target)
    assert "written to" in message and target.stat().st_size > 0
    assert target.stat().st_mode & 0o777 == 0o600
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
    ).stdout
    schema = backup._pg_schema(make_url(url))
    assert schema is not None and f"TABLE {schema} response" in listing
    assert f"TABLE DATA {schema} community" in listing
