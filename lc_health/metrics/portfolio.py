"""Comparing communities. Every portfolio figure is built from community aggregates that pass the
anonymity threshold, and only from those: a median, a count per band or a forces share never
includes a community that is shown as "too few responses", so no hidden community can be worked
out by subtracting the shown ones from a total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import HEALTH, LAYER
from lc_health.metrics.core import BANDS, bands, summarise_sums

TOO_FEW = "too_few"


def trend_scores(instrument: Instrument) -> list[tuple[str, str]]:
    """The (scope, key) pairs the portfolio follows over time: the health index and each layer."""
    return [(HEALTH, ""), *((LAYER, layer.id) for layer in instrument.layers)]


def with_too_few(sums: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Score sums plus a health row with n = 0 for every published round that has responses
    but no published health index, so it shows as too few responses (not as no data).

    sums: community_id, period, scope, key, n, total, total_sq; published: community_id,
    period, responses (store.dashboard.portfolio_participation).
    """
    answered = published.loc[published["responses"] > 0, ["community_id", "period"]]
    health = sums.loc[sums["scope"] == HEALTH, ["community_id", "period"]]
    missing = answered.merge(health, how="left", indicator=True)
    missing = missing.loc[missing["_merge"] == "left_only", ["community_id", "period"]]
    if missing.empty:
        return sums
    empty = missing.assign(scope=HEALTH, key="", n=0, total=0.0, total_sq=0.0)
    return pd.concat([sums, empty], ignore_index=True)


def community_means(sums: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Per community, period, scope and key: n, mean, ci_low, ci_high, band, suppressed.

    sums: community_id, period, scope, key, n, total, total_sq.
    """
    out = summarise_sums(sums, threshold)
    columns = [
        "community_id",
        "period",
        "scope",
        "key",
        "n",
        "mean",
        "ci_low",
        "ci_high",
        "band",
        "suppressed",
    ]
    return out[columns].reset_index(drop=True)


def heatmap(means: pd.DataFrame, period: str) -> pd.DataFrame:
    """Communities x factors for one period, with each community's health index for sorting.

    means: community_means of scopes factor and health. Returns community_id, factor (int, or 0
    for the health index), n, mean, band, suppressed.
    """
    now = means[(means["period"] == period) & means["scope"].isin(["factor", "health"])]
    # Each distinct key converted once (a handful), not once per row.
    codes, keys = pd.factorize(now["key"])
    factors = np.array([int(k) if k else 0 for k in keys], dtype=np.int64)
    out = now.assign(factor=factors[codes] if len(codes) else np.zeros(0, dtype=np.int64))
    return out[["community_id", "factor", "n", "mean", "band", "suppressed"]].reset_index(drop=True)


def layer_profiles(means: pd.DataFrame, period: str) -> pd.DataFrame:
    """Each community's four layer indices in one period: community_id, layer, n, mean, band,
    suppressed."""
    now = means[(means["period"] == period) & (means["scope"] == "layer")]
    return now.rename(columns={"key": "layer"})[
        ["community_id", "layer", "n", "mean", "band", "suppressed"]
    ].reset_index(drop=True)


def spread_over_time(means: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Per period and key: the median and middle half of the shown communities' means
    (quartiles interpolated linearly, as pandas' quantile does).

    Returns period, key, communities (how many were shown), median, q1, q3.
    """
    # NumPy rather than a pandas groupby: at a thousand communities over years of quarters this
    # runs on tens of thousands of means each time the page is drawn.
    mask = (means["scope"] == scope).to_numpy(dtype=bool, na_value=False) & ~means[
        "suppressed"
    ].to_numpy(dtype=bool)
    periods, period_codes = _codes(means["period"], mask)
    keys, key_codes = _codes(means["key"], mask)
    group = period_codes * max(len(keys), 1) + key_codes
    values = means["mean"].to_numpy(dtype="float64")[mask]
    tally = np.bincount(group) if len(group) else np.zeros(0, dtype=np.int64)
    present = np.flatnonzero(tally)
    counts = tally[present]
    starts = (np.cumsum(counts) - counts).astype(np.int64)
    # Group the values (a stable sort of small integer codes), then find each quantile's two
    # neighbours by partitioning each group: linear time, and the same order statistics (so
    # the same bits) as sorting every group.
    codes = group.astype(np.int16) if len(present) and present[-1] < 2**15 else group
    grouped = values[np.argsort(codes, kind="stable")]
    wanted = (0.25, 0.5, 0.75)
    picks = {q: (np.zeros(len(counts)), np.zeros(len(counts))) for q in wanted}
    for g, (start, count) in enumerate(zip(starts.tolist(), counts.tolist(), strict=True)):
        at = {q: q * (count - 1) for q in wanted}
        below = {q: int(np.floor(a)) for q, a in at.items()}
        above = {q: min(below[q] + 1, count - 1) for q in wanted}
        kth = sorted(set(below.values()) | set(above.values()))
        part = np.partition(grouped[start : start + count], kth)
        for q in wanted:
            picks[q][0][g], picks[q][1][g] = part[below[q]], part[above[q]]

    def quantile(q: float) -> np.ndarray:
        at = q * (counts - 1)
        below = np.floor(at)
        low, high = picks[q]
        result: np.ndarray = low + (at - below) * (high - low)
        return result

    return pd.DataFrame(
        {
            "period": pd.array(periods, dtype="str").take(present // max(len(keys), 1)),
            "key": pd.array(keys, dtype="str").take(present % max(len(keys), 1)),
            "communities": counts.astype("int64"),
            "median": quantile(0.5),
            "q1": quantile(0.25),
            "q3": quantile(0.75),
        }
    )


def _codes(column: pd.Series, mask: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The sorted distinct values of a text column where mask holds, and for those rows their
    position among them."""
    codes, uniques = pd.factorize(column, sort=True)
    kept = codes[mask]
    used = np.flatnonzero(np.bincount(kept, minlength=len(uniques)))  # (np.unique hashes)
    renumber = np.zeros(len(uniques) + 1, dtype=np.int64)
    renumber[used] = np.arange(len(used))
    return [str(uniques[int(u)]) for u in used], renumber[kept]


def shown_means(means: pd.DataFrame) -> pd.DataFrame:
    """Means that passed the threshold in the database (period, scope, key, mean) in the shape
    the functions here take: with band and suppressed (always False)."""
    return means.assign(band=bands(means["mean"]), suppressed=False)


def bands_over_time(means: pd.DataFrame, too_few: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many communities sit in each reading band per period (health index), plus how many
    had too few responses: the suppressed rows, or the rounds in `too_few` (community_id,
    period) when the means were filtered in the database. Returns period, band, communities."""
    health = means[means["scope"] == "health"]
    labelled = health.assign(
        band=health["band"].astype(object).where(~health["suppressed"], TOO_FEW)
    )
    counts = labelled.groupby(["period", "band"]).size().rename("communities").reset_index()
    periods = set(health["period"].unique())
    if too_few is not None and len(too_few):
        extra = too_few.groupby("period").size().rename("communities").reset_index()
        extra = extra.assign(band=TOO_FEW)[["period", "band", "communities"]]
        counts = pd.concat([counts, extra], ignore_index=True)
        periods |= set(too_few["period"].unique())
    full = pd.MultiIndex.from_product(
        [sorted(periods), [*BANDS, TOO_FEW]], names=["period", "band"]
    )
    return (
        counts.groupby(["period", "band"])["communities"]
        .sum()
        .reindex(full, fill_value=0)
        .reset_index()
    )


def participation(frame: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Responses and response rate per community and period.

    frame: community_id, period, responses, personal_responses; links: community_id,
    personal_links. The rate counts responses through personal links against active links.
    """
    out = frame.merge(links, on="community_id", how="left")
    out["personal_links"] = out["personal_links"].fillna(0).astype(int)
    rate = out["personal_responses"] / out["personal_links"].where(out["personal_links"] > 0)
    out["response_rate"] = rate
    return out


Versions = set[tuple[str, int]]  # (instrument id, version)


def instrument_changes(instruments: pd.DataFrame) -> list[tuple[str, Versions, Versions]]:
    """(period, instruments before, instruments then) for every period whose set of instrument
    versions differs from the period before it. instruments: period, instrument_id,
    instrument_version (one row per published round)."""
    per_period: dict[str, Versions] = {}
    # One row per distinct (period, instrument, version): a few, where rounds are thousands.
    distinct = instruments[["period", "instrument_id", "instrument_version"]].drop_duplicates()
    for period, instrument_id, version in zip(
        distinct["period"].tolist(),
        distinct["instrument_id"].tolist(),
        distinct["instrument_version"].tolist(),
        strict=True,
    ):
        per_period.setdefault(str(period), set()).add((str(instrument_id), int(version)))
    out = []
    previous: Versions | None = None
    for period in sorted(per_period):
        if previous is not None and per_period[period] != previous:
            out.append((period, previous, per_period[period]))
        previous = per_period[period]
    return out


def with_segments(
    spread: pd.DataFrame, scope: str, comparable_at: dict[str, set[tuple[str, str]]]
) -> pd.DataFrame:
    """The spread over time with segment and version_break columns (as metrics.trends): a line
    breaks at a period missing from it and, for a key whose statements changed, where the
    instrument changed. spread: period, key, ... (spread_over_time)."""
    out = spread.sort_values(["key", "period"]).reset_index(drop=True)
    breaks = [
        period in comparable_at and (scope, str(key)) not in comparable_at[period]
        for key, period in zip(out["key"], out["period"], strict=True)
    ]
    out["version_break"] = pd.Series(breaks, index=out.index, dtype=bool)
    periods = sorted(set(out["period"]))
    position = {p: i for i, p in enumerate(periods)}
    order = out["period"].map(position)
    first = (out["key"] != out["key"].shift()).to_numpy(dtype=bool)
    skipped = (order.diff() != 1).to_numpy(dtype=bool)  # a period without figures in between
    starts = first | skipped | out["version_break"].to_numpy(dtype=bool)
    out["segment"] = np.cumsum(starts) - 1
    return out


SPREAD_QUANTILES = {"p10": 0.1, "q1": 0.25, "median": 0.5, "q3": 0.75, "p90": 0.9}


def factor_distribution(means: pd.DataFrame) -> pd.DataFrame:
    """Per key, the spread of the shown communities' means, drawn instead of a dot per
    community (which a reader cannot take in at thousands of communities): key, communities
    (how many), p10, q1, median, q3, p90 (interpolated linearly, as pandas' quantile), and
    band (the reading band of the median).

    means: the shown (not suppressed) rows of one scope, with key and mean."""
    grouped = means.groupby("key")["mean"]
    spread = grouped.quantile(np.array(list(SPREAD_QUANTILES.values()))).unstack()
    spread.columns = list(SPREAD_QUANTILES)
    out = spread.assign(communities=grouped.size()).reset_index()
    out["band"] = bands(out["median"])
    return out[["key", "communities", *SPREAD_QUANTILES, "band"]]


def participation_grid(part: pd.DataFrame) -> pd.DataFrame:
    """Participation (community_id, period, responses, response_rate) as one text cell per
    community and period: "12 (80%)", "12" without a known rate, "" without a round."""
    community_codes, communities = pd.factorize(part["community_id"], sort=True)
    period_codes, periods = pd.factorize(part["period"], sort=True)
    if not len(part):
        return pd.DataFrame(
            index=pd.Index([], dtype="int64", name="community_id"),
            columns=pd.Index([], dtype="str", name="period"),
        )
    if np.bincount(community_codes * len(periods) + period_codes).max() > 1:
        return _participation_pivot(part)  # (pivot's own error on a repeated cell)
    shape = (len(communities), len(periods))
    responses = part["responses"].to_numpy(dtype="float64", na_value=np.nan)
    rates = part["response_rate"].to_numpy(dtype="float64", na_value=np.nan)
    counted = ~np.isnan(responses)
    # "12 (80%)": f"{rate:.0%}" rounds rate * 100 half to even, as rint does. The text is
    # joined column-wise by pandas' string type, not cell by cell.
    shown = pd.Series(np.nan_to_num(responses[counted]).astype(np.int64)).astype("str")
    rate = rates[counted]
    rated = ~np.isnan(rate)
    percent = pd.Series(np.rint(np.nan_to_num(rate) * 100).astype(np.int64)).astype("str")
    shown = shown.where(~rated, shown + " (" + percent + "%)")
    text = np.full(shape, "", dtype=object)
    text[community_codes[counted], period_codes[counted]] = shown.to_numpy(dtype=object)
    return pd.DataFrame(
        text,
        index=pd.Index(communities, name="community_id"),
        columns=pd.Index(periods, name="period"),
    )


def _participation_pivot(part: pd.DataFrame) -> pd.DataFrame:
    responses = part.pivot(index="community_id", columns="period", values="responses")
    rates = part.pivot(index="community_id", columns="period", values="response_rate")
    table = responses.astype("Int64").astype(str).where(responses.notna(), "")
    rated = rates.notna().to_numpy() & responses.notna().to_numpy()
    if rated.any():
        values = table.to_numpy(dtype=object)
        known = np.nan_to_num(rates.to_numpy(dtype="float64", na_value=np.nan)[rated])
        percent = np.rint(known * 100).astype(np.int64).astype(str)
        joined = np.char.add(
            np.char.add(np.char.add(values[rated].astype(str), " ("), percent), "%)"
        )
        values[rated] = joined.astype(object)
        table = pd.DataFrame(values, index=table.index, columns=table.columns)
    return table


def order_by_factor(grid: pd.DataFrame, factor: int, community_ids: list[int]) -> list[int]:
    """The communities by their mean of one factor (heatmap: community_id, factor, mean),
    lowest first; those without a figure last, in the given order."""
    rows = grid[grid["factor"] == factor]
    known = rows["community_id"].to_numpy(dtype=np.int64)
    means = rows["mean"].to_numpy(dtype="float64", na_value=np.nan)
    wanted = np.asarray(community_ids, dtype=np.int64)
    order = np.argsort(known, kind="stable")
    at = np.searchsorted(known[order], wanted).clip(max=max(len(known) - 1, 0))
    found = known[order][at] == wanted if len(known) else np.zeros(len(wanted), dtype=bool)
    value = np.where(found, means[order][at] if len(known) else 0.0, np.nan)
    missing = np.isnan(value)
    # Lowest first, those without a figure last; ties keep the given order (a stable sort).
    ranked = np.lexsort((np.arange(len(wanted)), np.where(missing, 0.0, value), missing))
    return [community_ids[i] for i in ranked.tolist()]
