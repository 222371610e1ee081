"""What happened around each burst of submissions, to explain the slow ones: the group-commit
transactions it took (how many, the longest), Python's garbage collections in the benchmark's
process, the machine's load, and the database's own background work: on SQLite whether the WAL
was checkpointed and restarted (its header's checkpoint counter), on PostgreSQL checkpoints and
autovacuum runs (pg_stat_bgwriter, pg_stat_user_tables, pg_stat_activity).

Everything is read from outside the code under test: engine events, gc callbacks, the WAL
file's header and PostgreSQL's statistics views, so the measurement changes nothing it measures.
"""

from __future__ import annotations

import gc
import os
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text

from lc_health.bench.timing import percentile

# A WAL file's header: magic, format, page size, then the checkpoint sequence number.
WAL_HEADER = struct.Struct(">IIII")


@dataclass(frozen=True)
class Counters:
    """Cumulative counts at one moment; a burst's figures are the difference of two."""

    commits: int = 0
    gc_runs: int = 0
    gc_seconds: float = 0.0
    checkpoints: int = 0  # SQLite: WAL restarts after a checkpoint; PostgreSQL: checkpoints
    autovacuums: int = 0  # PostgreSQL: autovacuum and autoanalyze runs so far
    vacuuming: int = 0  # PostgreSQL: autovacuum workers busy at this moment (not cumulative)


@dataclass(frozen=True)
class Burst:
    number: int  # 1-based
    started: datetime
    samples: tuple[float, ...]
    commits: int
    longest_commit: float  # seconds of the longest group-commit transaction
    gc_runs: int
    gc_seconds: float
    checkpoints: int
    autovacuums: int
    vacuuming: int
    load: float  # the machine's 1-minute load average at the start

    @property
    def p95(self) -> float:
        return percentile(list(self.samples), 95)

    def explain(self) -> str:
        """The burst's own figures and what else happened while it ran."""
        ms = [x * 1000 for x in self.samples]
        size = len(self.samples) / self.commits if self.commits else float("nan")
        return (
            f"burst {self.number} at {self.started:%H:%M:%S} UTC: p50 "
            f"{percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms; "
            f"{self.commits} group commits (~{size:.0f} a commit, longest "
            f"{self.longest_commit * 1000:.1f} ms); {self.checkpoints} checkpoints, "
            f"{self.autovacuums} autovacuum runs ({self.vacuuming} busy at the start); "
            f"{self.gc_runs} Python GC runs ({self.gc_seconds * 1000:.1f} ms); load {self.load:.1f}"
        )


@dataclass
class Probe:
    """Counts commits and garbage collections while installed (see install/remove)."""

    engine: Engine
    commits: int = 0
    gc_runs: int = 0
    gc_seconds: float = 0.0
    longest: float = 0.0
    _gc_started: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        gc.callbacks.append(self._gc)

    def remove(self) -> None:
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)
        gc.callbacks.remove(self._gc)

    def _begin(self, conn: Any) -> None:
        conn.info["bench_began"] = time.perf_counter()

    def _commit(self, conn: Any) -> None:
        took = time.perf_counter() - conn.info.pop("bench_began", time.perf_counter())
        with self._lock:
            self.commits += 1
            self.longest = max(self.longest, took)

    def _gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_runs += 1
            self.gc_seconds += time.perf_counter() - self._gc_started

    def take_longest(self) -> float:
        with self._lock:
            longest, self.longest = self.longest, 0.0
        return longest

    def counters(self) -> Counters:
        """The counts now, the database's included (read on a connection of its own)."""
        checkpoints = autovacuums = vacuuming = 0
        if self.engine.dialect.name == "sqlite":
            checkpoints = _wal_sequence(self.engine)
        else:
            checkpoints, autovacuums, vacuuming = _postgres_counts(self.engine)
        return Counters(
            self.commits, self.gc_runs, self.gc_seconds, checkpoints, autovacuums, vacuuming
        )


def _wal_sequence(engine: Engine) -> int:
    """The WAL header's checkpoint sequence number: it grows each time the WAL restarts after
    a checkpoint (0 when there is no WAL file)."""
    database = engine.url.database
    if not database:
        return 0
    try:
        with Path(database + "-wal").open("rb") as wal:
            header = wal.read(WAL_HEADER.size)
    except OSError:
        return 0
    if len(header) < WAL_HEADER.size:
        return 0
    return int(WAL_HEADER.unpack(header)[3])


# Checkpoints so far: pg_stat_checkpointer from PostgreSQL 17, pg_stat_bgwriter before.
CHECKPOINTS = {
    True: "SELECT num_timed + num_requested FROM pg_stat_checkpointer",
    False: "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter",
}
POSTGRES_COUNTS = (
    "SELECT ({checkpoints}), "
    "(SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables), "
    "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker')"
)


def _postgres_counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        version = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
        conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        query = POSTGRES_COUNTS.format(checkpoints=CHECKPOINTS[version >= 170000])
        row = conn.execute(text(query)).one()
    return int(row[0]), int(row[1]), int(row[2])


@dataclass(frozen=True)
class Start:
    """What the probe saw as a burst began."""

    at: datetime
    load: float
    counters: Counters


def start(probe: Probe) -> Start:
    probe.take_longest()
    return Start(datetime.now(UTC), os.getloadavg()[0], probe.counters())


def burst(number: int, began: Start, probe: Probe, samples: list[float]) -> Burst:
    """A burst's record, read from the probe once all its submissions are done."""
    before, after = began.counters, probe.counters()
    return Burst(
        number=number,
        started=began.at,
        samples=tuple(samples),
        commits=after.commits - before.commits,
        longest_commit=probe.take_longest(),
        gc_runs=after.gc_runs - before.gc_runs,
        gc_seconds=after.gc_seconds - before.gc_seconds,
        checkpoints=after.checkpoints - before.checkpoints,
        autovacuums=after.autovacuums - before.autovacuums,
        vacuuming=before.vacuuming,
        load=began.load,
    )
