"""Pure aggregation on small hand-built frames: bands, suppression at n = 4, 5 and 6, intervals,
change, the layer matrix, distributions, disagreement, force fields and the remainder rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from lc_health import metrics
from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Instrument
from lc_health.metrics import breakdowns, change, forces, portfolio, publication, review, trends
from lc_health.metrics.change import mean_interval

THRESHOLD = 5


def _sums(key: str, scores: list[float], scope: str = "factor") -> dict[str, object]:
    return {
        "scope": scope,
        "key": key,
        "n": len(scores),
        "total": sum(scores),
        "total_sq": sum(s * s for s in scores),
    }


@pytest.mark.parametrize(
    ("mean", "expected"),
    [
        (4.0, "strong"),
        (3.96, "strong"),
        (3.94, "discuss"),
        (3.0, "discuss"),
        (2.95, "discuss"),
        (2.94, "concern"),
        (1.0, "concern"),
        (None, None),
        (float("nan"), None),
    ],
)
def test_bands_follow_the_shown_value(mean: float | None, expected: str | None) -> None:
    assert metrics.band(mean) == expected


def test_t_quantiles() -> None:
    assert metrics.t975(4) == 2.776
    assert metrics.t975(30) == 2.042
    assert abs(metrics.t975(40) - 2.021) < 0.002
    assert abs(metrics.t975(120) - 1.980) < 0.002
    assert math.isnan(metrics.t975(0))


@pytest.mark.parametrize(("n", "shown"), [(4, False), (5, True), (6, True)])
def test_suppression_at_the_threshold(n: int, shown: bool) -> None:
    scores = [float(1 + i % 5) for i in range(n)]
    out = metrics.summarise_sums(pd.DataFrame([_sums("1", scores)]), THRESHOLD).iloc[0]
    assert out["n"] == n  # the count stays; it is not an answer
    assert bool(out["suppressed"]) is not shown
    if shown:
        assert out["mean"] == pytest.approx(np.mean(scores))
        assert out["sd"] == pytest.approx(np.std(scores, ddof=1))
        # The interval is change.mean_interval's: inside 1..5, around the mean.
        low, high = mean_interval(n, sum(scores), sum(x * x for x in scores))
        assert out["ci_low"] == pytest.approx(low) and out["ci_high"] == pytest.approx(high)
        assert 1 <= out["ci_low"] < out["mean"] < out["ci_high"] <= 5
    else:
        assert out[["mean", "sd", "ci_low", "ci_high"]].isna().all()
        assert pd.isna(out["band"])


def test_unpaired_change_is_called_only_when_clear() -> None:
    now = pd.DataFrame([_sums("1", [4, 5, 4, 5, 4, 5, 4, 5]), _sums("2", [3, 4, 2, 5, 3, 4])])
    before = pd.DataFrame([_sums("1", [2, 3, 2, 3, 2, 3, 2, 3]), _sums("2", [3, 3, 4, 2, 4, 3])])
    out = change.change_from_sums(now, before).set_index("key")
    assert out.loc["1", "status"] == review.IMPROVED
    assert out.loc["1", "difference"] == pytest.approx(2.0)
    assert out.loc["1", "ci_low"] > 0
    assert out.loc["2", "status"] == review.NO_CLEAR_CHANGE
    assert out.loc["2", "ci_low"] < 0 < out.loc["2", "ci_high"]
    declined = change.change_from_sums(before.iloc[:1], now.iloc[:1])
    assert declined["status"].tolist() == [review.DECLINED]


def test_layer_matrix_marks_suppressed_and_not_asked(instrument: Instrument) -> None:
    sums = pd.DataFrame(
        [
            _sums("1:individual", [4, 4, 5, 5, 4], scope="cell"),
            _sums("2:individual", [2, 3, 2, 2], scope="cell"),
        ]
    )
    out = review.layer_matrix(sums, instrument, THRESHOLD).set_index(["factor", "layer"])
    assert out.loc[(1, "individual"), "mean"] == pytest.approx(4.4)
    assert out.loc[(1, "individual"), "band"] == "strong"
    assert out.loc[(2, "individual"), "suppressed"] and np.isnan(out.loc[(2, "individual"), "mean"])
    assert not out.loc[(3, "individual"), "asked"]  # factor 3 is not asked of individuals
    assert not out.loc[(3, "individual"), "suppressed"]
    assert out.loc[(3, "community"), "asked"] and out.loc[(3, "community"), "suppressed"]
    assert len(out) == 12 * 4


def test_factor_table_distribution_disagreement_and_order(instrument: Instrument) -> None:
    sums = pd.DataFrame(
        [
            _sums("1", [1, 1, 5, 5, 1, 5]),  # polarised
            _sums("2", [3, 3, 3, 3, 3]),
            _sums("3", [4, 4, 4, 4]),  # suppressed
        ]
    )
    items = pd.DataFrame(
        [
            {"item_id": "ind_f01", "n1": 3, "n2": 0, "n3": 0, "n4": 0, "n5": 3, "n_dk": 1},
            {"item_id": "ind_f02", "n1": 0, "n2": 0, "n3": 5, "n4": 0, "n5": 0, "n_dk": 0},
            {"item_id": "lc_f03", "n1": 0, "n2": 0, "n3": 0, "n4": 4, "n5": 0, "n_dk": 2},
        ]
    )
    out = review.factor_table(sums, items, instrument, THRESHOLD).set_index("factor")
    assert out.loc[1, "disagreement"] and not out.loc[2, "disagreement"]
    assert out.loc[1, "share1"] == pytest.approx(0.5) and out.loc[1, "n_dk"] == 1
    assert out.loc[2, "share3"] == pytest.approx(1.0)
    assert out.loc[3, "suppressed"] and pd.isna(out.loc[3, "share4"]) and pd.isna(out.loc[3, "n4"])
    order = list(out.index)
    assert order.index(3) > order.index(1) and order.index(3) > order.index(2)  # suppressed last


def test_attention_order() -> None:
    factors = pd.DataFrame(
        {
            "factor": [1, 2, 3, 4, 5],
            "mean": [2.5, 3.5, 4.5, 4.2, 3.2],
            "band": ["concern", "discuss", "strong", "strong", "discuss"],
            "suppressed": [False, False, False, False, True],
            "disagreement": [False, False, True, False, False],
        }
    )
    changes = pd.DataFrame(
        {
            "key": ["1", "2", "3", "4", "5"],
            "status": ["not_comparable", "no_clear_change", "declined", "improved", "declined"],
            "difference": [np.nan, 0.1, -0.6, 0.5, -1.0],
        }
    )
    assert review.attention_order(factors, changes) == [1, 3, 2]


def test_force_field_aligns_mirror_pairs_and_suppresses(instrument: Instrument) -> None:
    counts = pd.DataFrame(
        {"force_id": ["fac_good_communication", "hin_unclear_communication"], "n": [6, 2]}
    )
    before = pd.DataFrame({"force_id": ["fac_good_communication"], "n": [2]})
    out = forces.force_field(counts, 8, before, 8, instrument, THRESHOLD)
    line = out[out["facilitating"] == "fac_good_communication"].iloc[0]
    assert line["hindering"] == "hin_unclear_communication"
    assert line["fac_share"] == pytest.approx(0.75) and line["hin_share"] == pytest.approx(0.25)
    assert line["fac_change"] == pytest.approx(0.5)
    # The change comes with its counts: 6 of 8 now, 2 of 8 then (0 of 8 for the hindering one).
    assert (line["fac_n"], line["respondents"]) == (6, 8)
    assert (line["fac_n_before"], line["respondents_before"]) == (2, 8)
    assert (line["hin_n"], line["hin_n_before"]) == (2, 0)
    assert len(out) == 17 + 18 - 12  # twelve mirror pairs share a line
    hidden = forces.force_field(counts, 4, None, 0, instrument, THRESHOLD)
    assert hidden["fac_share"].isna().all() and hidden["hin_share"].isna().all()
    count_columns = ["fac_n", "hin_n", "fac_n_before", "hin_n_before", "respondents"]
    assert hidden[count_columns].isna().all().all()


def test_force_field_gives_no_earlier_counts_when_the_earlier_round_is_hidden(
    instrument: Instrument,
) -> None:
    counts = pd.DataFrame({"force_id": ["fac_good_communication"], "n": [3]})
    before = pd.DataFrame({"force_id": ["fac_good_communication"], "n": [1]})
    out = forces.force_field(counts, 6, before, 4, instrument, THRESHOLD)
    line = out[out["facilitating"] == "fac_good_communication"].iloc[0]
    assert (line["fac_n"], line["respondents"]) == (3, 6)
    assert pd.isna(line["fac_n_before"]) and pd.isna(line["respondents_before"])
    assert pd.isna(line["fac_change"])
    no_earlier = forces.force_field(counts, 6, None, 0, instrument, THRESHOLD)
    assert no_earlier["fac_n_before"].isna().all() and no_earlier["fac_change"].isna().all()
    community = forces.force_field(counts, 8, None, 0, instrument, THRESHOLD, layer="individual")
    layers = {
        instrument.force_by_id[f].layer
        for f in [*community["facilitating"].dropna(), *community["hindering"].dropna()]
    }
    assert "individual" in layers and len(community) < len(out)


def test_portfolio_force_shares(instrument: Instrument) -> None:
    totals = pd.DataFrame({"period": ["2026-Q3"], "force_id": ["hin_too_fast"], "n": [3]})
    respondents = pd.DataFrame({"period": ["2026-Q3"], "communities": [1], "respondents": [10]})
    out = forces.portfolio_shares(totals, respondents, instrument).set_index("force_id")
    assert len(out) == len(instrument.forces)
    assert out.loc["hin_too_fast", "share"] == pytest.approx(0.3)
    assert out.loc["fac_long_breath", "share"] == 0.0


def test_trend_keeps_suppressed_points_without_figures() -> None:
    scores = pd.DataFrame(
        [
            {"round_id": 1, **_sums("", [3, 3, 4, 4, 3], scope="health")},
            {"round_id": 2, **_sums("", [4, 4, 4], scope="health")},
        ]
    )
    rounds = pd.DataFrame({"round_id": [1, 2], "period": ["2026-Q1", "2026-Q2"]})
    out = trends.community_trend(scores, rounds, "health", THRESHOLD)
    assert out["period"].tolist() == ["2026-Q1", "2026-Q2"]
    assert out["mean"].iloc[0] == pytest.approx(3.4) and np.isnan(out["mean"].iloc[1])
    assert out["n"].tolist() == [5, 3]


def test_trend_breaks_at_a_missing_or_hidden_quarter() -> None:
    scores = pd.DataFrame(
        [
            {"round_id": 1, **_sums("1", [3, 3, 4, 4, 3])},
            {"round_id": 2, **_sums("1", [4, 4, 4, 4, 4])},
            {"round_id": 4, **_sums("1", [4, 4, 4])},  # too few: hidden
            {"round_id": 5, **_sums("1", [2, 2, 3, 3, 2])},
            {"round_id": 6, **_sums("1", [3, 3, 3, 3, 3])},
        ]
    )
    # No round in 2025-Q3 at all; 2025-Q4 has too few respondents.
    rounds = pd.DataFrame(
        {
            "round_id": [1, 2, 4, 5, 6],
            "period": ["2025-Q1", "2025-Q2", "2025-Q4", "2026-Q1", "2026-Q2"],
        }
    )
    out = trends.community_trend(scores, rounds, "factor", THRESHOLD)
    assert out["period"].tolist() == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
        "2026-Q2",
    ]
    assert out["mean"].isna().tolist() == [False, False, True, True, False, False]
    assert out["n"].tolist() == [5, 5, 0, 3, 5, 5]
    assert out["suppressed"].tolist() == [False, False, False, True, False, False]
    assert out["segment"].tolist() == [0, 0, -1, -1, 1, 1]
    assert not out["version_break"].any()


def test_trend_of_a_scope_without_figures_is_empty() -> None:
    scores = pd.DataFrame([{"round_id": 1, **_sums("", [3, 3, 4], scope="health")}])
    rounds = pd.DataFrame({"round_id": [1], "period": ["2026-Q1"]})
    out = trends.community_trend(scores, rounds, "factor", THRESHOLD, {"2026-Q1": set()})
    assert out.empty and list(out.columns) == trends.TREND_COLUMNS


def test_trend_breaks_at_a_version_that_changed_the_statements() -> None:
    scores = pd.DataFrame(
        [{"round_id": r, **_sums(k, [3, 4, 4, 4, 3])} for r in (1, 2, 3) for k in ("1", "2")]
    )
    rounds = pd.DataFrame(
        {
            "round_id": [1, 2, 3],
            "period": ["2026-Q1", "2026-Q2", "2026-Q3"],
            "instrument_id": ["lc_health"] * 3,
            "instrument_version": [1, 2, 2],
        }
    )
    assert trends.instrument_changes(rounds) == [("2026-Q2", ("lc_health", 1), ("lc_health", 2))]
    # Factor 1 kept its statements in version 2, factor 2 did not.
    out = trends.community_trend(
        scores, rounds, "factor", THRESHOLD, {"2026-Q2": {("factor", "1"), ("layer", "individual")}}
    )
    one, two = out[out["key"] == "1"], out[out["key"] == "2"]
    assert one["segment"].nunique() == 1 and not one["version_break"].any()
    assert two["version_break"].tolist() == [False, True, False]
    assert two["segment"].tolist()[0] != two["segment"].tolist()[1] == two["segment"].tolist()[2]


@pytest.mark.parametrize(
    ("sizes", "shown", "remainder"),
    [
        ({"a": 10, "b": 6}, ["a", "b"], 0),
        ({"a": 10, "b": 6, "c": 2}, ["a"], 8),  # c alone (2) is too small: b joins the rest
        ({"a": 10, "b": 6, "c": 5, "d": 1}, ["a", "b"], 6),
        ({"a": 4, "b": 4}, [], 8),
        ({"a": 12, "b": 3, "c": 3}, ["a"], 6),
        ({"a": 5}, ["a"], 0),
    ],
)
def test_remainder_rule(sizes: dict[str, int], shown: list[str], remainder: int) -> None:
    got_shown, got_remainder = breakdowns.shown_groups(pd.Series(sizes), THRESHOLD)
    assert got_shown == shown and got_remainder == remainder


def _raw(answers: pd.DataFrame, profiles: pd.DataFrame) -> publication.RoundRaw:
    """A round's raw frames: every response through a personal link (all count)."""
    responses = profiles.assign(
        person=profiles["response_id"].map(str), channel="personal", answered_forces=False
    )
    if "organisation_type" not in responses:
        responses["organisation_type"] = None
    return publication.RoundRaw(
        responses=responses,
        answers=answers,
        marks=pd.DataFrame(columns=["response_id", "force_id"]),
        comments=pd.DataFrame(columns=["response_id", "text"]),
    )


def _breakdown(raw: publication.RoundRaw, instrument: Instrument) -> pd.DataFrame:
    found = publication.figures(raw, instrument, Policy(), has_personal_links=True)
    return breakdowns.published(found.groups, "role", "factor")


def test_breakdown_never_lets_a_hidden_group_be_subtracted(instrument: Instrument) -> None:
    rows, profiles = [], []
    groups = ["teacher"] * 7 + ["student"] * 6 + ["company"] * 2
    for rid, group in enumerate(groups):
        profiles.append({"response_id": rid, "role": group})
        rows.append(
            {"response_id": rid, "item_id": "ind_f01", "value": 5 if group == "company" else 3}
        )
    answers = pd.DataFrame(rows).astype({"value": "Int64"})
    out = _breakdown(_raw(answers, pd.DataFrame(profiles)), instrument)
    assert set(out["group"]) == {"teacher", breakdowns.REMAINDER}  # student joins company (2)
    rest = out[out["group"] == breakdowns.REMAINDER].iloc[0]
    assert rest["n"] == 8  # students and companies together


def test_breakdown_drops_a_key_where_any_group_is_too_small(instrument: Instrument) -> None:
    rows, profiles = [], []
    for rid in range(12):
        group = "teacher" if rid < 6 else "student"
        profiles.append({"response_id": rid, "role": group})
        rows.append({"response_id": rid, "item_id": "ind_f01", "value": 4})
        # Two students say "don't know" on factor 2: only 4 students scored it.
        rows.append({"response_id": rid, "item_id": "ind_f02", "value": None if rid >= 10 else 3})
    answers = pd.DataFrame(rows).astype({"value": "Int64"})
    out = _breakdown(_raw(answers, pd.DataFrame(profiles)), instrument)
    assert set(out["key"]) == {"1"}


@pytest.mark.parametrize("seed", range(6))
def test_published_factor_sums_equal_the_from_scratch_aggregation(
    instrument: Instrument, seed: int
) -> None:
    """Publication's one-pass factor and cell sums (overall and per breakdown group) match
    score_sums_from_answers on random rounds where every statement passes the threshold, with
    don't-know answers and skipped items."""
    rng = np.random.default_rng(seed)
    items = metrics.item_map(instrument)
    rows, people = [], []
    for rid in range(int(rng.integers(30, 60))):
        people.append({"response_id": rid, "role": str(rng.choice(["a", "b", "c"]))})
        for item in items["item_id"]:
            if rng.random() < 0.85:
                value = None if rng.random() < 0.1 else int(rng.integers(1, 6))
                rows.append({"response_id": rid, "item_id": item, "value": value})
    answers = pd.DataFrame(rows, columns=["response_id", "item_id", "value"]).astype(
        {"value": "Int64"}
    )
    profiles = pd.DataFrame(people)
    found = publication.figures(
        _raw(answers, profiles), instrument, Policy(), has_personal_links=True
    )
    slow = metrics.score_sums_from_answers(answers, items, scopes=["factor", "cell"])
    fast = found.scores[found.scores["scope"].isin(["factor", "cell"])]
    order = ["scope", "key"]
    assert_frame_equal(
        fast[["scope", "key", "n", "total", "total_sq"]].sort_values(order).reset_index(drop=True),
        slow.sort_values(order).reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
    )
    by_group = metrics.score_sums_from_answers(
        answers.merge(profiles.rename(columns={"role": "category"}), on="response_id"),
        items,
        by=["category"],
        scopes=["factor"],
    )
    groups = found.groups[
        (found.groups["dimension"] == "role") & (found.groups["scope"] == "factor")
    ]
    want = by_group[by_group["category"].isin(set(groups["category"]))]
    want = want[want["key"].isin(set(groups["key"]))]
    columns, order = ["category", "key", "n", "total", "total_sq"], ["category", "key"]
    assert len(groups) > 0
    assert_frame_equal(
        groups[columns].sort_values(order).reset_index(drop=True),
        want[columns].sort_values(order).reset_index(drop=True),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
    )


def test_feedback_shows_only_published_factors() -> None:
    own = pd.DataFrame({"factor": [1, 2], "score": [4.0, 2.0]})
    published = pd.DataFrame({"factor": [1], "n": [5], "q1": [3.0], "median": [3.0], "q3": [4.0]})
    out = metrics.feedback_published(own, published)
    expected = pd.DataFrame(
        {
            "factor": [1, 2],
            "own": [4.0, 2.0],
            "n": [5, 0],
            "q1": [3.0, np.nan],
            "median": [3.0, np.nan],
            "q3": [4.0, np.nan],
            "suppressed": [False, True],
        }
    )
    assert_frame_equal(out, expected)


def test_column_versions_equal_the_scalar_ones() -> None:
    dfs = pd.Series([0.0, 1.0, 4.0, 29.0, 30.0, 31.0, 45.5, 200.0, np.nan])
    expected = [metrics.t975(d) for d in dfs]
    got = metrics.core.t975_many(dfs).tolist()
    assert got[1:-1] == pytest.approx(expected[1:-1])
    assert np.isnan(got[0]) and np.isnan(got[-1])
    means = pd.Series([4.0, 3.96, 3.94, 3.0, 2.95, 2.94, 1.0, np.nan])
    assert metrics.core.bands(means).tolist() == [
        metrics.band(m) if not np.isnan(m) else pd.NA for m in means
    ]


def test_portfolio_lines_break_where_the_instrument_changed_the_statements() -> None:
    instruments = pd.DataFrame(
        {
            "period": ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q3"],
            "instrument_id": ["lc_health"] * 5,
            "instrument_version": [1, 1, 1, 2, 2],
        }
    )
    changes = portfolio.instrument_changes(instruments)
    assert changes == [("2026-Q3", {("lc_health", 1)}, {("lc_health", 2)})]
    spread = pd.DataFrame(
        {
            "period": ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q1", "2026-Q3"],
            "key": ["", "", "", "x", "x"],
            "median": [3.0, 3.2, 3.4, 3.0, 3.1],
        }
    )
    # The health index changed its statements at Q3; layer-like key "x" did not, but it has
    # no figures for Q2, so its line breaks there.
    out = portfolio.with_segments(spread, "health", {"2026-Q3": {("health", "x")}})
    health = out[out["key"] == ""]
    assert health["version_break"].tolist() == [False, False, True]
    assert health["segment"].tolist()[0] == health["segment"].tolist()[1]
    assert health["segment"].tolist()[2] != health["segment"].tolist()[1]
    other = out[out["key"] == "x"]
    assert not other["version_break"].any()
    assert other["segment"].nunique() == 2  # Q1, then Q3 after a period without figures
