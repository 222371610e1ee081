"""lc_health.metrics.change: the t distribution, the partially paired test, Holm, verdicts,
the interval that stays on the scale and the uncertain-band flag."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lc_health.metrics import change
from lc_health.metrics.change import (
    COLUMNS,
    DECLINED,
    IMPROVED,
    NO_CLEAR_CHANGE,
    NOT_COMPARABLE,
    change_from_sums,
    change_table,
    holm,
    mean_interval,
    t_cdf,
    t_quantile,
    t_two_sided_p,
    uncertain_band,
)
from lc_health.metrics.core import t975


def rounds(before: list[float], now: list[float], key: str = "1", linked: bool = True):
    people = [f"p{i}" for i in range(len(before))]
    b = pd.DataFrame({"person": people if linked else None, "key": key, "score": before})
    people = [f"p{i}" for i in range(len(now))]
    a = pd.DataFrame({"person": people if linked else None, "key": key, "score": now})
    return a, b


def sums(frame: pd.DataFrame) -> pd.DataFrame:
    return (
        frame.assign(sq=frame["score"] ** 2)
        .groupby("key")
        .agg(n=("score", "size"), total=("score", "sum"), total_sq=("sq", "sum"))
        .reset_index()
    )


# --- Student's t ---------------------------------------------------------------------------


def test_t_p_values_match_known_values() -> None:
    assert t_two_sided_p(2.0, 10) == pytest.approx(0.07338803477, rel=1e-9)  # 2*pt(-2, 10)
    # df = 4 has a closed form: F(t) = 1/2 + 3/8 * t/sqrt(1 + t²/4) * (1 - t²/(12 (1 + t²/4)))
    u = 1 + 9 / 4
    assert t_two_sided_p(3.0, 4) == pytest.approx(1 - 3 / 4 * 3 / math.sqrt(u) * (1 - 9 / (12 * u)))
    assert t_two_sided_p(0.0, 7) == 1.0
    assert t_two_sided_p(np.inf, 7) == 0.0
    assert t_two_sided_p(1.959963985, np.inf) == pytest.approx(0.05, rel=1e-8)


@pytest.mark.parametrize("t", [-30.0, -4.0, -1.0, -0.3, 0.0, 0.7, 2.5, 12.0])
def test_t_cdf_matches_closed_forms(t: float) -> None:
    # df = 1 is the Cauchy distribution, df = 2 has a closed form too.
    assert t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-13)
    assert t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), abs=1e-13)


def test_t_cdf_agrees_with_the_project_quantile_table() -> None:
    for df in range(1, 31):
        assert t_cdf(t975(df), df) == pytest.approx(0.975, abs=5e-5)  # table: 3 decimals
        assert t_quantile(0.975, df) == pytest.approx(t975(df), abs=6e-4)


def test_t_quantile_inverts_the_cdf_for_fractional_df() -> None:
    df = np.array([0.7, 1.5, 3.3, 7.9, 19.5, 250.0, 5e6])
    q = np.array([0.975, 0.9, 0.6, 0.025, 0.99, 0.5, 0.1])
    assert t_cdf(t_quantile(q, df), df) == pytest.approx(q, abs=1e-12)
    assert np.isnan(t_quantile([0.0, 1.0, 0.5], [3, 3, -1])).all()


# --- Holm --------------------------------------------------------------------------------------


def test_holm_steps_down_and_keeps_order() -> None:
    adjusted = holm([0.01, 0.04, 0.03, 0.5])
    assert adjusted == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert holm([0.5, 0.001, 0.2, 0.01]) == pytest.approx([0.5, 0.004, 0.4, 0.03])


def test_holm_leaves_missing_values_out_of_the_family() -> None:
    adjusted = holm([[0.01, np.nan, 0.02], [0.3, 0.9, 0.001]])
    assert adjusted[0, 0] == pytest.approx(0.02)
    assert np.isnan(adjusted[0, 1])
    assert adjusted[0, 2] == pytest.approx(0.02)
    assert adjusted[1] == pytest.approx([0.6, 0.9, 0.003])


# --- change_table ------------------------------------------------------------------------------


def test_all_paired_is_the_paired_t_test_of_the_issue() -> None:
    # Six people, five rise by one point, one stays: paired 95% CI 0.41 to 1.26.
    now, before = rounds([2, 3, 3, 4, 2, 3], [3, 4, 4, 5, 3, 3])
    row = change_table(now, before).iloc[0]
    assert row["n_pairs"] == 6
    assert row["difference"] == pytest.approx(5 / 6)
    assert row["ci_low"] == pytest.approx(0.4049, abs=1e-4)
    assert row["ci_high"] == pytest.approx(1.2618, abs=1e-4)
    # the paired t statistic: mean 5/6, sd sqrt(1/6), n 6, df 5
    t = (5 / 6) / (math.sqrt(1 / 6) / math.sqrt(6))
    assert row["p_value"] == pytest.approx(t_two_sided_p(t, 5))
    assert row["status"] == IMPROVED


def test_nobody_paired_is_welch() -> None:
    x, y = [3.0, 4, 4, 5, 2, 4, 3.5], [2.0, 3, 2.5, 4, 2]
    now, before = rounds(y, x, linked=False)
    row = change_table(now, before).iloc[0]
    va, vb = np.var(x, ddof=1) / 7, np.var(y, ddof=1) / 5
    df = (va + vb) ** 2 / (va**2 / 6 + vb**2 / 4)
    half = t_quantile(0.975, df) * math.sqrt(va + vb)
    diff = np.mean(x) - np.mean(y)
    assert row["n_pairs"] == 0
    assert row["difference"] == pytest.approx(diff)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((diff - half, diff + half))
    assert row["p_value"] == pytest.approx(t_two_sided_p(diff / math.sqrt(va + vb), df))
    # the same from sums only
    from_sums = change_from_sums(sums(now), sums(before)).iloc[0]
    for column in ("difference", "ci_low", "ci_high", "p_value"):
        assert from_sums[column] == pytest.approx(row[column])


def test_partly_paired_uses_looney_jones_variance_and_derrick_df() -> None:
    before = pd.DataFrame(
        {
            "person": ["a", "b", "c", "d", "e", None, None],
            "key": "7",
            "score": [2.0, 3.0, 3.5, 4.0, 2.5, 3.0, 1.5],
        }
    )
    now = pd.DataFrame(
        {
            "person": ["a", "b", "c", "d", "e", "f", None, None],
            "key": "7",
            "score": [3.0, 3.5, 4.0, 4.5, 3.0, 2.0, 4.0, 3.0],
        }
    )
    row = change_table(now, before).iloc[0]
    x, y = now["score"].to_numpy(), before["score"].to_numpy()
    cov = np.cov(x[:5], y[:5], ddof=1)[0, 1]
    var = x.var(ddof=1) / 8 + y.var(ddof=1) / 7 - 2 * 5 * cov / (8 * 7)
    diff = x.mean() - y.mean()
    va, vb = x.var(ddof=1) / 8, y.var(ddof=1) / 7
    welch = (va + vb) ** 2 / (va**2 / 7 + vb**2 / 6)
    df = 4 + (welch - 4) * 5 / (5 + 10)
    assert row["n_pairs"] == 5
    assert row["difference"] == pytest.approx(diff)
    assert row["p_value"] == pytest.approx(t_two_sided_p(diff / math.sqrt(var), df))
    half = t_quantile(0.975, df) * math.sqrt(var)
    assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * half)


def test_fewer_pairs_than_the_minimum_are_treated_as_unlinked() -> None:
    now, before = rounds([2, 3, 3, 4], [3, 4, 4, 5])
    linked = change_table(now, before)
    unlinked = change_table(now.assign(person=None), before.assign(person=None))
    assert linked["n_pairs"].iloc[0] == 0
    pd.testing.assert_frame_equal(linked, unlinked)
    assert change_table(now, before, min_pairs=4)["n_pairs"].iloc[0] == 4
    with pytest.raises(ValueError, match="min_pairs"):
        change_table(now, before, min_pairs=1)


def test_duplicate_person_and_key_is_refused() -> None:
    now, before = rounds([2, 3, 3, 4, 2], [3, 4, 4, 5, 3])
    with pytest.raises(ValueError, match="now"):
        change_table(pd.concat([now, now.iloc[:1]]), before)


def test_columns_order_and_not_comparable_keys() -> None:
    now = pd.DataFrame(
        {"person": None, "key": ["2", "2", "3", "1", "1"], "score": [3.0, 4.0, 2.0, 4.0, 5.0]}
    )
    before = pd.DataFrame(
        {
            "person": None,
            "key": ["2", "2", "4", "1", "1", "3", "3"],
            "score": [3.0, 4.0, 2.0, 1.0, 2.0, 3.0, 3.5],
        }
    )
    out = change_table(now, before)
    assert list(out.columns) == COLUMNS
    assert list(out["key"]) == ["1", "2", "3", "4"]
    status = dict(zip(out["key"], out["status"], strict=True))
    assert status["3"] == NOT_COMPARABLE  # one respondent now
    assert status["4"] == NOT_COMPARABLE  # missing now
    assert out.set_index("key").loc["4", "n_now"] == 0
    assert np.isnan(out.set_index("key").loc["4", "p_value"])
    # Only keys 1 and 2 form the family: key 1's p is doubled at most.
    row = out.set_index("key").loc["1"]
    assert row["p_adjusted"] == pytest.approx(min(1.0, 2 * row["p_value"]))


def test_small_but_clear_change_is_no_clear_change() -> None:
    before = [3.0, 3.1, 3.0, 3.2, 3.1, 3.0, 3.2, 3.1]
    now = [b + 0.2 for b in before]
    a, b = rounds(before, now)
    row = change_table(a, b).iloc[0]
    assert row["p_adjusted"] < 0.05
    assert row["status"] == NO_CLEAR_CHANGE  # 0.2 is below the minimum meaningful change
    assert change_table(a, b, min_change=0.1)["status"].iloc[0] == IMPROVED


def test_decline_and_zero_spread() -> None:
    a, b = rounds([4.0] * 6, [3.0] * 6)
    row = change_table(a, b).iloc[0]
    assert row["p_value"] == 0.0 and row["status"] == DECLINED
    assert (row["ci_low"], row["ci_high"]) == (-1.0, -1.0)
    a, b = rounds([4.0] * 6, [4.0] * 6)
    assert change_table(a, b)["status"].iloc[0] == NO_CLEAR_CHANGE


def test_holm_over_the_keys_of_one_call() -> None:
    rng = np.random.default_rng(3)
    frames = []
    for key in range(1, 13):
        before = rng.normal(3.5, 0.8, 10).clip(1, 5)
        now = (before + rng.normal(0.05, 0.4, 10)).clip(1, 5)
        frames.append(rounds(list(before), list(now), key=f"{key:02d}"))
    out = change_table(pd.concat([f[0] for f in frames]), pd.concat([f[1] for f in frames]))
    assert (out["p_adjusted"] >= out["p_value"]).all()
    assert out["p_adjusted"].to_numpy() == pytest.approx(holm(out["p_value"]))


def test_constants_are_the_review_modules() -> None:
    from lc_health.metrics import review

    assert change.IMPROVED is review.IMPROVED and change.NOT_COMPARABLE is review.NOT_COMPARABLE


# --- mean_interval -----------------------------------------------------------------------------


def test_interval_stays_on_the_scale() -> None:
    rng = np.random.default_rng(11)
    n = rng.integers(0, 40, 5000)
    scores = [rng.choice([1.0, 2, 3, 4, 5], size=k, p=rng.dirichlet(np.ones(5) * 0.3)) for k in n]
    total = np.array([s.sum() for s in scores])
    total_sq = np.array([(s**2).sum() for s in scores])
    low, high = mean_interval(n, total, total_sq)
    ok = n >= 2
    assert np.isnan(low[~ok]).all() and np.isnan(high[~ok]).all()
    assert (low[ok] >= 1).all() and (high[ok] <= 5).all()
    mean = total[ok] / n[ok]
    assert (low[ok] <= mean + 1e-12).all() and (mean - 1e-12 <= high[ok]).all()
    assert (high[ok] > low[ok]).all()  # never a point: nobody is that certain


def test_interval_is_close_to_the_plain_t_interval_mid_scale() -> None:
    scores = np.array([2.0, 3, 3, 4, 4, 3, 2, 4, 3, 3, 4, 2])
    n, mean, sd = len(scores), scores.mean(), scores.std(ddof=1)
    half = t975(n - 1) * sd / math.sqrt(n)
    low, high = mean_interval(n, scores.sum(), (scores**2).sum())
    assert float(low) == pytest.approx(mean - half, abs=0.03)
    assert float(high) == pytest.approx(mean + half, abs=0.03)


def test_interval_fallbacks_at_the_bounds_and_without_spread() -> None:
    low, high = mean_interval([8, 8, 8], [8.0, 40.0, 32.0], [8.0, 200.0, 128.0])
    assert low[0] == 1.0 and high[0] == pytest.approx(1 + 4 * (1 - 0.025 ** (1 / 8)))
    assert high[1] == 5.0 and low[1] == pytest.approx(5 - 4 * (1 - 0.025 ** (1 / 8)))
    assert low[2] < 4.0 < high[2]  # everyone 4: as if one answer were a point away
    series_low, _ = mean_interval(pd.Series([8]), pd.Series([32.0]), pd.Series([128.0]))
    assert series_low[0] == low[2]


@pytest.mark.parametrize("n", [8, 20])
def test_interval_coverage_is_about_95_percent(n: int) -> None:
    rng = np.random.default_rng(2024 + n)
    distributions = {
        "middle": [0.05, 0.2, 0.35, 0.3, 0.1],
        "high": [0.02, 0.05, 0.13, 0.4, 0.4],
        "low": [0.3, 0.35, 0.2, 0.1, 0.05],
    }
    values = np.arange(1.0, 6.0)
    for probs in distributions.values():
        true = float(values @ np.array(probs))
        # a factor score is the mean of two statements
        answers = rng.choice(values, size=(4000, n, 2), p=probs).mean(axis=-1)
        true_mean = true
        low, high = mean_interval(n, answers.sum(-1), (answers**2).sum(-1))
        coverage = ((low <= true_mean) & (true_mean <= high)).mean()
        assert 0.92 <= coverage <= 0.98


# --- uncertain_band ----------------------------------------------------------------------------


def test_uncertain_band_compares_the_bands_shown() -> None:
    low = [2.9, 3.0, 3.96, 2.94, np.nan, 4.1]
    high = [3.5, 3.94, 4.2, 2.96, 4.0, 4.8]
    assert list(uncertain_band(low, high)) == [True, False, False, True, False, False]
    assert uncertain_band(pd.Series([1.5]), pd.Series([4.5])).tolist() == [True]


@pytest.mark.parametrize("seed", [1, 2])
def test_t_quantile_solves_each_pair_once_with_the_same_bits(seed: int) -> None:
    # The portfolio asks for many intervals with few distinct sample sizes: t_quantile solves
    # each (q, df) once, and must give exactly what solving every element does.
    rng = np.random.default_rng(seed)
    df = rng.integers(-2, 60, 4000).astype(float)
    df[::97], df[::13] = np.nan, 1e6
    for q in (np.float64(0.975), rng.uniform(0.001, 0.999, 4000)):
        each = change._t_quantile_each(*np.broadcast_arrays(np.asarray(q, dtype=float), df))
        assert np.array_equal(change.t_quantile(q, df), each, equal_nan=True)
