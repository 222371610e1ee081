"""A round's published figures, computed from its raw answers under the disclosure policy.

Pure: raw frames in, the figures out. The store writes them once, when the round closes
(store/publication.py); every page, export and the portfolio read only what this returns.
See lc_health.disclosure for the rules; this module applies them in this order:

1. count each response towards the threshold or not (its channel; disclosure.counts_towards);
2. drop every statement with fewer counted ratings than the threshold, with all its answers;
3. score each respondent on what is left (factor, cell, layer; the health index and the layer
   indices only for respondents who scored enough factors: the coverage rule);
4. publish each figure whose counted respondents reach the threshold, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lc_health.disclosure import Channel, Policy
from lc_health.instrument import Instrument
from lc_health.metrics.breakdowns import REMAINDER, shown_groups
from lc_health.scoring import CELL, FACTOR, HEALTH, LAYER, cell_key

ITEM_COLUMNS = ["n1", "n2", "n3", "n4", "n5", "n_dk"]
SCORE_COLUMNS = ["scope", "key", "n", "total", "total_sq", "q1", "median", "q3"]
GROUP_COLUMNS = ["dimension", "category", "scope", "key", "n", "total", "total_sq"]
DIMENSIONS = ("role", "organisation_type")
# Breakdowns show these scopes (the factor table, the layers and the index by group).
GROUP_SCOPES = (HEALTH, LAYER, FACTOR)
NOT_STATED = ""


@dataclass(frozen=True)
class RoundRaw:
    """One round's raw responses, as the store reads them.

    responses: response_id, person (the link's respondent key for personal links, else NA),
    channel, role, organisation_type, answered_forces.
    answers: response_id, item_id, value (Int64; NA = don't know).
    marks: response_id, force_id. comments: response_id, text.
    """

    responses: pd.DataFrame
    answers: pd.DataFrame
    marks: pd.DataFrame
    comments: pd.DataFrame


@dataclass(frozen=True)
class Figures:
    """Everything published of one round."""

    responses: int
    by_channel: dict[str, int]
    counted: int
    health_respondents: int
    forces_respondents: int
    scores: pd.DataFrame  # SCORE_COLUMNS
    items: pd.DataFrame  # item_id, n1..n5, n_dk
    forces: pd.DataFrame  # force_id, n
    groups: pd.DataFrame  # GROUP_COLUMNS
    comments: list[tuple[int, str]]  # (response_id, text), in publication order
    # Respondent-level scores of the published scopes (for changes; never stored):
    # response_id, person, scope, key, score.
    person_scores: pd.DataFrame = field(repr=False)


def _counted(raw: RoundRaw, policy: Policy, has_personal: bool) -> pd.Series:
    """response_id -> whether the response counts towards the threshold."""
    counts = [
        policy.counts_towards(c, round_has_personal_links=has_personal)
        for c in raw.responses["channel"]
    ]
    return pd.Series(counts, index=raw.responses["response_id"].to_numpy(), dtype=bool)


def published_items(
    answers: pd.DataFrame, counted: pd.Series, instrument: Instrument, policy: Policy
) -> set[str]:
    """Statements with at least the threshold of counted ratings (don't know is no rating)."""
    known = answers[answers["item_id"].isin(instrument.item_by_id)]
    rated = known[known["value"].notna()]
    is_counted = rated["response_id"].map(counted).fillna(False).astype(bool)
    raters = rated[is_counted.to_numpy()].groupby("item_id")["response_id"].nunique()
    return {str(item) for item, n in raters.items() if policy.passes(int(n))}


def person_scores(answers: pd.DataFrame, instrument: Instrument, policy: Policy) -> pd.DataFrame:
    """Each respondent's scores from the answers given: response_id, scope, key, score.

    Factor and cell scores are the mean of the respondent's ratings on their statements; a
    layer index is the mean of their ratings in the layer and the health index the mean of
    their factor scores, each only when they scored enough of its factors (coverage rule).
    """
    columns = ["response_id", "scope", "key", "score"]
    items = pd.DataFrame(
        [(i.id, i.factor, i.layer) for i in instrument.items],
        columns=["item_id", "factor", "layer"],
    )
    rated = answers[answers["value"].notna()].merge(items, on="item_id", how="inner")
    if rated.empty:
        return pd.DataFrame(columns=columns)
    rated = rated.assign(value=rated["value"].astype("float64"))
    rated["factor_key"] = rated["factor"].astype(str)
    rated["cell_key"] = [
        cell_key(f, lay) for f, lay in zip(rated["factor"], rated["layer"], strict=True)
    ]
    parts = []
    for scope, by in ((FACTOR, "factor_key"), (CELL, "cell_key"), (LAYER, "layer")):
        means = rated.groupby(["response_id", by])["value"].mean().reset_index()
        parts.append(means.set_axis(["response_id", "key", "score"], axis=1).assign(scope=scope))
    factor_scores = parts[0]
    # Layers: covered when the respondent scored enough of the factors the layer asks about.
    asked = items.groupby("layer")["factor"].nunique()
    scored = rated.groupby(["response_id", "layer"])["factor"].nunique().reset_index()
    scored["enough"] = [
        policy.covered(int(n), int(asked[layer]))
        for n, layer in zip(scored["factor"], scored["layer"], strict=True)
    ]
    enough = scored.loc[scored["enough"], ["response_id", "layer"]].rename(columns={"layer": "key"})
    parts[2] = parts[2].merge(enough, on=["response_id", "key"], how="inner")
    per_person = factor_scores.groupby("response_id")["score"].agg(["mean", "size"])
    covered = per_person[
        [policy.covered(int(n), len(instrument.factors)) for n in per_person["size"]]
    ]
    parts.append(
        pd.DataFrame(
            {"response_id": covered.index, "key": "", "score": covered["mean"].to_numpy()}
        ).assign(scope=HEALTH)
    )
    return pd.concat(parts, ignore_index=True)[columns]


def _sums(scores: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = scores.assign(sq=scores["score"] ** 2).groupby(by, sort=True)
    return grouped.agg(
        n=("score", "size"), total=("score", "sum"), total_sq=("sq", "sum")
    ).reset_index()


def _counted_n(scores: pd.DataFrame, counted: pd.Series, by: list[str]) -> pd.Series:
    flags = scores["response_id"].map(counted).fillna(False).astype(bool)
    return scores[flags.to_numpy()].groupby(by).size()


def _passing(frame: pd.DataFrame, counted_n: pd.Series, by: list[str], policy: Policy) -> pd.Series:
    index = pd.MultiIndex.from_frame(frame[by]) if len(by) > 1 else pd.Index(frame[by[0]])
    n = counted_n.reindex(index).fillna(0).to_numpy()
    return pd.Series(policy.passes_each(n), index=frame.index)


def _score_table(scores: pd.DataFrame, counted: pd.Series, policy: Policy) -> pd.DataFrame:
    if scores.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    by = ["scope", "key"]
    sums = _sums(scores, by)
    quartiles = (
        scores.groupby(by)["score"].quantile(np.array([0.25, 0.5, 0.75])).unstack().reset_index()
    )
    quartiles.columns = [*by, "q1", "median", "q3"]
    table = sums.merge(quartiles, on=by)
    keep = _passing(table, _counted_n(scores, counted, by), by, policy)
    return table[keep.to_numpy()][SCORE_COLUMNS].reset_index(drop=True)


def _item_table(answers: pd.DataFrame) -> pd.DataFrame:
    if answers.empty:
        return pd.DataFrame(columns=["item_id", *ITEM_COLUMNS])
    values = answers["value"]
    column = np.where(values.isna(), "n_dk", "n" + values.astype("string").fillna(""))
    counts = pd.crosstab(answers["item_id"].to_numpy(), column)
    counts = counts.reindex(columns=ITEM_COLUMNS, fill_value=0).astype(int)
    counts.index.name = "item_id"
    return counts.reset_index()


def _group_table(
    scores: pd.DataFrame,
    responses: pd.DataFrame,
    counted: pd.Series,
    policy: Policy,
) -> pd.DataFrame:
    """Breakdown sums by role and by organisation type, for groups that may be shown."""
    parts = []
    chosen = scores[scores["scope"].isin(GROUP_SCOPES)]
    for dimension in DIMENSIONS:
        people = responses[["response_id", dimension]].rename(columns={dimension: "category"})
        people["category"] = people["category"].fillna(NOT_STATED).astype(str)
        people["counted"] = people["response_id"].map(counted).fillna(False).astype(bool)
        sizes = people[people["counted"]].groupby("category").size()
        shown, remainder = shown_groups(sizes, policy.threshold)
        if not shown:
            continue
        people.loc[~people["category"].isin(shown), "category"] = REMAINDER
        if remainder == 0:
            people = people[people["category"] != REMAINDER]
        with_group = chosen.merge(people[["response_id", "category"]], on="response_id")
        by = ["category", "scope", "key"]
        sums = _sums(with_group, by)
        keep = _passing(sums, _counted_n(with_group, counted, by), by, policy)
        # A key where any group falls short (many don't knows) is left out for every group:
        # with the total published, the missing group's figure would follow from the others.
        groups = set(people["category"])
        complete = sums[keep.to_numpy()].groupby(["scope", "key"])["category"].nunique()
        full = {k for k, n in complete.items() if n == len(groups)}
        in_full = [(s, k) in full for s, k in zip(sums["scope"], sums["key"], strict=True)]
        parts.append(sums[np.asarray(in_full, dtype=bool)].assign(dimension=dimension))
    if not parts:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    return pd.concat(parts, ignore_index=True)[GROUP_COLUMNS]


def figures(
    raw: RoundRaw, instrument: Instrument, policy: Policy, *, has_personal_links: bool
) -> Figures:
    """The figures of one round that may be published (see the module docstring)."""
    counted = _counted(raw, policy, has_personal_links)
    channels = raw.responses["channel"].astype(str)
    by_channel = {c.value: int((channels == c.value).sum()) for c in Channel}
    items = published_items(raw.answers, counted, instrument, policy)
    kept = raw.answers[raw.answers["item_id"].isin(items)]
    scores = person_scores(kept, instrument, policy)
    table = _score_table(scores, counted, policy)
    published = set(zip(table["scope"], table["key"], strict=True))
    in_table = [(s, k) in published for s, k in zip(scores["scope"], scores["key"], strict=True)]
    scores = scores[np.asarray(in_table, dtype=bool)].reset_index(drop=True)
    health_n = table.loc[table["scope"] == HEALTH, "n"]
    # Forces: the question is published when enough counted respondents answered it.
    answered = raw.responses.loc[raw.responses["answered_forces"].astype(bool), "response_id"]
    forces_counted = int(counted.reindex(answered).fillna(False).sum())
    if policy.passes(forces_counted):
        forces_respondents = len(answered)
        marks = raw.marks[raw.marks["response_id"].isin(answered)]
        forces = marks.groupby("force_id").size().rename("n").reset_index()
    else:
        forces_respondents = 0
        forces = pd.DataFrame(columns=["force_id", "n"])
    comments: list[tuple[int, str]] = []
    if policy.comments_pass(int(counted.sum())):
        # Shown in an order unrelated to when they came in.
        ordered = sorted(
            zip(raw.comments["response_id"], raw.comments["text"], strict=True),
            key=lambda pair: (len(pair[1]), pair[1]),
        )
        comments = [(int(rid), str(text)) for rid, text in ordered]
    person = raw.responses.set_index("response_id")["person"]
    return Figures(
        responses=len(raw.responses),
        by_channel=by_channel,
        counted=int(counted.sum()),
        health_respondents=int(health_n.iloc[0]) if len(health_n) else 0,
        forces_respondents=forces_respondents,
        scores=table,
        items=_item_table(kept).sort_values("item_id", ignore_index=True),
        forces=forces.sort_values("force_id", ignore_index=True),
        groups=_group_table(scores, raw.responses, counted, policy),
        comments=comments,
        person_scores=scores.assign(person=scores["response_id"].map(person)),
    )


def restrict(raw: RoundRaw, items: set[str] | frozenset[str]) -> RoundRaw:
    """The same round with only these statements' answers (e.g. those two versions share)."""
    answers = raw.answers[raw.answers["item_id"].isin(items)].reset_index(drop=True)
    return RoundRaw(raw.responses, answers, raw.marks, raw.comments)


# Each family of tests is corrected for its own size: the twelve factors (the agenda of the
# conversation) and the four layers; the health index is one test of its own.
CHANGE_FAMILIES = (FACTOR, LAYER, HEALTH)
CHANGE_COLUMNS = [
    "scope",
    "key",
    "n_pairs",
    "difference",
    "ci_low",
    "ci_high",
    "p_adjusted",
    "status",
]


def _scores_of(found: Figures, scope: str) -> pd.DataFrame:
    frame = found.person_scores[found.person_scores["scope"] == scope]
    return frame[["person", "key", "score"]].reset_index(drop=True)


def change_rows(now: Figures, before: Figures, policy: Policy) -> pd.DataFrame:
    """Published changes between two rounds' figures: scope, key, n_pairs, difference, ci_low,
    ci_high, p_adjusted, status (metrics.change: pairs where people are linked, Holm within
    each family, and a minimum meaningful size)."""
    from lc_health.metrics.change import change_table

    parts = []
    for scope in CHANGE_FAMILIES:
        table = change_table(
            _scores_of(now, scope),
            _scores_of(before, scope),
            min_change=policy.min_change,
            min_pairs=policy.threshold,
        )
        parts.append(table.assign(scope=scope))
    out = pd.concat(parts, ignore_index=True)
    return out[CHANGE_COLUMNS]
