"""Breakdowns of a round by respondent group (role, organisation type), with the remainder rule:
a group is shown only when it and everyone not shown (the remainder) each have at least the
threshold of respondents, so no hidden group can be worked out by subtracting shown ones from
the total."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from lc_health.disclosure import shown_groups
from lc_health.metrics.core import SUM_COLUMNS, summarise_sums

__all__ = ["REMAINDER", "breakdown", "group_sums", "published", "shown_groups"]

REMAINDER = "__rest__"


def breakdown(
    answers: pd.DataFrame,
    profiles: pd.DataFrame,
    items: pd.DataFrame,
    by: str,
    scope: str,
    threshold: int,
) -> pd.DataFrame:
    """Means per group for one scope (factor, layer or health) of one round.

    answers: response_id, item_id, value; profiles: response_id and the `by` column;
    items: item_id, factor, layer. Returns group, key, n, mean, ci_low, ci_high, band; the
    remainder (when large enough) as group "__rest__". Groups that may not be shown are absent.
    """
    people = profiles[["response_id", by]].rename(columns={by: "group"})
    people["group"] = people["group"].fillna("").astype(str)
    shown, remainder = shown_groups(people.groupby("group").size(), threshold)
    if not shown:
        return pd.DataFrame(columns=["group", "key", "n", "mean", "ci_low", "ci_high", "band"])
    people.loc[~people["group"].isin(shown), "group"] = REMAINDER
    if remainder == 0:
        people = people[people["group"] != REMAINDER]
    out = summarise_sums(group_sums(answers, people, items, scope), threshold)
    # A group can fall below the threshold on one key (many don't-know answers). Then that key
    # is left out for every group: with the total shown elsewhere, the hidden group's figure
    # could otherwise be worked out from the others.
    groups = set(people["group"])
    complete = out[~out["suppressed"]].groupby("key")["group"].nunique() == len(groups)
    keep = set(complete[complete].index)
    out = out[out["key"].isin(keep)]
    return out[["group", "key", "n", "mean", "ci_low", "ci_high", "band"]].reset_index(drop=True)


def group_sums(
    answers: pd.DataFrame, people: pd.DataFrame, items: pd.DataFrame, scope: str
) -> pd.DataFrame:
    """group, scope, key, n, total, total_sq of the respondents' scores in one scope.

    The same figures as `score_sums_from_answers(..., by=["group"])`, accumulated in one pass
    over the round's answers: a round holds hundreds of answers, not millions, and the review
    page draws its breakdowns on every visit, where pandas' per-call overhead would dominate.
    people: response_id, group (respondents without a group are left out).
    """
    if scope == "cell":
        names = items["factor"].astype(str) + ":" + items["layer"].astype(str)
    else:
        names = items["layer" if scope == "layer" else "factor"].astype(str)
    key_of = dict(zip(items["item_id"].tolist(), names.tolist(), strict=True))
    group_of = dict(zip(people["response_id"].tolist(), people["group"].tolist(), strict=True))
    rated = answers[answers["value"].notna()]
    person: dict[tuple[object, object, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for rid, item, value in zip(
        rated["response_id"].tolist(),
        rated["item_id"].tolist(),
        rated["value"].tolist(),
        strict=True,
    ):
        group, key = group_of.get(rid), key_of.get(item)
        if group is None or key is None:
            continue
        acc = person[(group, rid, key)]
        acc[0] += float(value)
        acc[1] += 1
    scores = {k: total / count for k, (total, count) in person.items()}
    if scope == "health":  # a respondent's index is the mean of their factor scores
        health: dict[tuple[object, object, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (group, rid, _), score in scores.items():
            acc = health[(group, rid, "")]
            acc[0] += score
            acc[1] += 1
        scores = {k: total / count for k, (total, count) in health.items()}
    sums: dict[tuple[object, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for (group, _, key), score in scores.items():
        acc = sums[(group, key)]
        acc[0] += 1
        acc[1] += score
        acc[2] += score * score
    rows = [(g, scope, k, int(n), total, sq) for (g, k), (n, total, sq) in sums.items()]
    return pd.DataFrame(rows, columns=["group", *SUM_COLUMNS])


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
