"""The database a benchmark writes into: a SQLite file under bench/ of the home folder (data/bench/
in a checkout) by default, or the PostgreSQL database given by URL. Either is emptied first, and
only if it holds nothing but an earlier benchmark's data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, MetaData, inspect, text
from sqlalchemy.engine import make_url

from lc_health.runtime.config import home
from lc_health.store import db

# AppMeta key that marks a database as the benchmark's own, so it may be emptied again.
MARKER = "bench_data"


class BenchError(Exception):
    """The benchmark cannot run; the message says why."""


@dataclass(frozen=True)
class Target:
    url: str

    @property
    def dialect(self) -> str:
        return make_url(self.url).get_backend_name()

    @property
    def sqlite_path(self) -> Path | None:
        database = make_url(self.url).database
        return Path(database) if self.dialect == "sqlite" and database else None


def default_url(scale: str) -> str:
    return f"sqlite:///{home() / 'bench' / f'lc-health-bench-{scale}.db'}"


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def holds_bench_data(engine: Engine) -> bool:
    tables = set(inspect(engine).get_table_names())
    if "appmeta" not in tables:
        return False
    with engine.connect() as conn:
        marked = conn.execute(text("SELECT 1 FROM appmeta WHERE key = :k"), {"k": MARKER})
        return marked.first() is not None


def _refuse_foreign(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    if tables and not holds_bench_data(engine):
        raise BenchError(
            "the database already holds tables that are not an earlier benchmark's; "
            "give the benchmark a database of its own (e.g. createdb lchealth_bench)"
        )


def drop(target: Target) -> None:
    """Remove the benchmark's data: the SQLite files, or every table in the database."""
    path = target.sqlite_path
    if path is not None and not path.exists():
        return
    engine = db.make_engine(target.url)
    try:
        _refuse_foreign(engine)
        if path is None:
            meta = MetaData()
            meta.reflect(engine)
            meta.drop_all(engine)
    finally:
        engine.dispose()
    if path is not None:
        for file in _sqlite_files(path):
            file.unlink(missing_ok=True)


def prepare(target: Target) -> Engine:
    """An empty, migrated database; returns its engine."""
    drop(target)
    engine = db.make_engine(target.url)
    db.check_connection(engine)
    db.upgrade(engine)
    return engine


def size_bytes(target: Target, engine: Engine) -> int:
    path = target.sqlite_path
    if path is not None:
        return sum(f.stat().st_size for f in _sqlite_files(path) if f.exists())
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
