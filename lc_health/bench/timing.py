"""Timing helpers: percentiles of repeated calls, and first calls in a fresh process."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Seconds: the process start before a first call (imports, instrument loading, engine;
    None when not measured), the first call in that fresh process (None when not measured),
    then p50/p95/p99 of `runs` repeated calls in a warm one."""

    cold: float | None
    p50: float
    p95: float
    p99: float
    runs: int
    start: float | None = None


@dataclass(frozen=True)
class Cold:
    start: float  # from launching the process to just before the call
    call: float  # the first call


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolated between the nearest ranks."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(samples: Sequence[float], cold: Cold | None = None) -> Timing:
    return Timing(
        cold.call if cold else None,
        statistics.median(samples),
        percentile(samples, 95),
        percentile(samples, 99),
        len(samples),
        cold.start if cold else None,
    )


def repeat(call: Callable[[int], object], runs: int) -> list[float]:
    """Seconds of each of `runs` calls; the call gets the run number (to vary its input)."""
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        call(run)
        samples.append(time.perf_counter() - started)
    return samples


def cold_call(workload: str, database_url: str, params: dict[str, object]) -> Cold:
    """A workload's first call in a new Python process with a new engine, and apart from it the
    process start before it: interpreter, imports, instrument loading and the engine."""
    env = dict(os.environ) | {"PYTHONHASHSEED": "0"}
    launched = time.time()  # wall clock: the child compares its own against it
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "lc_health.bench.cold",
            workload,
            database_url,
            json.dumps(params | {"launched": launched}),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    start, call = out.stdout.strip().splitlines()[-1].split()
    return Cold(start=float(start), call=float(call))
