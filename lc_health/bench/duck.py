"""The floor for a full scan: DuckDB aggregating the raw answers, held in memory, to the same
per-community factor means as the portfolio heatmap. Benchmark only (the `bench` extra)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select
from sqlmodel import col

from lc_health.bench.timing import Timing, summarise
from lc_health.domain.instrument import Instrument
from lc_health.store.models import Answer, Response, Round

FETCH_ROWS = 200_000
RUNS = 20

# Respondent-level factor scores first (a respondent's mean over the factor's items), then their
# count, mean and spread per community: what the tallies hold, computed from scratch.
QUERY = """
WITH scores AS (
    SELECT a.community_id, i.factor, a.response_id, avg(a.value) AS score
    FROM answers a JOIN items i ON i.item_id = a.item_id
    WHERE a.period = ? AND a.value IS NOT NULL
    GROUP BY a.community_id, i.factor, a.response_id
)
SELECT community_id, factor, count(*) AS n, avg(score) AS mean, stddev_samp(score) AS sd
FROM scores
GROUP BY community_id, factor
"""


@dataclass(frozen=True)
class DuckResult:
    timing: Timing
    rows: int  # raw answer rows held in memory
    load_seconds: float
    means: pd.DataFrame  # community_id, factor, n, mean


def load_answers(engine: Engine) -> pd.DataFrame:
    """Every raw answer with its community and period: community_id, period, response_id,
    item_id, value (NaN = don't know). Read in chunks into compact columns."""
    stmt = (
        select(
            col(Round.community_id),
            col(Round.period),
            col(Answer.response_id),
            col(Answer.item_id),
            col(Answer.value),
        )
        .join(Response, col(Response.id) == col(Answer.response_id))
        .join(Round, col(Round.id) == col(Response.round_id))
    )
    parts: list[pd.DataFrame] = []
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(stmt)
        for chunk in result.partitions():
            c, p, r, i, v = zip(*chunk, strict=True)
            parts.append(
                pd.DataFrame(
                    {
                        "community_id": np.array(c, dtype=np.int32),
                        "period": pd.Categorical(p),
                        "response_id": np.array(r, dtype=np.int32),
                        "item_id": pd.Categorical(i),
                        "value": np.array([np.nan if x is None else x for x in v], np.float32),
                    }
                )
            )
    frame = pd.concat(parts, ignore_index=True)
    for name in ("period", "item_id"):
        frame[name] = frame[name].astype("string")
    return frame


def compare(answers: pd.DataFrame, instrument: Instrument, period: str) -> DuckResult:
    """Load the frame into an in-memory DuckDB table (not timed), then time the aggregation."""
    import duckdb  # a benchmark-only dependency: imported only when the comparison runs

    started = time.perf_counter()
    con: Any = duckdb.connect()
    items = pd.DataFrame(
        {
            "item_id": [i.id for i in instrument.items],
            "factor": [i.factor for i in instrument.items],
        }
    )
    con.register("answers_frame", answers)
    con.register("items_frame", items)
    con.execute("CREATE TABLE answers AS SELECT * FROM answers_frame")
    con.execute("CREATE TABLE items AS SELECT * FROM items_frame")
    con.unregister("answers_frame")
    load_seconds = time.perf_counter() - started
    samples = []
    means = pd.DataFrame()
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        means = con.execute(QUERY, [period]).df()
        samples.append(time.perf_counter() - started)
    con.close()
    # The first run warms DuckDB up; the others are its warm figures, like ours.
    return DuckResult(summarise(samples[1:]), len(answers), load_seconds, means)


def max_difference(ours: pd.DataFrame, duck: pd.DataFrame) -> float:
    """Largest difference between our heatmap means and DuckDB's, where ours are shown."""
    shown = ours[~ours["suppressed"]].assign(factor=lambda f: f["key"].astype(int))
    merged = shown.merge(duck, on=["community_id", "factor"], suffixes=("", "_duck"))
    if len(merged) != len(shown):
        return float("inf")
    return float((merged["mean"] - merged["mean_duck"]).abs().max()) if len(merged) else 0.0
