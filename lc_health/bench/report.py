"""The benchmark's one table: a row per measure, printed as plain text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lc_health.bench.timing import Timing

MEASURES: tuple[str, ...] = (
    "data generation",
    "database size",
    "round review page",
    "portfolio page",
    "communities page",
    "portfolio heatmap (part)",
    "submission, 1 submitter",
    "submission, 50 at once",
    "DuckDB baseline",
    "Polars baseline",
    "peak memory (maxrss)",
)
# The rows that time a page's whole data path (lc_health.bench.workloads).
PAGE_ROWS = MEASURES[2:6]


@dataclass(frozen=True)
class Row:
    measure: str
    timing: Timing | None = None
    note: str = ""


@dataclass
class Report:
    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, measure: str, timing: Timing | None = None, note: str = "") -> None:
        self.rows.append(Row(measure, timing, note))

    def row(self, measure: str) -> Row:
        return next(r for r in self.rows if r.measure == measure)

    def render(self) -> str:
        width = max(len(m) for m in (*MEASURES, *(r.measure for r in self.rows))) + 2
        heads = ("start", "cold", "p50", "p95", "p99", "runs")
        lines = [self.title, f"{'measure':<{width}}" + "".join(f"{h:>10}" for h in heads)]
        lines[-1] += "  notes"
        for row in self.rows:
            t = row.timing
            cells = (
                [""] * 6
                if t is None
                else [_ms(t.start), _ms(t.cold), _ms(t.p50), _ms(t.p95), _ms(t.p99), str(t.runs)]
            )
            lines.append(f"{row.measure:<{width}}" + "".join(f"{c:>10}" for c in cells))
            lines[-1] += f"  {row.note}"
        return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.0f} MB"
