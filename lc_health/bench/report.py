"""The benchmark's one table: a row per measure, printed as plain text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lc_health.bench.timing import Timing

MEASURES: tuple[str, ...] = (
    "data generation",
    "database size",
    "community round review",
    "community trends",
    "community forces",
    "portfolio heatmap",
    "portfolio trends",
    "portfolio forces",
    "communities overview",
    "submission, 1 submitter",
    "submission, 50 concurrent",
    "portfolio heatmap vs DuckDB",
    "peak memory (maxrss)",
)


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
        width = max(len(m) for m in MEASURES) + 2
        lines = [self.title, f"{'measure':<{width}}{'cold':>10}{'p50':>10}{'p95':>10}  notes"]
        for row in self.rows:
            t = row.timing
            cells = ["", "", ""] if t is None else [_ms(t.cold), _ms(t.p50), _ms(t.p95)]
            lines.append(
                f"{row.measure:<{width}}{cells[0]:>10}{cells[1]:>10}{cells[2]:>10}  {row.note}"
            )
        return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds):
        return "-"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def megabytes(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.0f} MB"
