"""Change over rounds: one community's factors and layers per period, with uncertainty."""

from __future__ import annotations

import pandas as pd

from lc_health.metrics.core import summarise_sums

SUMS = ["n", "total", "total_sq"]


def community_trend(
    scores: pd.DataFrame, rounds: pd.DataFrame, scope: str, threshold: int
) -> pd.DataFrame:
    """Per round and key of a scope: period, key, n, mean, ci_low, ci_high, band, suppressed.

    scores: round_id, scope, key, n, total, total_sq; rounds: round_id, period. Suppressed
    points keep their period and n but no figures.
    """
    picked = scores.loc[scores["scope"] == scope, ["round_id", "key", *SUMS]]
    merged = picked.merge(rounds[["round_id", "period"]], on="round_id")
    out = summarise_sums(merged, threshold)
    columns = ["period", "key", "n", "mean", "ci_low", "ci_high", "band", "suppressed"]
    return out[columns].sort_values(["key", "period"]).reset_index(drop=True)
