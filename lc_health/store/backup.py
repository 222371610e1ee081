"""Backups of the configured database, and restoring one.

SQLite: SQLite's online backup API (sqlite3.Connection.backup) copies the database in one step
under a read lock, so the copy is consistent even while the app writes (in WAL mode readers
never block writers). Restoring goes through the same API the other way, refuses to overwrite a
database that holds data unless forced, and then applies pending migrations, so a backup made by
an older version is upgraded.

PostgreSQL: `backup` runs `pg_dump --format=custom` when pg_dump is on the PATH (the password goes
through the PGPASSWORD environment variable, never the command line); without it, the error names
the command to run. `restore` never replaces a shared PostgreSQL database itself: every replica
has to be stopped first, so it prints the documented pg_restore steps (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, literal, select, table
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

from lc_health.store import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_DUMP_TIMEOUT_SECONDS = 3600
VERSION_TABLE = "alembic_version"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _url(database_url: str) -> URL:
    try:
        return make_url(database_url)
    except ArgumentError:
        raise BackupError("LC_HEALTH_DATABASE_URL is not a valid database URL") from None


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite URL (an in-memory database has none)."""
    database = _url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("this SQLite database is not a file, so it cannot be backed up")
    return Path(database)


def backup(*, database_url: str, target: Path, force: bool = False) -> str:
    """Write a backup of the database to target; returns what was done, in one line."""
    url = _url(database_url)
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose another file or add --force to replace it")
    if url.get_backend_name() == "sqlite":
        source = sqlite_path(database_url)
        sqlite_backup(source=source, target=target)
        return f"backup of {source} written to {target}"
    if url.get_backend_name() == "postgresql":
        pg_backup(url=url, target=target)
        return f"pg_dump of database {url.database} written to {target} (custom format)"
    raise BackupError(f"unsupported database '{url.get_backend_name()}'")


def restore(*, database_url: str, source: Path, force: bool = False) -> str:
    """Restore a backup into the configured database, then migrate it to the newest schema."""
    url = _url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupError(
            "restoring a PostgreSQL database is done with pg_restore, after stopping every app "
            "replica:\n  " + " ".join(pg_restore_command(url=url, source=source)) + "\n"
            "then run `lc-health db upgrade` and start the replicas again "
            "(see docs/deployment.md, section Backups)"
        )
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"unsupported database '{url.get_backend_name()}'")
    target = sqlite_path(database_url)
    revision = sqlite_restore(source=source, target=target, force=force)
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine)
        now = db.current_revision(engine)
    finally:
        engine.dispose()
    upgraded = "" if now == revision else f", upgraded from {revision} to {now}"
    return f"restored {source} into {target} (schema {now}{upgraded})"


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
    return conn


# A backup holds everything, comments too: only its owner may read it, whatever the umask.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def _private_partial(target: Path) -> Path:
    """An empty file next to target, readable by its owner only, to write the backup into
    (its folder, when it has to be made, too)."""
    missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    os.chmod(partial, FILE_MODE)
    return partial


def sqlite_backup(*, source: Path, target: Path) -> None:
    """Copy a live SQLite database to target (a self-contained file, journal mode DELETE).

    Written to a temporary file next to target and renamed when complete, so target is never
    a half-written backup.
    """
    if not source.is_file():
        raise BackupError(f"there is no SQLite database at {source}")
    if target.resolve() == source.resolve():
        raise BackupError("the backup file cannot be the database itself")
    partial = _private_partial(target)
    try:
        with (
            contextlib.closing(_connect(source)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dest,
        ):
            src.backup(dest)  # pages=-1: all in one step, one consistent snapshot
            dest.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(dest, partial)
        os.chmod(partial, FILE_MODE)
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"backup failed: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed SQLite's integrity check: {result}")


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(db.alembic_config(create_engine("sqlite://")))
    return {rev.revision for rev in script.walk_revisions()}


def _backup_revision(conn: sqlite3.Connection, source: Path) -> str:
    """The schema revision of a backup; refuses anything that is not an lc-health database."""
    try:
        _check_integrity(conn, source)
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise BackupError(f"{source} is not an lc-health backup (no SQLite database with a schema)")
    revision = str(row[0])
    if revision not in _known_revisions():
        raise BackupError(
            f"{source} was made by a newer lc-health (schema {revision}); upgrade lc-health first"
        )
    return revision


def holds_data(path: Path) -> bool:
    """True when the SQLite database at path has a row in any table (migrations aside)."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    engine = create_engine("sqlite://", creator=lambda: _connect(path), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                if name == VERSION_TABLE:
                    continue
                if conn.execute(select(literal(1)).select_from(table(name)).limit(1)).first():
                    return True
    finally:
        engine.dispose()
    return False


def sqlite_restore(*, source: Path, target: Path, force: bool) -> str:
    """Copy a backup over the database at target; returns the backup's schema revision."""
    if not source.is_file():
        raise BackupError(f"there is no backup file at {source}")
    if target.exists() and source.resolve() == target.resolve():
        raise BackupError("the backup file is the configured database itself")
    try:
        with contextlib.closing(_connect(source, read_only=True)) as src:
            revision = _backup_revision(src, source)
            if holds_data(target) and not force:
                raise BackupError(
                    f"the database {target} holds data; add --force to replace it with the backup"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(_connect(target)) as dest:
                src.backup(dest)
    except sqlite3.Error as exc:
        raise BackupError(f"restore failed: {exc}") from None
    return revision


def _pg_schema(url: URL) -> str | None:
    """The schema named by `options=-csearch_path=...` in the URL, if any."""
    options = url.query.get("options")
    text = unquote(options if isinstance(options, str) else " ".join(options or ()))
    for part in text.split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0].strip() or None
    return None


def _pg_connection_args(url: URL) -> list[str]:
    args = []
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    return args


def pg_dump_command(*, url: URL, target: Path) -> list[str]:
    """The pg_dump command for a backup (without the password: that goes in PGPASSWORD)."""
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    command += _pg_connection_args(url)
    schema = _pg_schema(url)
    if schema:
        command.append(f"--schema={schema}")
    command.append(f"--dbname={url.database or ''}")
    return command


def pg_restore_command(*, url: URL, source: Path) -> list[str]:
    """The documented pg_restore command for a backup made by pg_dump_command."""
    return [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        *_pg_connection_args(url),
        f"--dbname={url.database or ''}",
        str(source),
    ]


def pg_backup(*, url: URL, target: Path) -> None:
    command = pg_dump_command(url=url, target=target)
    executable = shutil.which("pg_dump")
    if executable is None:
        raise BackupError(
            "pg_dump is not on the PATH. Install the PostgreSQL client tools (the same major "
            "version as the server) or run it where they are:\n  PGPASSWORD=... "
            + " ".join(command)
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    partial = _private_partial(target)
    command[command.index(f"--file={target}")] = f"--file={partial}"
    try:
        done = subprocess.run(
            [executable, *command[1:]],
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_DUMP_TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()
            raise BackupError(
                "pg_dump failed: " + (detail[-1] if detail else f"exit {done.returncode}")
            )
        os.chmod(partial, FILE_MODE)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
