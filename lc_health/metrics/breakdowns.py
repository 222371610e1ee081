"""Breakdowns of a round by respondent group (role, organisation type), with the remainder rule:
a group is shown only when it and everyone not shown (the remainder) each have at least the
threshold of respondents, so no hidden group can be worked out by subtracting shown ones from
the total."""

from __future__ import annotations

import pandas as pd

from lc_health.metrics.core import score_sums_from_answers, summarise_sums

REMAINDER = "__rest__"


def shown_groups(sizes: pd.Series, threshold: int) -> tuple[list[str], int]:
    """Which groups may be shown, and how many respondents form the remainder.

    sizes: respondents per group (index = group). Small groups go to the remainder; if the
    remainder is then non-empty but below the threshold, the smallest shown groups join it until
    it is large enough (or nothing is shown).
    """
    # Largest first; ties by name, so the outcome does not depend on the input order.
    ordered = sizes.sort_index().sort_values(ascending=False, kind="stable")
    shown = [str(g) for g, n in ordered.items() if n >= threshold]
    remainder = int(ordered.sum() - ordered[shown].sum()) if shown else int(ordered.sum())
    while shown and 0 < remainder < threshold:
        smallest = shown.pop()
        remainder += int(ordered[smallest])
    return shown, remainder


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
    sums = score_sums_from_answers(
        answers.merge(people, on="response_id"), items, by=["group"], scopes=[scope]
    )
    out = summarise_sums(sums, threshold)
    # A group can fall below the threshold on one key (many don't-know answers). Then that key
    # is left out for every group: with the total shown elsewhere, the hidden group's figure
    # could otherwise be worked out from the others.
    groups = set(people["group"])
    complete = out[~out["suppressed"]].groupby("key")["group"].nunique() == len(groups)
    keep = set(complete[complete].index)
    out = out[out["key"].isin(keep)]
    return out[["group", "key", "n", "mean", "ci_low", "ci_high", "band"]].reset_index(drop=True)
