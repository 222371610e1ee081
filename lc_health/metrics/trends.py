"""Change over rounds: one community's factors and layers per period, with uncertainty, and
where a trend line must break (a quarter without published figures, or a new instrument version
that changed the statements behind a score)."""

from __future__ import annotations

from collections.abc import Mapping, Set

import numpy as np
import pandas as pd

from lc_health.domain.periods import Period
from lc_health.domain.scoring import ScoreKey
from lc_health.metrics.core import summarise_sums

SUMS = ["n", "total", "total_sq"]
TREND_COLUMNS = [
    "period",
    "key",
    "n",
    "mean",
    "ci_low",
    "ci_high",
    "band",
    "suppressed",
    "segment",
    "version_break",
]
InstrumentKey = tuple[str, int]


def instrument_changes(rounds: pd.DataFrame) -> list[tuple[str, InstrumentKey, InstrumentKey]]:
    """(period, instrument before, instrument from then on) for each round whose instrument
    (id, version) differs from the round before it. rounds: period, instrument_id,
    instrument_version."""
    ordered = rounds.sort_values("period")
    out: list[tuple[str, InstrumentKey, InstrumentKey]] = []
    previous: InstrumentKey | None = None
    for period, instrument_id, version in zip(
        ordered["period"], ordered["instrument_id"], ordered["instrument_version"], strict=True
    ):
        current = (str(instrument_id), int(version))
        if previous is not None and current != previous:
            out.append((str(period), previous, current))
        previous = current
    return out


def _all_periods(periods: pd.Series) -> list[str]:
    """Every quarter from the first to the last of these periods, so a quarter without a round
    is a gap too (text that is not a quarter is kept as it is)."""
    found = sorted(set(periods.astype(str)))
    try:
        parsed = [Period.parse(p) for p in found]
    except ValueError:
        return found
    if not parsed:
        return []
    return [str(p) for p in parsed[0].through(parsed[-1])]


def community_trend(
    scores: pd.DataFrame,
    rounds: pd.DataFrame,
    scope: str,
    threshold: int,
    comparable_at: Mapping[str, Set[ScoreKey]] | None = None,
) -> pd.DataFrame:
    """Per key of a scope and every quarter from the community's first round to its last:
    period, key, n, mean, ci_low, ci_high, band, suppressed, segment, version_break.

    scores: round_id, scope, key, n, total, total_sq (published rounds only); rounds:
    round_id, period (all the community's rounds). A quarter without published figures for a
    key (no round, not published, or too few respondents) is a row with no figures, so a line
    breaks there; suppressed points keep their n. comparable_at: for a period where the
    instrument changed, the (scope, key) pairs whose statements stayed the same
    (instrument_versions.comparable_scopes); a key not among them starts a new segment there
    and has version_break True. `segment` numbers the unbroken runs of each key (a line is
    drawn per segment).
    """
    picked = scores.loc[scores["scope"] == scope, ["round_id", "key", *SUMS]]
    merged = picked.merge(rounds[["round_id", "period"]], on="round_id")
    summary = summarise_sums(merged, threshold)
    periods = _all_periods(rounds["period"])
    keys = sorted(summary["key"].astype(str).unique())
    grid = pd.MultiIndex.from_product([keys, periods], names=["key", "period"]).to_frame(
        index=False
    )
    out = grid.merge(summary.drop(columns="round_id"), on=["key", "period"], how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["suppressed"] = out["suppressed"].astype("boolean").fillna(False).astype(bool)
    out = out.sort_values(["key", "period"]).reset_index(drop=True)
    changed = comparable_at or {}
    out["version_break"] = pd.Series(
        [
            period in changed and (scope, key) not in changed[period]
            for key, period in zip(out["key"], out["period"], strict=True)
        ],
        index=out.index,
        dtype=bool,
    )
    gap = out["mean"].isna().to_numpy(dtype=bool)
    first = (out["key"] != out["key"].shift()).to_numpy(dtype=bool)
    # A run ends at a gap; a new one starts after a gap, at a new key, or at a version break.
    starts = first | out["version_break"].to_numpy(dtype=bool) | np.roll(gap, 1)
    out["segment"] = np.cumsum(starts & ~gap) - 1
    out["segment"] = out["segment"].where(~gap, -1).astype(int)
    return out[TREND_COLUMNS]
