"""The tables the pages show, computed in metrics (the pages only lay them out)."""

from __future__ import annotations

import math

import pandas as pd

from lc_health.metrics import breakdowns, forces, portfolio


def test_a_breakdown_as_a_table_follows_the_order_and_names_each_group_with_its_n() -> None:
    frame = pd.DataFrame(
        {
            "group": ["lead", "lead", "teacher", "teacher"],
            "key": ["1. Goal", "3. Trust", "1. Goal", "3. Trust"],
            "n": [6, 5, 9, 8],
            "mean": [3.0, 4.0, 2.5, 3.5],
        }
    )
    wide = breakdowns.by_group(frame, ["3. Trust", "2. Time", "1. Goal"])
    assert list(wide.index) == ["3. Trust", "1. Goal"]  # no row without any figure
    assert list(wide.columns) == ["lead (n≈6)", "teacher (n≈9)"]
    assert wide.loc["1. Goal", "teacher (n≈9)"] == 2.5


def test_factor_distribution_gives_the_spread_of_the_communities_means() -> None:
    means = pd.DataFrame(
        {"key": ["1", "1", "1", "1", "1", "2"], "mean": [2.0, 4.0, 3.5, 1.0, 5.0, 1.0]}
    )
    got = portfolio.factor_distribution(means).set_index("key")
    assert got.loc["1"].to_dict() == {
        "communities": 5,
        "p10": 1.4,
        "q1": 2.0,
        "median": 3.5,
        "q3": 4.0,
        "p90": 4.6,
        "band": "discuss",
    }
    assert got.loc["2", ["communities", "p10", "median", "p90"]].tolist() == [1, 1.0, 1.0, 1.0]


def test_participation_grid_shows_responses_with_their_rate_when_known() -> None:
    part = pd.DataFrame(
        {
            "community_id": [1, 1, 2],
            "period": ["2026-Q1", "2026-Q2", "2026-Q2"],
            "responses": [12, 8, 5],
            "response_rate": [0.8, math.nan, 0.5],
        }
    )
    grid = portfolio.participation_grid(part)
    assert grid.loc[1].to_dict() == {"2026-Q1": "12 (80%)", "2026-Q2": "8"}
    assert grid.loc[2].to_dict() == {"2026-Q1": "", "2026-Q2": "5 (50%)"}


def test_communities_ordered_by_a_factor_lowest_first_without_figure_last() -> None:
    grid = pd.DataFrame(
        {"community_id": [1, 2, 3, 1], "factor": [4, 4, 4, 5], "mean": [3.0, None, 2.0, 1.0]}
    )
    assert portfolio.order_by_factor(grid, 4, [1, 2, 3, 9]) == [3, 1, 2, 9]


def test_force_shares_by_period_in_the_given_order() -> None:
    history = pd.DataFrame(
        {
            "force_id": ["a", "b", "a", "b", "c"],
            "period": ["Q1", "Q1", "Q2", "Q2", "Q2"],
            "share": [0.1, 0.2, 0.3, 0.4, 0.9],
        }
    )
    wide = forces.shares_by_period(history, ["b", "a"])
    assert list(wide.index) == ["b", "a"] and list(wide.columns) == ["Q1", "Q2"]
    assert wide.loc["a", "Q2"] == 0.3
