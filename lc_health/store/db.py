"""Engine creation, sessions and migrations (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Wait this long for a competing writer before giving up (see TECH-NOTES: without a busy
# timeout, most concurrent writes fail with "database is locked").
SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any constant works; it only has to be the same for every replica that migrates one database.
PG_MIGRATION_LOCK = 7_418_200_311
WRITE_OPTION = "lc_health_write"
log = logging.getLogger(__name__)


class DatabaseError(Exception):
    """The database cannot be used; the message says what is wrong and what to do."""


def _sqlite_file(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL that does not exist (yet); None for anything else, including
    a URL that make_engine will reject. Read-only commands use it to create nothing."""
    try:
        if make_url(url).get_backend_name() != "sqlite":
            return None
    except ArgumentError:
        return None
    path = _sqlite_file(url)
    return path if path is not None and not path.exists() else None


def _install_sqlite_pragmas(engine: Engine, *, wal: bool) -> None:
    """WAL, foreign keys, busy timeout; BEGIN IMMEDIATE for writes so writers queue, not fail."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is too late).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        if wal:  # an in-memory database has no journal file to put in WAL mode
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL, with our connection settings. Statement
    parameters never appear in database errors or logs (they hold e-mail addresses, comments and
    token hashes; an error's traceback may reach a log)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"The database address '{_redact(url)}' is not a valid SQLAlchemy URL. "
            "Set LC_HEALTH_DATABASE_URL to e.g. sqlite:///data/lc-health.db or "
            "postgresql+psycopg://user:password@host/dbname."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if path is None:
            kwargs["poolclass"] = StaticPool
        else:
            _prepare_sqlite_folder(path)
        engine = create_engine(url, echo=echo, hide_parameters=True, **kwargs)
        _install_sqlite_pragmas(engine, wal=path is not None)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # A workshop can submit at once: keep enough connections that submitters queue on the
        # database, not on the pool.
        return create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            pool_pre_ping=True,
            pool_size=20,
            max_overflow=40,
        )
    raise DatabaseError(
        f"Unsupported database '{parsed.get_backend_name()}': use SQLite or PostgreSQL."
    )


def _prepare_sqlite_folder(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"Cannot create the folder '{folder}' for the SQLite database ({exc.strerror}). "
            "Create it, or point LC_HEALTH_DATABASE_URL elsewhere."
        ) from None


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable>"


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reading (rolled back at the end)."""
    with Session(engine) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose work commits as one transaction at the end, or not at all."""
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    with Session(write_engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, *, revision: str = "head") -> None:
    """Apply pending migrations; on PostgreSQL one replica at a time (advisory lock). Logs how
    long it waited for the lock and, when it migrated, from which revision to which: of several
    replicas started together one logs the migration, the others that they found it done."""
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                asked = time.monotonic()
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_MIGRATION_LOCK})
                conn.commit()
                waited = time.monotonic() - asked
                try:
                    _upgrade_logged(engine, revision, waited=waited)
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_MIGRATION_LOCK})
                    conn.commit()
        else:
            _upgrade_logged(engine, revision, waited=0.0)
    except OperationalError as exc:
        raise DatabaseError(explain_operational_error(engine, exc=exc)) from None


def _upgrade_logged(engine: Engine, revision: str, *, waited: float) -> None:
    before = current_revision(engine)
    config = alembic_config(engine)
    if before is not None and not _known_revision(config, before):
        # A newer version's replica migrated it during a rolling upgrade: migrations only add
        # (docs/deployment.md, Upgrades), so this version serves on; it must not fail to start.
        log.warning(
            "database at revision %s, newer than this version knows (%s): serving on it",
            before,
            head_revision(),
        )
        return
    command.upgrade(config, revision)
    after = current_revision(engine)
    if before != after:
        log.info("database migrated from %s to %s (%.1f s for the lock)", before, after, waited)
    elif waited >= 0.05:
        log.info("database already at %s after %.1f s for the migration lock", after, waited)


def _known_revision(config: Config, revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        return False


def on_commit(engine: Engine, *, callback: Callable[[], None]) -> None:
    """Call callback, in the committing thread, after every commit through engine (the app
    uses it to keep a person who just wrote reading from the primary)."""

    def _committed(_conn: Any) -> None:
        callback()

    event.listen(engine, "commit", _committed)


def explain_operational_error(engine: Engine, *, exc: SQLAlchemyError) -> str:
    """Turn a driver error at connection or migration time into what to do about it."""
    where = _redact(engine.url.render_as_string(hide_password=False))
    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
    lowered = detail.lower()
    if engine.dialect.name == "sqlite":
        if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
            return (
                f"The SQLite database '{where}' cannot be written ({detail}). Check that the "
                "folder exists and is writable, or set LC_HEALTH_DATABASE_URL to a writable place."
            )
        return f"The SQLite database '{where}' cannot be used ({detail})."
    return (
        f"Cannot reach the database at '{where}' ({detail}). Check that the server runs, the "
        "address, user and password are right, or unset LC_HEALTH_DATABASE_URL to use SQLite."
    )


def check_connection(engine: Engine) -> None:
    """Connect once and write nothing; raise DatabaseError with advice when that fails."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        raise DatabaseError(explain_operational_error(engine, exc=exc)) from None


def flush(session: Session) -> None:
    """Send the session's pending writes now, so that the statements after it see them."""
    session.flush()


def redacted_url(url: str) -> str:
    """The database URL with its password shown as ***, for what a person reads."""
    return _redact(url)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (relative as written); None for another database, an
    in-memory one or a URL that cannot be read."""
    try:
        if make_url(url).get_backend_name() != "sqlite":
            return None
    except ArgumentError:
        return None
    return _sqlite_file(url)
