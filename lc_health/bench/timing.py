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
    """Seconds: the first call in a fresh process (None when not measured), then p50/p95 of
    repeated calls in a warm one."""

    cold: float | None
    p50: float
    p95: float
    runs: int


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolated between the nearest ranks."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(samples: Sequence[float], cold: float | None = None) -> Timing:
    return Timing(cold, statistics.median(samples), percentile(samples, 95), len(samples))


def repeat(call: Callable[[int], object], runs: int) -> list[float]:
    """Seconds of each of `runs` calls; the call gets the run number (to vary its input)."""
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        call(run)
        samples.append(time.perf_counter() - started)
    return samples


def cold_call(workload: str, database_url: str, params: dict[str, object]) -> float:
    """Seconds of a workload's first call in a new Python process with a new engine (imports
    and instrument loading happen before the clock starts)."""
    env = dict(os.environ) | {"PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-m", "lc_health.bench.cold", workload, database_url, json.dumps(params)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return float(out.stdout.strip().splitlines()[-1])
