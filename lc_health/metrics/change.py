"""Change between two rounds, factor by factor, with a verdict a community lead can act on.

Pure functions: DataFrames or NumPy arrays in, the same out. No database, no Streamlit.
The methods, in plain words, and the simulation that checks them: docs/statistics.md.

Estimator. The change is the mean of everyone who answered this round minus the mean of everyone
who answered the previous round. People linked across the two rounds by their personal link are
pairs; everyone else is an independent sample. The variance of the difference is Looney & Jones'
(2003) corrected variance for partially paired data,

    var(d) = s1²/n1 + s2²/n2 - 2·n_p·cov_p / (n1·n2),

with s1², s2² the variances of all respondents of each round and cov_p the covariance among the
n_p pairs. It is referred to Student's t with Derrick, Toher & White's (2017) degrees of
freedom for partially overlapping samples, which are n - 1 when everyone is paired (the paired
t-test, exactly) and Welch-Satterthwaite's when nobody is (Welch's test, exactly).

Pairing rule. Pairs are used only when at least `min_pairs` people (default 5) are linked on a
factor; with fewer, everyone is treated as unlinked (a handful of pairs estimates a covariance
badly, and a lead must not be able to read a few individuals' changes from the table).

Multiple testing. Twelve factors are tested at once. p-values are adjusted with Holm's step-down
method, which keeps the chance of any false "improved"/"declined" among the factors of one round
at `alpha`. Holm (family-wise error) rather than Benjamini-Hochberg (false discovery rate): a lead
acts on every flag by putting it on the agenda, so each false alarm costs a meeting; a share of
false flags among the flags is not an acceptable guarantee for that.

Verdict. improved / declined only when the Holm-adjusted p < alpha AND the change is at least
`min_change` (0.3 scale points by default) in size; no_clear_change otherwise; not_comparable when
a factor is missing from a round or has fewer than two respondents in either. The 95% interval
reported is the unadjusted one for the difference (it says how large the change may be; the
verdict says whether to act on it).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from lc_health.metrics.core import bands
from lc_health.metrics.review import DECLINED, IMPROVED, NO_CLEAR_CHANGE, NOT_COMPARABLE

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SCALE_LOW = 1.0
SCALE_HIGH = 5.0
MIN_CHANGE = 0.3
# The family-wise error rate of one round's factors: at most one quarter in ten shows a false
# "improved"/"declined" anywhere in its table when nothing changed (the budget the project
# promises; measured about 8% by the simulation, docs/statistics.md).
ALPHA = 0.10
MIN_PAIRS = 5

COLUMNS = [
    "key",
    "n_now",
    "n_before",
    "n_pairs",
    "mean",
    "previous",
    "difference",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "status",
]

__all__ = [
    "ALPHA",
    "COLUMNS",
    "DECLINED",
    "IMPROVED",
    "MIN_CHANGE",
    "MIN_PAIRS",
    "NOT_COMPARABLE",
    "NO_CLEAR_CHANGE",
    "change_from_sums",
    "change_table",
    "compare",
    "holm",
    "mean_interval",
    "t_cdf",
    "t_quantile",
    "t_two_sided_p",
    "uncertain_band",
    "verdicts",
]


# ---------------------------------------------------------------------------------------------
# Student's t distribution (SciPy is not a dependency)
# ---------------------------------------------------------------------------------------------

_BETACF_ITERATIONS = 1000
_BETACF_EPS = 3e-16
_TINY = 1e-300
_NORMAL_DF = 1e6
_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def _betacf(a: FloatArray, b: FloatArray, x: FloatArray) -> FloatArray:
    """The continued fraction of the incomplete beta function (Numerical Recipes' betacf, by
    the modified Lentz method), evaluated for whole arrays at once."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1.0 / d
    h = d.copy()
    active = np.ones(x.shape, dtype=bool)
    for m in range(1, _BETACF_ITERATIONS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        h = np.where(active, h * d * c, h)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < _TINY, _TINY, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < _TINY, _TINY, c)
        d = 1.0 / d
        delta = d * c
        h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1.0) >= _BETACF_EPS
        if not active.any():
            break
    return h


def _betai(a: FloatArray, b: FloatArray, x: FloatArray) -> FloatArray:
    """The regularized incomplete beta function I_x(a, b) for 0 <= x <= 1."""
    out = np.full(x.shape, np.nan)
    out[x <= 0] = 0.0
    out[x >= 1] = 1.0
    inner = (x > 0) & (x < 1) & (a > 0) & (b > 0)
    if not inner.any():
        return out
    a, b, x = a[inner], b[inner], x[inner]
    front = np.exp(_lgamma(a + b) - _lgamma(a) - _lgamma(b) + a * np.log(x) + b * np.log1p(-x))
    # The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    # I_x(a, b) = 1 - I_(1-x)(b, a) on the other side.
    direct = x < (a + 1.0) / (a + b + 2.0)
    value = np.empty(x.shape)
    value[direct] = front[direct] * _betacf(a[direct], b[direct], x[direct]) / a[direct]
    flip = ~direct
    value[flip] = 1.0 - front[flip] * _betacf(b[flip], a[flip], 1.0 - x[flip]) / b[flip]
    out[inner] = value
    return out


def _as_float(values: Any) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def t_two_sided_p(t: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom (df may be fractional).

    Uses P(|T| >= |t|) = I_x(df/2, 1/2) with x = df / (df + t²). NaN where df <= 0 or either
    input is NaN; df = inf gives the normal distribution's value.
    """
    t_arr, df_arr = np.broadcast_arrays(_as_float(t), _as_float(df))
    out = np.full(t_arr.shape, np.nan)
    valid = (df_arr > 0) & ~np.isnan(t_arr)
    # Beyond a million degrees of freedom t is the normal distribution to within 1e-7 (and the
    # continued fraction would need thousands of terms).
    normal = valid & (df_arr > _NORMAL_DF)
    out[normal] = np.vectorize(math.erfc, otypes=[np.float64])(
        np.abs(t_arr[normal]) / math.sqrt(2.0)
    )
    finite = valid & ~normal
    tt, dd = t_arr[finite], df_arr[finite]
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.where(np.isinf(tt), 0.0, dd / (dd + tt * tt))
    out[finite] = _betai(dd / 2.0, np.full(dd.shape, 0.5), x)
    return out


def t_cdf(t: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional)."""
    t_arr = _as_float(t)
    tail = t_two_sided_p(t_arr, df) / 2.0
    return np.where(t_arr > 0, 1.0 - tail, tail)


def _t_pdf(t: FloatArray, df: FloatArray) -> FloatArray:
    log_norm: FloatArray = _lgamma((df + 1.0) / 2.0) - _lgamma(df / 2.0)
    log_norm = log_norm - 0.5 * np.log(df * math.pi)
    return np.exp(log_norm - (df + 1.0) / 2.0 * np.log1p(t * t / df))


def t_quantile(q: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """The q-quantile of Student's t, by safeguarded Newton steps on t_cdf (so intervals and
    p-values agree to machine precision). NaN where df <= 0 or q is outside (0, 1).

    Each (q, df) pair is solved once: a portfolio asks for tens of thousands of intervals with
    a few dozen distinct sample sizes. (Every element's steps depend on its own pair only, so
    this gives the same bits as solving each.)"""
    q_arr, df_arr = np.broadcast_arrays(_as_float(q), _as_float(df))
    # The pairs as complex numbers (q real, df imaginary, both exact): a one-dimensional unique,
    # many times faster than np.unique(axis=0) over rows at a hundred thousand pairs.
    pairs = np.empty(q_arr.size, dtype=np.complex128)
    pairs.real, pairs.imag = q_arr.ravel(), df_arr.ravel()
    distinct, inverse = np.unique(pairs, return_inverse=True)
    if len(distinct) == len(pairs):
        return _t_quantile_each(q_arr, df_arr)
    solved = _t_quantile_each(distinct.real.copy(), distinct.imag.copy())
    return solved[inverse.ravel()].reshape(q_arr.shape)


def _t_quantile_each(q_arr: FloatArray, df_arr: FloatArray) -> FloatArray:
    valid = (df_arr > 0) & (q_arr > 0) & (q_arr < 1)
    # Solve for the upper tail: P(T > t) = tail, t >= 0, then mirror.
    tail = np.where(valid, np.minimum(q_arr, 1.0 - q_arr), 0.25)
    dd = np.where(valid, df_arr, 1.0)
    lo = np.zeros(q_arr.shape)
    hi = np.ones(q_arr.shape)
    for _ in range(2000):  # grow the bracket until it holds the quantile
        short = t_two_sided_p(hi, dd) / 2.0 > tail
        if not short.any():
            break
        hi = np.where(short, hi * 2.0, hi)
    t = (lo + hi) / 2.0
    converged = ~valid
    for _ in range(200):
        gap = t_two_sided_p(t, dd) / 2.0 - tail  # decreasing in t
        lo = np.where(gap > 0, t, lo)
        hi = np.where(gap > 0, hi, t)
        density = np.where(dd > _NORMAL_DF, np.exp(-t * t / 2.0) / math.sqrt(2 * math.pi), 0.0)
        density = np.where(dd > _NORMAL_DF, density, _t_pdf(t, np.minimum(dd, _NORMAL_DF)))
        step = t + gap / density
        inside = (step >= lo) & (step <= hi)
        new = np.where(inside, step, (lo + hi) / 2.0)
        converged |= np.abs(new - t) <= 1e-12 * np.maximum(1.0, np.abs(t))
        t = np.where(converged, t, new)
        if converged.all():
            break
    return np.where(valid, np.where(q_arr < 0.5, -t, t), np.nan)


# ---------------------------------------------------------------------------------------------
# The test of one difference, Holm's adjustment and the verdict (vectorised: the simulation in
# tests/test_change_simulation.py runs thousands of rounds through these same functions)
# ---------------------------------------------------------------------------------------------


def compare(
    n_now: npt.ArrayLike,
    mean_now: npt.ArrayLike,
    var_now: npt.ArrayLike,
    n_before: npt.ArrayLike,
    mean_before: npt.ArrayLike,
    var_before: npt.ArrayLike,
    n_pairs: npt.ArrayLike,
    cov_pairs: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Difference of means, its standard error, degrees of freedom and two-sided p-value.

    n, mean, var (ddof=1) describe ALL respondents of each round; n_pairs people are in both
    and cov_pairs (ddof=1) is the covariance of their two scores (ignored where n_pairs is 0).
    The variance is Looney & Jones' (2003) s1²/n1 + s2²/n2 - 2·n_p·cov_p/(n1·n2), computed as
    the part carried by the pairs, n_p·(s1²/n1² + s2²/n2² - 2·cov_p/(n1·n2)) (floored at 0: it
    can only be negative when the pairs' covariance exceeds what the rounds' spreads allow),
    plus (n1 - n_p)·s1²/n1² + (n2 - n_p)·s2²/n2² for the rest. Degrees of freedom: Derrick,
    Toher & White's (2017) partially-overlapping-samples formula

        df = (n_p - 1) + (welch_df - n_p + 1)·(n_a + n_b) / (n_a + n_b + 2·n_p)

    with n_a = n1 - n_p, n_b = n2 - n_p and welch_df Welch-Satterthwaite's over all respondents.
    With everyone paired this is var(x - y)/n on n - 1 df, the paired t-test; with nobody paired
    it is Welch's test. (A Satterthwaite split over the three variance parts gave ~32 df for 16
    pairs among 20 and a per-test false-alarm rate above 5%; this formula gives ~19 and is
    calibrated in the simulation.) A zero standard error gives p = 1 for no
    difference and p = 0 for any other.
    """
    n1, m1, v1 = _as_float(n_now), _as_float(mean_now), _as_float(var_now)
    n2, m2, v2 = _as_float(n_before), _as_float(mean_before), _as_float(var_before)
    n_p = _as_float(n_pairs)
    cov = np.where(n_p > 0, _as_float(cov_pairs), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = m1 - m2
        v_pairs = np.maximum(n_p * (v1 / n1**2 + v2 / n2**2 - 2.0 * cov / (n1 * n2)), 0.0)
        v_now = (n1 - n_p) * v1 / n1**2
        v_before = (n2 - n_p) * v2 / n2**2
        variance = v_pairs + v_now + v_before
        welch_df = (v1 / n1 + v2 / n2) ** 2 / (
            (v1 / n1) ** 2 / (n1 - 1) + (v2 / n2) ** 2 / (n2 - 1)
        )
        unpaired = (n1 - n_p) + (n2 - n_p)
        df = np.where(
            unpaired > 0,
            (n_p - 1.0) + (welch_df - n_p + 1.0) * unpaired / (unpaired + 2.0 * n_p),
            n_p - 1.0,
        )
        se = np.sqrt(variance)
        t = diff / se
    p = t_two_sided_p(t, df)
    zero = (se == 0) & ~np.isnan(diff)
    p = np.where(zero, np.where(diff == 0, 1.0, 0.0), p)
    return diff, se, df, p


def holm(p_values: npt.ArrayLike) -> FloatArray:
    """Holm's step-down adjusted p-values along the last axis (each row one family).

    NaN p-values are not part of the family and stay NaN. The adjusted value of the k-th
    smallest of m p-values is max over j <= k of min(1, (m - j + 1)·p_(j)).
    """
    p = _as_float(p_values)
    missing = np.isnan(p)
    family = (~missing).sum(axis=-1, keepdims=True)
    order = np.argsort(np.where(missing, np.inf, p), axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1)
    factor = family - np.arange(p.shape[-1])  # m, m - 1, ..., for the smallest first
    with np.errstate(invalid="ignore"):
        stepped = np.minimum(np.maximum(factor, 1) * ranked, 1.0)
    stepped = np.fmax.accumulate(stepped, axis=-1)
    out = np.empty_like(p)
    np.put_along_axis(out, order, stepped, axis=-1)
    out[missing] = np.nan
    return out


def verdicts(
    difference: npt.ArrayLike,
    p_adjusted: npt.ArrayLike,
    *,
    min_change: float = MIN_CHANGE,
    alpha: float = ALPHA,
) -> npt.NDArray[np.str_]:
    """improved / declined where p_adjusted < alpha and |difference| >= min_change,
    no_clear_change otherwise, not_comparable where there is no p-value."""
    diff, p = np.broadcast_arrays(_as_float(difference), _as_float(p_adjusted))
    clear = (p < alpha) & (np.abs(diff) >= min_change)
    out = np.where(clear, np.where(diff > 0, IMPROVED, DECLINED), NO_CLEAR_CHANGE)
    return np.where(np.isnan(p), NOT_COMPARABLE, out)


def _finish(table: pd.DataFrame, *, min_change: float, alpha: float) -> pd.DataFrame:
    """From key, n_now, n_before, n_pairs, mean, previous, var_now, var_before, cov_pairs to the
    published columns: test, interval, Holm over the comparable keys, verdict."""
    table = table.sort_values("key", kind="stable").reset_index(drop=True)
    comparable = (table["n_now"] >= 2) & (table["n_before"] >= 2)
    diff, se, df, p = compare(
        table["n_now"],
        table["mean"],
        table["var_now"],
        table["n_before"],
        table["previous"],
        table["var_before"],
        table["n_pairs"],
        table["cov_pairs"],
    )
    usable = comparable.to_numpy()
    p = np.where(usable, p, np.nan)
    half = np.where(se > 0, t_quantile(0.975, np.where(se > 0, df, 1.0)) * se, 0.0)
    out = table[["key", "n_now", "n_before", "n_pairs", "mean", "previous"]].copy()
    for column in ("n_now", "n_before", "n_pairs"):
        out[column] = out[column].astype("int64")
    out["difference"] = np.where(usable, diff, np.nan)
    out["ci_low"] = np.where(usable, diff - half, np.nan)
    out["ci_high"] = np.where(usable, diff + half, np.nan)
    out["p_value"] = p
    out["p_adjusted"] = holm(p)
    out["status"] = verdicts(
        out["difference"], out["p_adjusted"], min_change=min_change, alpha=alpha
    )
    return out[COLUMNS]


def _round_stats(scores: pd.DataFrame) -> pd.DataFrame:
    grouped = scores.groupby("key")["score"]
    return pd.DataFrame({"n": grouped.size(), "mean": grouped.mean(), "var": grouped.var(ddof=1)})


def change_table(
    now: pd.DataFrame,
    before: pd.DataFrame,
    *,
    min_change: float = MIN_CHANGE,
    alpha: float = ALPHA,
    min_pairs: int = MIN_PAIRS,
) -> pd.DataFrame:
    """Per key, the change from `before` to `now` with its 95% interval and a verdict.

    now, before: one row per respondent and key, columns person (the key that links the same
    person across rounds; NA for people who cannot be linked), key, score (1..5). Returns
    key, n_now, n_before, n_pairs (the pairs used: 0 below `min_pairs`), mean, previous,
    difference, ci_low, ci_high (unadjusted 95%), p_value, p_adjusted (Holm over the comparable
    keys of this call), status; sorted by key. Keys in only one round, or with fewer than two
    respondents in either, are not_comparable. See the module docstring for the method.
    """
    if min_pairs < 2:
        raise ValueError("min_pairs must be at least 2: a covariance needs two pairs")
    for name, frame in (("now", now), ("before", before)):
        linked = frame.dropna(subset=["person"])
        if linked.duplicated(["person", "key"]).any():
            raise ValueError(f"{name}: more than one row for a person and key")
    a, b = _round_stats(now), _round_stats(before)
    table = a.merge(b, how="outer", left_index=True, right_index=True, suffixes=("_now", "_before"))
    pairs = now.dropna(subset=["person"]).merge(
        before.dropna(subset=["person"]), on=["person", "key"], suffixes=("_now", "_before")
    )
    if pairs.empty:
        table["n_pairs"] = 0
        table["cov_pairs"] = np.nan
    else:
        grouped = pairs.groupby("key")
        paired = pd.DataFrame(
            {
                "n_pairs": grouped.size(),
                "cov_pairs": grouped[["score_now", "score_before"]].apply(
                    lambda g: g["score_now"].cov(g["score_before"])
                ),
            }
        )
        table = table.join(paired, how="left")
        table["n_pairs"] = table["n_pairs"].fillna(0)
    too_few = table["n_pairs"] < min_pairs
    table.loc[too_few, "n_pairs"] = 0
    table.loc[too_few, "cov_pairs"] = np.nan
    table = table.rename(columns={"mean_now": "mean", "mean_before": "previous"})
    table[["n_now", "n_before"]] = table[["n_now", "n_before"]].fillna(0)
    table = table.rename_axis("key").reset_index()
    return _finish(table, min_change=min_change, alpha=alpha)


def change_from_sums(
    now: pd.DataFrame,
    before: pd.DataFrame,
    *,
    min_change: float = MIN_CHANGE,
    alpha: float = ALPHA,
) -> pd.DataFrame:
    """change_table for when only each round's sums are kept (columns key, n, total, total_sq):
    nobody can be paired, so this is Welch's test, then Holm and the minimum change. Same
    columns as change_table, with n_pairs 0."""

    def stats(sums: pd.DataFrame) -> pd.DataFrame:
        n = sums["n"].to_numpy(dtype="float64")
        total = sums["total"].to_numpy(dtype="float64")
        total_sq = sums["total_sq"].to_numpy(dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = total / n
            var = np.where(n > 1, np.maximum((total_sq - total * mean) / (n - 1), 0.0), np.nan)
        return pd.DataFrame({"n": n, "mean": mean, "var": var}, index=pd.Index(sums["key"]))

    table = stats(now).merge(
        stats(before), how="outer", left_index=True, right_index=True, suffixes=("_now", "_before")
    )
    table = table.rename(columns={"mean_now": "mean", "mean_before": "previous"})
    table[["n_now", "n_before"]] = table[["n_now", "n_before"]].fillna(0)
    table["n_pairs"] = 0
    table["cov_pairs"] = np.nan
    table = table.rename_axis("key").reset_index()
    return _finish(table, min_change=min_change, alpha=alpha)


# ---------------------------------------------------------------------------------------------
# An interval for one round's mean that stays on the 1..5 scale, and whether it spans bands
# ---------------------------------------------------------------------------------------------


def mean_interval(
    n: npt.ArrayLike, total: npt.ArrayLike, total_sq: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """A 95% interval for a mean on the 1..5 scale that never leaves [1, 5].

    Method: the mean is mapped to p = (mean - 1)/4 in (0, 1), a t interval (n - 1 df) is built
    for logit(p) with the delta-method standard error sd / (4·sqrt(n)·p·(1 - p)), and the ends
    are mapped back. In the middle of the scale this is the plain t interval to within a few
    hundredths; near the ends it is asymmetric and stops short of the bound. Fallbacks:
    - everyone gave the same score strictly inside the scale (sd 0): the spread is taken as if
      one of them had answered one scale point differently (sd = 1/sqrt(n));
    - everyone gave 1 (or 5): the exact binomial (Clopper-Pearson) bound, which holds for any
      distribution on 1..5: [1, 1 + 4·(1 - 0.025^(1/n))], mirrored at 5.
    n < 2 gives NaN. Inputs are arrays (or Series) of counts, sums and sums of squares.
    """
    n_arr = _as_float(n)
    total_arr, total_sq_arr = _as_float(total), _as_float(total_sq)
    n_arr, total_arr, total_sq_arr = np.broadcast_arrays(n_arr, total_arr, total_sq_arr)
    low = np.full(n_arr.shape, np.nan)
    high = np.full(n_arr.shape, np.nan)
    ok = n_arr >= 2
    if not ok.any():
        return low, high
    nn, tot, sq = n_arr[ok], total_arr[ok], total_sq_arr[ok]
    span = SCALE_HIGH - SCALE_LOW
    mean = np.clip(tot / nn, SCALE_LOW, SCALE_HIGH)
    var = np.maximum((sq - tot * tot / nn) / (nn - 1), 0.0)
    sd = np.sqrt(var)
    p = (mean - SCALE_LOW) / span
    eps = 1e-9
    at_low, at_high = p <= eps, p >= 1 - eps
    flat = (sd <= 1e-9) & ~at_low & ~at_high
    sd = np.where(flat, 1.0 / np.sqrt(nn), sd)
    inner = ~at_low & ~at_high
    pi = np.where(inner, p, 0.5)
    with np.errstate(divide="ignore"):
        se_logit = sd / (span * np.sqrt(nn) * pi * (1 - pi))
    centre = np.log(pi / (1 - pi))
    half = t_quantile(0.975, nn - 1) * se_logit
    lo = SCALE_LOW + span / (1 + np.exp(-(centre - half)))
    hi = SCALE_LOW + span / (1 + np.exp(-(centre + half)))
    exact = span * (1 - 0.025 ** (1 / nn))  # Clopper-Pearson, zero "successes" of n
    lo = np.where(at_low, SCALE_LOW, np.where(at_high, SCALE_HIGH - exact, lo))
    hi = np.where(at_low, SCALE_LOW + exact, np.where(at_high, SCALE_HIGH, hi))
    low[ok] = np.clip(lo, SCALE_LOW, SCALE_HIGH)
    high[ok] = np.clip(hi, SCALE_LOW, SCALE_HIGH)
    return low, high


def uncertain_band(low: npt.ArrayLike, high: npt.ArrayLike) -> BoolArray:
    """True where an interval's ends fall in different reading bands (strong from 4.0, discuss
    from 3.0, concern below, on values rounded to one decimal as shown: core.bands), i.e. the
    band shown for the mean could be another one. False where either end is missing."""
    lo = pd.Series(np.atleast_1d(_as_float(low)))
    hi = pd.Series(np.atleast_1d(_as_float(high)))
    lo_band, hi_band = bands(lo), bands(hi)
    known = lo_band.notna() & hi_band.notna()
    differs = (lo_band != hi_band).fillna(False).astype(bool)
    out = (known & differs).to_numpy(dtype=bool)
    return out.reshape(np.shape(_as_float(low)))
