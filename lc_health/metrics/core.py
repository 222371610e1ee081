"""Pure aggregation: DataFrames in, DataFrames out. Anonymity suppression happens here, once.

Reading bands follow the Wilder Collaboration Factors Inventory: a mean of 4.0 or more is a
strength, 3.0 to 3.9 deserves discussion, below 3.0 is a concern. Means are banded as shown,
i.e. after rounding to one decimal, so a displayed 4.0 is always "strong".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from lc_health.domain.disclosure import hidden
from lc_health.domain.instrument import Instrument

STRONG = "strong"
DISCUSS = "discuss"
CONCERN = "concern"
BANDS: tuple[str, ...] = (STRONG, DISCUSS, CONCERN)
STRONG_FROM = 4.0
DISCUSS_FROM = 3.0

# Two-sided 95% critical values of Student's t for 1..30 degrees of freedom.
_T975 = (
    12.706,
    4.303,
    3.182,
    2.776,
    2.571,
    2.447,
    2.365,
    2.306,
    2.262,
    2.228,
    2.201,
    2.179,
    2.160,
    2.145,
    2.131,
    2.120,
    2.110,
    2.101,
    2.093,
    2.086,
    2.080,
    2.074,
    2.069,
    2.064,
    2.060,
    2.056,
    2.052,
    2.048,
    2.045,
    2.042,
)
_Z975 = 1.959964


def t975(df: float) -> float:
    """The 97.5% quantile of Student's t (for a 95% interval)."""
    if not df >= 1:
        return math.nan
    if df <= len(_T975) and float(df).is_integer():
        return _T975[int(df) - 1]
    z = _Z975
    # Cornish-Fisher expansion: within 0.001 of the exact value for df > 30.
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def _t975_values(df: np.ndarray) -> np.ndarray:
    out = np.full(df.shape, np.nan)
    valid = df >= 1
    tabled = valid & (df <= len(_T975)) & (df == np.floor(df))
    out[tabled] = np.asarray(_T975)[df[tabled].astype(int) - 1]
    rest = valid & ~tabled
    d, z = df[rest], _Z975
    out[rest] = (
        z
        + (z**3 + z) / (4 * d)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * d**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * d**3)
    )
    return out


def t975_many(df: pd.Series) -> pd.Series:
    """t975 for a whole column at once (the same values; a lookup and one expansion)."""
    values = df.to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(_t975_values(values), index=df.index)


def _band_array(means: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """The band of each mean as a string array (NA where there is no mean), taken from four
    values by position: no Python string per row (portfolios have tens of thousands)."""
    shown = np.round(means, 1)
    codes = np.full(shown.shape, 3, dtype=np.intp)  # 3: no mean
    with np.errstate(invalid="ignore"):
        codes[shown < DISCUSS_FROM] = 2
        codes[shown >= DISCUSS_FROM] = 1
        codes[shown >= STRONG_FROM] = 0
    return pd.array([STRONG, DISCUSS, CONCERN, None], dtype="string").take(codes)


def bands(means: pd.Series) -> pd.Series:
    """band() for a whole column at once, as a string column (NA where there is no mean)."""
    return pd.Series(
        _band_array(means.to_numpy(dtype="float64", na_value=np.nan)), index=means.index
    )


def band(mean: float | None) -> str | None:
    """The reading band of a mean, or None when there is no mean."""
    if mean is None or pd.isna(mean):
        return None
    shown = round(float(mean), 1)
    if shown >= STRONG_FROM:
        return STRONG
    if shown >= DISCUSS_FROM:
        return DISCUSS
    return CONCERN


def summarise_sums(sums: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Add mean, sd, ci_low, ci_high, band, uncertain and suppressed to rows with n, total,
    total_sq.

    The interval is a 95% interval that stays inside 1..5 (change.mean_interval: a t interval
    on the logit scale); `uncertain` marks a band whose interval reaches into another band.
    Rows with n below the threshold keep their n (the count of respondents is not an answer)
    but every statistic is NA and `suppressed` is True. (NumPy throughout: dashboards call this
    for every table they show.)
    """
    from lc_health.metrics.change import mean_interval, uncertain_band  # (change imports core)

    n = sums["n"].to_numpy(dtype="float64")
    total = sums["total"].to_numpy(dtype="float64")
    total_sq = sums["total_sq"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        var = np.where(n > 1, (total_sq - n * mean**2) / (n - 1), np.nan)
        sd = np.sqrt(np.clip(var, 0.0, None))
    low, high = mean_interval(n, total, total_sq)
    suppressed = hidden(sums["n"].to_numpy(), threshold)
    shown_mean = np.where(suppressed, np.nan, mean)
    out = sums.drop(columns=["total", "total_sq"])
    out["mean"] = shown_mean
    out["sd"] = np.where(suppressed, np.nan, sd)
    out["ci_low"] = np.where(suppressed, np.nan, low)
    out["ci_high"] = np.where(suppressed, np.nan, high)
    out["band"] = _band_array(shown_mean)
    out["uncertain"] = uncertain_band(out["ci_low"].to_numpy(), out["ci_high"].to_numpy())
    out["suppressed"] = suppressed
    return out


def latest_health(rounds: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Each community's most recent published round, its health index and the change verdict.

    rounds: round_id, community_id, period, responses, n, total, total_sq (scope 'health'),
    status, difference (store.dashboard.health_by_round). Returns community_id, period,
    responses, n, mean, band, uncertain, suppressed, status, difference (the difference only
    where the change is clear: no raw difference without its verdict).
    """
    answered = rounds.loc[rounds["responses"] > 0]
    scored = summarise_sums(answered.copy(), threshold).sort_values(["community_id", "period"])
    clear = scored["status"].isin(["improved", "declined"])
    scored["difference"] = scored["difference"].where(clear)
    columns = [
        "community_id",
        "period",
        "responses",
        "n",
        "mean",
        "band",
        "uncertain",
        "suppressed",
        "status",
        "difference",
    ]
    latest = scored.groupby("community_id").tail(1)[columns]
    return latest.reset_index(drop=True)


def item_map(instrument: Instrument) -> pd.DataFrame:
    """Columns: item_id, factor, layer (one row per rating item)."""
    return pd.DataFrame(
        [(i.id, i.factor, i.layer) for i in instrument.items],
        columns=["item_id", "factor", "layer"],
    )


def _sums(scores: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = scores.assign(sq=scores["score"] ** 2).groupby(by, dropna=False)
    out = grouped.agg(n=("score", "size"), total=("score", "sum"), total_sq=("sq", "sum"))
    return out.reset_index()


ALL_SCOPES = ("factor", "layer", "cell", "health")
SUM_COLUMNS = ["scope", "key", "n", "total", "total_sq"]


def score_sums_from_answers(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    by: Sequence[str] = (),
    scopes: Sequence[str] = ALL_SCOPES,
) -> pd.DataFrame:
    """From raw answers to the same sums the tallies keep, computed from scratch.

    answers: response_id, item_id, value (NA = don't know), plus any `by` columns.
    items: item_id, factor, layer. Returns `by` + scope, key, n, total, total_sq for the
    requested scopes (the health index needs the factor scores, which are then computed too).
    """
    by = list(by)
    rated = answers.dropna(subset=["value"]).merge(items, on="item_id", how="inner")
    rated = rated.assign(value=rated["value"].astype("float64"))
    keys = ["response_id", *by]
    parts = []
    keyed: dict[str, Callable[[], pd.Series]] = {
        "factor": lambda: rated["factor"].astype(str),
        "layer": lambda: rated["layer"].astype(str),
        "cell": lambda: rated["factor"].astype(str) + ":" + rated["layer"].astype(str),
    }
    wanted = set(scopes) | ({"factor"} if "health" in scopes else set())
    for scope, key_of in keyed.items():
        if scope not in wanted:
            continue
        per_person = (
            rated.assign(key=key_of()).groupby([*keys, "key"])["value"].mean().rename("score")
        ).reset_index()
        if scope in scopes:
            parts.append(_sums(per_person, [*by, "key"]).assign(scope=scope))
        if scope == "factor" and "health" in scopes:
            health = per_person.groupby(keys)["score"].mean().reset_index()
            parts.append(_sums(health.assign(key=""), [*by, "key"]).assign(scope="health"))
    columns = [*by, "scope", "key", "n", "total", "total_sq"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)[columns]
    return out.sort_values([*by, "scope", "key"]).reset_index(drop=True)


def feedback_published(own: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """A participant's own factor scores next to their community's published picture.

    own: factor, score. published: factor, n, q1, median, q3 (published factors only).
    Returns factor, own, median, q1, q3, n, suppressed (True where the factor was not
    published: no community figures).
    """
    out = own.rename(columns={"score": "own"}).merge(
        published[["factor", "n", "q1", "median", "q3"]], on="factor", how="outer"
    )
    out["n"] = out["n"].fillna(0).astype(int)
    out["suppressed"] = out["median"].isna()
    return out.sort_values("factor").reset_index(drop=True)
