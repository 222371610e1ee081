"""Bulk loading of generated rows: one executemany per batch on SQLite, COPY on PostgreSQL.

Either way the whole load is one transaction, written outside the app's engine, which is the
fastest way each database offers to take in millions of rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from psycopg import sql
from sqlalchemy import Engine, bindparam, insert
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlmodel import SQLModel

import lc_health.store.models  # noqa: F401  (registers the tables in SQLModel.metadata)

# Generous page cache for the load only; the app's connections keep SQLite's default.
LOAD_CACHE_KIB = 256 * 1024
# Tables whose ids the generator assigns itself: PostgreSQL's sequences must move past them.
SERIAL_TABLES = ("community", "organisation", "round", "invitation", "response", "action")
# The tables the loader fills. Their secondary indexes (not the keys and unique constraints,
# which the tables need) are dropped for the load and built again at the end: one sort per
# index instead of millions of scattered inserts into it.
BULK_TABLES = (
    "response",
    "answer",
    "forcemark",
    "comment",
    "roundtally",
    "itemtally",
    "scoretally",
    "forcetally",
    "publication",
    "publisheditem",
    "publishedscore",
    "publishedforce",
)


class Loader(Protocol):
    def rows(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Append rows to a table (column values already in the form stamp() and flag() give)."""

    def stamp(self, moment: datetime) -> Any:
        """A timestamp as this database's driver takes it."""

    def finish(self) -> None:
        """Commit, and leave the database as the app expects it."""


class SqliteLoader:
    """executemany on a connection of its own, with the journal off during the load (a failed
    load is thrown away and generated again, so it needs no rollback)."""

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=OFF")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute(f"PRAGMA cache_size=-{LOAD_CACHE_KIB}")
        self._conn.execute("BEGIN")
        marks = ", ".join("?" for _ in BULK_TABLES)
        self._indexes: list[tuple[str, str]] = self._conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name",
            BULK_TABLES,
        ).fetchall()
        for name, _ in self._indexes:
            self._conn.execute(f'DROP INDEX "{name}"')

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        stmt = insert(SQLModel.metadata.tables[table]).values({c: bindparam(c) for c in columns})
        self._conn.executemany(str(stmt.compile(dialect=sqlite_dialect())), rows)

    def stamp(self, moment: datetime) -> Any:
        # The form SQLAlchemy stores (UTC, no offset), so the app reads these back unchanged.
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def finish(self) -> None:
        for _, create in self._indexes:
            self._conn.execute(create)
        self._conn.execute("COMMIT")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.close()


# Indexes of the bulk tables that no key or unique constraint owns, with their definitions.
SECONDARY_INDEXES = """
    SELECT i.relname, pg_get_indexdef(i.oid)
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
    ORDER BY i.relname
"""


# Foreign keys on the bulk tables or pointing into them, with their definitions. During COPY
# each would check every row with a trigger (a lookup per answer); added back after the load,
# each is checked once for the whole table, with a join.
FOREIGN_KEYS = """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
      AND (c.conrelid::regclass::text = ANY(%s) OR c.confrelid::regclass::text = ANY(%s))
    ORDER BY 1, 2
"""


class PostgresLoader:
    """COPY ... FROM STDIN on a raw psycopg connection of the engine, in one transaction that
    first empties the bulk tables (so that COPY may write the rows frozen: no vacuum has to
    visit them again) and drops their foreign keys and secondary indexes, to add them back in
    finish()."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._raw = engine.raw_connection()
        self._conn: Any = self._raw.driver_connection
        assert self._conn is not None
        tables = list(BULK_TABLES)
        with self._conn.cursor() as cur:
            cur.execute(SECONDARY_INDEXES, (tables,))
            self._indexes: list[tuple[str, str]] = cur.fetchall()
            cur.execute(FOREIGN_KEYS, (tables, tables))
            self._foreign: list[tuple[str, str, str]] = cur.fetchall()
            for table, name, _ in self._foreign:
                cur.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.SQL(table), sql.Identifier(name)
                    )
                )
            for name, _ in self._indexes:
                cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
            cur.execute(
                sql.SQL("TRUNCATE {}").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in BULK_TABLES)
                )
            )

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        stmt = sql.SQL("COPY {} ({}) FROM STDIN WITH (FREEZE)").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with self._conn.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)

    def stamp(self, moment: datetime) -> Any:
        return moment

    def finish(self) -> None:
        with self._conn.cursor() as cur:
            for _, create in self._indexes:
                cur.execute(create)
            for table, name, definition in self._foreign:
                cur.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                        sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
                    )
                )
            for table in SERIAL_TABLES:
                stmt = sql.SQL(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    "coalesce((SELECT max(id) FROM {}), 0) + 1, false)"
                ).format(sql.Identifier(table))
                cur.execute(stmt, (f'"{table}"',))
        self._conn.commit()
        self._raw.close()
        # What autovacuum would soon do after a load this size: statistics for the planner and
        # a visibility map, so that index-only scans need not visit the table.
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
