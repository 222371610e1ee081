"""Breakdowns of a round by respondent group (role, organisation type), as published: a group
is published only when it and everyone not shown (the remainder) each have at least the
threshold of respondents (disclosure.shown_groups; computed in metrics.publication), so no
hidden group can be worked out by subtracting shown ones from the total."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lc_health.domain.disclosure import shown_groups

__all__ = ["REMAINDER", "by_group", "published", "shown_groups"]

REMAINDER = "__rest__"


def published(groups: pd.DataFrame, dimension: str, scope: str) -> pd.DataFrame:
    """A round's published breakdown of one dimension and scope: group, key, n, mean.

    groups: dimension, category, scope, key, n, total, total_sq (store: PublishedGroup); only
    groups the disclosure policy let through are in it.
    """
    part = groups[(groups["dimension"] == dimension) & (groups["scope"] == scope)]
    return pd.DataFrame(
        {
            "group": part["category"].astype(str),
            "key": part["key"].astype(str),
            "n": part["n"].astype(int),
            "mean": part["total"] / part["n"],
        }
    ).reset_index(drop=True)


def by_group(frame: pd.DataFrame, order: Sequence[str]) -> pd.DataFrame:
    """A published breakdown (group, key, n, mean) as a table of means: one row per key in
    `order` that has a figure, one column per group named with its largest n ("lead (n≈7)")."""
    wide = frame.pivot(index="key", columns="group", values="mean")
    wide = wide.reindex(list(order)).dropna(how="all")
    sizes = frame.groupby("group")["n"].max()
    wide.columns = [f"{g} (n≈{int(sizes[g])})" for g in wide.columns]
    return wide
