"""The read replica under a workshop: the portfolio page's data path read from a PostgreSQL
streaming replica (LC_HEALTH_READ_DATABASE_URL) while bursts of submissions hit the primary,
as `lc-health bench --read-database-url URL` reports it in one row."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, text

from lc_health.bench.submit import SubmitResult, concurrent
from lc_health.bench.timing import Timing, summarise
from lc_health.bench.workloads import Context, portfolio_page
from lc_health.domain.instrument import Instrument
from lc_health.store import db

REPLICA_ROW = "portfolio page on the read replica, during bursts"
CATCH_UP_S = 600


def wait_caught_up(primary: Engine, replica: Engine, *, timeout: float = CATCH_UP_S) -> float:
    """Until the replica has replayed what the primary has written so far; the seconds taken."""
    with primary.connect() as conn:
        target = str(conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one())
    began = time.monotonic()
    with replica.connect() as conn:
        while not conn.execute(
            text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": target}
        ).scalar_one():
            if time.monotonic() - began > timeout:
                raise TimeoutError("the read replica did not catch up with the primary")
            time.sleep(0.2)
            conn.rollback()
    return time.monotonic() - began


def portfolio_during_bursts(
    primary: Engine,
    replica: Engine,
    ctx: Context,
    instrument: Instrument,
    rounds: list[int],
    *,
    submitters: int,
    bursts: int,
) -> tuple[Timing, SubmitResult]:
    """Time the portfolio page on the replica for as long as the bursts on the primary last."""
    result: list[SubmitResult] = []
    burst = threading.Thread(
        target=lambda: result.append(
            concurrent(primary, instrument, rounds, submitters=submitters, workshops=bursts)
        )
    )
    samples: list[float] = []
    burst.start()
    while burst.is_alive() or not samples:
        began = time.perf_counter()
        with db.read_session(replica) as session:
            portfolio_page(session, ctx)
        samples.append(time.perf_counter() - began)
    burst.join()
    return summarise(samples), result[0]
