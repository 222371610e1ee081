"""A community's round: the factors x layers matrix, per-factor distributions and intervals,
and disagreement. (Change since the previous round is computed when a round is published:
metrics.change and metrics.publication.)

Inputs are the tallies of one or two rounds (see store/tallies.py): score sums (scope, key, n,
total, total_sq) and item counts (item_id, n1..n5, n_dk).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lc_health.domain.disclosure import hidden
from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import CELL, FACTOR, HEALTH, LAYER
from lc_health.metrics.core import summarise_sums

# A factor is a conversation starter when answers spread widely: a respondent-level standard
# deviation of at least one scale point, or at least a quarter of the answers on each side
# (1-2 against 4-5).
WIDE_SD = 1.0
POLARISED_SHARE = 0.25

IMPROVED = "improved"
DECLINED = "declined"
NO_CLEAR_CHANGE = "no_clear_change"
NOT_COMPARABLE = "not_comparable"

SUM_COLUMNS = ["n", "total", "total_sq"]


def _scope(sums: pd.DataFrame, scope: str) -> pd.DataFrame:
    return sums.loc[sums["scope"] == scope, ["key", *SUM_COLUMNS]].reset_index(drop=True)


def scope_summary(sums: pd.DataFrame, scope: str, threshold: int) -> pd.DataFrame:
    """key, n, mean, sd, ci_low, ci_high, band, suppressed for one scope of one round."""
    return summarise_sums(_scope(sums, scope), threshold)


def health(sums: pd.DataFrame, threshold: int) -> pd.Series | None:
    """The health index row (n, mean, sd, ci, band, suppressed), or None without answers."""
    frame = scope_summary(sums, HEALTH, threshold)
    return None if frame.empty else frame.iloc[0]


def layer_matrix(sums: pd.DataFrame, instrument: Instrument, threshold: int) -> pd.DataFrame:
    """One row per factor x layer: factor, layer, asked, n, mean, band, suppressed.

    Combinations the instrument does not ask have asked=False and no figures.
    """
    cells = scope_summary(sums, CELL, threshold).set_index("key")
    asked = {(i.factor, i.layer) for i in instrument.items}
    rows = []
    for factor in instrument.factors:
        for layer in instrument.layers:
            key = f"{factor.id}:{layer.id}"
            row: dict[str, object] = {"factor": factor.id, "layer": layer.id}
            row["asked"] = (factor.id, layer.id) in asked
            if key in cells.index:
                cell = cells.loc[key]
                row |= {k: cell[k] for k in ("n", "mean", "band", "suppressed")}
            else:
                row |= {"n": 0, "mean": np.nan, "band": pd.NA, "suppressed": row["asked"]}
            rows.append(row)
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype(int)
    out["mean"] = out["mean"].astype("float64")
    out["band"] = out["band"].astype("string")
    out["suppressed"] = out["suppressed"].astype(bool) & out["asked"]
    return out


def factor_distribution(items: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Answer counts per factor (all its items together): factor, n1..n5, n_dk, answered."""
    factor_of = {i.id: i.factor for i in instrument.items}
    counts = items.assign(factor=items["item_id"].map(factor_of)).dropna(subset=["factor"])
    columns = ["n1", "n2", "n3", "n4", "n5", "n_dk"]
    out = counts.groupby("factor")[columns].sum().reset_index()
    out["factor"] = out["factor"].astype(int)
    out["answered"] = out[["n1", "n2", "n3", "n4", "n5"]].sum(axis=1)
    return out


def factor_table(
    sums: pd.DataFrame, items: pd.DataFrame, instrument: Instrument, threshold: int
) -> pd.DataFrame:
    """One row per factor, sorted by attention needed (lowest mean first, suppressed last).

    Columns: factor, n, mean, sd, ci_low, ci_high, band, suppressed, n1..n5, n_dk, answered,
    share1..share5 (of answers other than don't know), low_share, high_share, disagreement.
    Distribution columns are NA when the factor is suppressed.
    """
    scores = scope_summary(sums, FACTOR, threshold).rename(columns={"key": "factor"})
    scores["factor"] = scores["factor"].astype(int)
    base = pd.DataFrame({"factor": [f.id for f in instrument.factors]})
    out = base.merge(scores, on="factor", how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["suppressed"] = hidden(out["n"], threshold)
    out = out.merge(factor_distribution(items, instrument), on="factor", how="left")
    for column in ("n1", "n2", "n3", "n4", "n5", "n_dk", "answered"):
        out[column] = out[column].fillna(0).astype(int)
    answered = out["answered"].where(out["answered"] > 0)
    for value in range(1, 6):
        out[f"share{value}"] = (out[f"n{value}"] / answered).mask(out["suppressed"])
    out["low_share"] = out["share1"] + out["share2"]
    out["high_share"] = out["share4"] + out["share5"]
    out["disagreement"] = ~out["suppressed"] & (
        (out["sd"] >= WIDE_SD)
        | ((out["low_share"] >= POLARISED_SHARE) & (out["high_share"] >= POLARISED_SHARE))
    ).fillna(False)
    for column in ("n1", "n2", "n3", "n4", "n5", "n_dk"):
        out[column] = out[column].astype("Int64").mask(out["suppressed"])
    return out.sort_values(["suppressed", "mean"], na_position="last").reset_index(drop=True)


def scope_means(sums: pd.DataFrame, scope: str) -> pd.DataFrame:
    """key, mean of one scope's published sums."""
    part = _scope(sums, scope)
    return pd.DataFrame({"key": part["key"], "mean": part["total"] / part["n"]})


def attention_order(factors: pd.DataFrame, changes: pd.DataFrame) -> list[int]:
    """Factors that need a conversation, most urgent first: a concern, a clear decline, wide
    disagreement, or worth discussing; lowest mean first within each. Suppressed ones never."""
    merged = factors.merge(
        changes.assign(factor=changes["key"].astype(int))[["factor", "status", "difference"]],
        on="factor",
        how="left",
    )
    shown = merged[~merged["suppressed"]].copy()
    shown["rank"] = 4
    shown.loc[shown["band"] == "discuss", "rank"] = 3
    shown.loc[shown["disagreement"], "rank"] = 2
    shown.loc[shown["status"] == DECLINED, "rank"] = 1
    shown.loc[shown["band"] == "concern", "rank"] = 0
    shown = shown[shown["rank"] < 4].sort_values(["rank", "mean"])
    return [int(f) for f in shown["factor"]]


def layer_factors(instrument: Instrument) -> dict[str, tuple[int, ...]]:
    """Per layer id: the factors the instrument asks about at that layer, in factor order. Each
    layer index rests on its own set of factors, so the indices are not like for like."""
    asked: dict[str, set[int]] = {x.id: set() for x in instrument.layers}
    for item in instrument.items:
        asked.setdefault(item.layer, set()).add(item.factor)
    return {layer: tuple(sorted(factors)) for layer, factors in asked.items()}


def layer_indices(sums: pd.DataFrame, instrument: Instrument, threshold: int) -> pd.DataFrame:
    """layer, n, mean, ci_low, ci_high, band, uncertain, suppressed, in the instrument's layer
    order."""
    frame = scope_summary(sums, LAYER, threshold).rename(columns={"key": "layer"})
    base = pd.DataFrame({"layer": [x.id for x in instrument.layers]})
    out = base.merge(frame, on="layer", how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["suppressed"] = hidden(out["n"], threshold)
    return out
