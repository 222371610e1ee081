"""Baselines a data team would pick instead: the raw answers held in memory, as a real database
fills (in time order: period by period) with integer keys, aggregated by DuckDB or by Polars to
the same per-community factor means as the portfolio heatmap (checked equal), and over every
period (what the portfolio's trends rest on). Warm figures; the thread count is reported.
Benchmark only (the `bench` extra): duckdb and polars are imported when the comparison runs."""

from __future__ import annotations

import time
from collections.abc import Callable
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
RUNS = 30

# Respondent-level factor scores first (a respondent's mean over the factor's items), then their
# count, mean and spread per community: what the published figures hold, from scratch.
HEATMAP = """
WITH scores AS (
    SELECT a.community_id, i.factor, a.response_id, avg(a.value) AS score
    FROM answers a JOIN items i ON i.item = a.item
    WHERE a.period = ? AND a.value IS NOT NULL
    GROUP BY a.community_id, i.factor, a.response_id
)
SELECT community_id, factor, count(*) AS n, avg(score) AS mean, stddev_samp(score) AS sd
FROM scores
GROUP BY community_id, factor
"""
EVERY_PERIOD = """
WITH scores AS (
    SELECT a.period, a.community_id, i.factor, a.response_id, avg(a.value) AS score
    FROM answers a JOIN items i ON i.item = a.item
    WHERE a.value IS NOT NULL
    GROUP BY a.period, a.community_id, i.factor, a.response_id
)
SELECT period, community_id, factor, count(*) AS n, avg(score) AS mean, stddev_samp(score) AS sd
FROM scores
GROUP BY period, community_id, factor
"""


@dataclass(frozen=True)
class RawAnswers:
    """Every raw answer: period (index into `periods`, oldest first), community_id,
    response_id, item (index into `items`), value (NaN = don't know); sorted in time order."""

    frame: pd.DataFrame
    periods: list[str]
    items: pd.DataFrame  # item (int), factor (int)
    load_seconds: float


@dataclass(frozen=True)
class BaselineResult:
    name: str
    threads: int
    heatmap: Timing
    every_period: Timing
    means: pd.DataFrame  # community_id, factor, n, mean, sd of the heatmap's period
    load_seconds: float  # into the baseline's own memory, untimed


def load_answers(engine: Engine, instrument: Instrument) -> RawAnswers:
    """Read in chunks into compact integer columns, then put in time order (untimed)."""
    started = time.perf_counter()
    stmt = (
        select(
            col(Round.period),
            col(Round.community_id),
            col(Answer.response_id),
            col(Answer.item_id),
            col(Answer.value),
        )
        .join(Response, col(Response.id) == col(Answer.response_id))
        .join(Round, col(Round.id) == col(Response.round_id))
    )
    item_index = {item.id: n for n, item in enumerate(instrument.items)}
    parts: list[pd.DataFrame] = []
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(stmt)
        for chunk in result.partitions():
            p, c, r, i, v = zip(*chunk, strict=True)
            parts.append(
                pd.DataFrame(
                    {
                        "period": pd.Series(p, dtype="string"),
                        "community_id": np.array(c, dtype=np.int32),
                        "response_id": np.array(r, dtype=np.int32),
                        "item": np.array([item_index.get(x, -1) for x in i], dtype=np.int16),
                        "value": np.array([np.nan if x is None else x for x in v], np.float64),
                    }
                )
            )
    frame = pd.concat(parts, ignore_index=True)
    periods = sorted(frame["period"].unique())
    frame["period"] = frame["period"].map({p: n for n, p in enumerate(periods)}).astype(np.int16)
    frame = frame.sort_values(["period", "community_id", "response_id"], kind="stable")
    items = pd.DataFrame(
        {
            "item": np.arange(len(instrument.items), dtype=np.int16),
            "factor": np.array([i.factor for i in instrument.items], dtype=np.int16),
        }
    )
    return RawAnswers(frame.reset_index(drop=True), periods, items, time.perf_counter() - started)


def _timed(call: Callable[[], pd.DataFrame], runs: int) -> tuple[Timing, pd.DataFrame]:
    """The first call warms the engine up; the others are its warm figures, like ours."""
    samples = []
    out = call()
    for _ in range(runs):
        started = time.perf_counter()
        out = call()
        samples.append(time.perf_counter() - started)
    return summarise(samples), out


def duckdb_baseline(raw: RawAnswers, period: str, runs: int = RUNS) -> BaselineResult:
    """An in-memory DuckDB table filled in time order (not timed), then the aggregations."""
    import duckdb

    started = time.perf_counter()
    con: Any = duckdb.connect()
    con.register("answers_frame", raw.frame)
    con.register("items_frame", raw.items)
    con.execute(
        "CREATE TABLE answers AS SELECT period::SMALLINT AS period, community_id::INTEGER AS "
        "community_id, response_id::INTEGER AS response_id, item::SMALLINT AS item, "
        "CASE WHEN isnan(value) THEN NULL ELSE value END::TINYINT AS value FROM answers_frame "
        "ORDER BY period, community_id, response_id"
    )
    con.execute("CREATE TABLE items AS SELECT item::SMALLINT AS item, factor FROM items_frame")
    con.unregister("answers_frame")
    con.unregister("items_frame")
    load_seconds = time.perf_counter() - started
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    wanted = raw.periods.index(period)
    heatmap, means = _timed(lambda: con.execute(HEATMAP, [wanted]).df(), runs)
    every, _ = _timed(lambda: con.execute(EVERY_PERIOD).df(), runs)
    con.close()
    return BaselineResult("DuckDB", threads, heatmap, every, means, load_seconds)


def polars_baseline(raw: RawAnswers, period: str, runs: int = RUNS) -> BaselineResult:
    """A Polars frame in time order with nulls for don't know (not timed), then the same
    aggregations as lazy queries."""
    import polars as pl

    started = time.perf_counter()
    answers = pl.from_pandas(raw.frame, nan_to_null=True).with_columns(
        pl.col("value").cast(pl.Int8)
    )
    items = pl.from_pandas(raw.items)
    load_seconds = time.perf_counter() - started
    wanted = raw.periods.index(period)

    def aggregate(by: list[str], rows: Any) -> pd.DataFrame:
        scores = (
            rows.drop_nulls("value")
            .join(items.lazy(), on="item")
            .group_by([*by, "community_id", "factor", "response_id"])
            .agg(pl.col("value").mean().alias("score"))
        )
        summary = scores.group_by([*by, "community_id", "factor"]).agg(
            pl.len().alias("n"), pl.col("score").mean().alias("mean"), pl.col("score").std()
        )
        out: pd.DataFrame = summary.collect().to_pandas().rename(columns={"score": "sd"})
        return out

    heatmap, means = _timed(
        lambda: aggregate([], answers.lazy().filter(pl.col("period") == wanted)), runs
    )
    every, _ = _timed(lambda: aggregate(["period"], answers.lazy()), runs)
    return BaselineResult("Polars", pl.thread_pool_size(), heatmap, every, means, load_seconds)


def max_difference(ours: pd.DataFrame, base: pd.DataFrame) -> float:
    """Largest difference between our heatmap means and a baseline's where ours are shown; inf
    when the communities, factors or respondent counts differ."""
    shown = ours[~ours["suppressed"]].assign(factor=lambda f: f["key"].astype(int))
    merged = shown.merge(base, on=["community_id", "factor"], suffixes=("", "_base"))
    if len(merged) != len(shown) or (merged["n"] != merged["n_base"]).any():
        return float("inf")
    return float((merged["mean"] - merged["mean_base"]).abs().max()) if len(merged) else 0.0
