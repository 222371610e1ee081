"""A round's published figures, computed from its raw answers under the disclosure policy.

Pure: raw frames in, the figures out. The store writes them once, when the round closes
(store/publication.py); every page, export and the portfolio read only what this returns.
See lc_health.domain.disclosure for the rules; this module applies them in this order:

1. count each response towards the threshold or not (its channel; disclosure.counts_towards);
2. drop every statement with fewer counted ratings than the threshold, with all its answers;
3. score each respondent on what is left (factor, cell, layer; the health index and the layer
   indices only for respondents who scored enough factors: the coverage rule);
4. publish each figure whose counted respondents reach the threshold, and nothing else.

A round holds tens of respondents, not thousands: plain Python over its few hundred answers is
far quicker here than pandas' per-call overhead (a round publishes in milliseconds).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

import numpy as np
import pandas as pd

from lc_health.domain.disclosure import Channel, Policy, shown_groups
from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import CELL, FACTOR, HEALTH, LAYER, cell_key
from lc_health.metrics.breakdowns import REMAINDER
from lc_health.metrics.change import compare, holm, t_quantile, verdicts

ITEM_COLUMNS = ["n1", "n2", "n3", "n4", "n5", "n_dk"]
SCORE_COLUMNS = ["scope", "key", "n", "total", "total_sq", "q1", "median", "q3"]
GROUP_COLUMNS = ["dimension", "category", "scope", "key", "n", "total", "total_sq"]
DIMENSIONS = ("role", "organisation_type")
# Breakdowns show these scopes (the factor table, the layers and the index by group).
GROUP_SCOPES = (HEALTH, LAYER, FACTOR)
NOT_STATED = ""

ScoreKey = tuple[str, str]  # (scope, key)


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
    # (scope, key) -> [(person or None, score)].
    person_scores: dict[ScoreKey, list[tuple[str | None, float]]] = field(repr=False)


def _value(value: Any) -> int | None:
    return None if value is None or value is pd.NA or value != value else int(value)


def _answers(raw: RoundRaw) -> list[tuple[int, str, int | None]]:
    frame = raw.answers
    return [
        (int(rid), str(item), _value(value))
        for rid, item, value in zip(
            frame["response_id"].tolist(),
            frame["item_id"].tolist(),
            frame["value"].astype(object).tolist(),
            strict=True,
        )
    ]


def published_items(
    answers: Iterable[tuple[int, str, int | None]],
    counted: dict[int, bool],
    instrument: Instrument,
    policy: Policy,
) -> set[str]:
    """Statements with at least the threshold of counted ratings (don't know is no rating)."""
    raters: dict[str, int] = defaultdict(int)
    for rid, item, value in answers:
        if value is not None and counted.get(rid, False) and item in instrument.item_by_id:
            raters[item] += 1
    return {item for item, n in raters.items() if policy.passes(n)}


def person_scores(
    answers: Iterable[tuple[int, str, int | None]], instrument: Instrument, policy: Policy
) -> dict[ScoreKey, dict[int, float]]:
    """Each respondent's scores from the answers given: (scope, key) -> {response_id: score}.

    Factor and cell scores are the mean of the respondent's ratings on their statements; a
    layer index is the mean of their ratings in the layer and the health index the mean of
    their factor scores, each only when they scored enough of its factors (coverage rule).
    """
    ratings: dict[ScoreKey, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    layer_factors: dict[tuple[int, str], set[int]] = defaultdict(set)
    for rid, item_id, value in answers:
        item = instrument.item_by_id.get(item_id)
        if item is None or value is None:
            continue
        ratings[(FACTOR, str(item.factor))][rid].append(value)
        ratings[(CELL, cell_key(item.factor, item.layer))][rid].append(value)
        ratings[(LAYER, item.layer)][rid].append(value)
        layer_factors[(rid, item.layer)].add(item.factor)
    asked: dict[str, set[int]] = defaultdict(set)
    for item in instrument.items:
        asked[item.layer].add(item.factor)
    scores: dict[ScoreKey, dict[int, float]] = {}
    for (scope, key), people in ratings.items():
        if scope == LAYER:
            people = {
                rid: values
                for rid, values in people.items()
                if policy.covered(len(layer_factors[(rid, key)]), len(asked[key]))
            }
        scores[(scope, key)] = {rid: fmean(values) for rid, values in people.items()}
    factors: dict[int, list[float]] = defaultdict(list)
    for (scope, _), scored in scores.items():
        if scope == FACTOR:
            for rid, score in scored.items():
                factors[rid].append(score)
    health = {
        rid: fmean(values)
        for rid, values in factors.items()
        if policy.covered(len(values), len(instrument.factors))
    }
    if health:
        scores[(HEALTH, "")] = health
    return scores


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    """Quartiles interpolated linearly between order statistics (as pandas and NumPy do by
    default), without their per-call overhead."""
    ordered = sorted(values)
    last = len(ordered) - 1

    def at(q: float) -> float:
        position = q * last
        below = int(position)
        above = min(below + 1, last)
        return ordered[below] + (ordered[above] - ordered[below]) * (position - below)

    return at(0.25), at(0.5), at(0.75)


def _sums(values: Iterable[float]) -> tuple[int, float, float]:
    """n, sum and sum of squares, each correctly rounded (math.fsum): the same bits whatever
    order the database returned the answers in, so a published figure never depends on it."""
    listed = list(values)
    return len(listed), math.fsum(listed), math.fsum(v * v for v in listed)


def _item_table(answers: Iterable[tuple[int, str, int | None]]) -> pd.DataFrame:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ITEM_COLUMNS, 0))
    for _, item, value in answers:
        counts[item]["n_dk" if value is None else f"n{value}"] += 1
    rows = [(item, *counts[item].values()) for item in sorted(counts)]
    return pd.DataFrame(rows, columns=["item_id", *ITEM_COLUMNS])


def _group_table(
    scores: dict[ScoreKey, dict[int, float]],
    responses: pd.DataFrame,
    counted: dict[int, bool],
    policy: Policy,
) -> pd.DataFrame:
    """Breakdown sums by role and by organisation type, for groups that may be shown."""
    rows: list[tuple[Any, ...]] = []
    ids = [int(r) for r in responses["response_id"].tolist()]
    for dimension in DIMENSIONS:
        group_of = {
            rid: NOT_STATED if g is None or g is pd.NA or g != g else str(g)
            for rid, g in zip(ids, responses[dimension].astype(object).tolist(), strict=True)
        }
        sizes: dict[str, int] = defaultdict(int)
        for rid, group in group_of.items():
            sizes[group] += counted[rid]
        shown, remainder = shown_groups(pd.Series(sizes, dtype="int64"), policy.threshold)
        if not shown:
            continue
        member = {rid: group if group in shown else REMAINDER for rid, group in group_of.items()}
        if remainder == 0:
            member = {rid: group for rid, group in member.items() if group != REMAINDER}
        categories = set(member.values())
        found: list[tuple[Any, ...]] = []
        for (scope, key), people in scores.items():
            if scope not in GROUP_SCOPES:
                continue
            per: dict[str, list[float]] = defaultdict(list)
            per_counted: dict[str, int] = defaultdict(int)
            for rid, score in people.items():
                category = member.get(rid)
                if category is not None:
                    per[category].append(score)
                    per_counted[category] += counted[rid]
            # A key where any group falls short (many don't knows) is left out for every
            # group: with the total published, the missing group's figure would follow.
            if set(per) != categories or not all(policy.passes(per_counted[g]) for g in categories):
                continue
            found += [(dimension, g, scope, key, *_sums(per[g])) for g in sorted(categories)]
        rows += found
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def figures(
    raw: RoundRaw, instrument: Instrument, policy: Policy, *, has_personal_links: bool
) -> Figures:
    """The figures of one round that may be published (see the module docstring)."""
    ids = [int(r) for r in raw.responses["response_id"].tolist()]
    channels = [str(c) for c in raw.responses["channel"].tolist()]
    counted = {
        rid: policy.counts_towards(channel, round_has_personal_links=has_personal_links)
        for rid, channel in zip(ids, channels, strict=True)
    }
    by_channel = {c.value: channels.count(c.value) for c in Channel}
    answers = _answers(raw)
    items = published_items(answers, counted, instrument, policy)
    kept = [a for a in answers if a[1] in items]
    scores = person_scores(kept, instrument, policy)
    table: list[tuple[Any, ...]] = []
    published: dict[ScoreKey, dict[int, float]] = {}
    for (scope, key), people in sorted(scores.items()):
        if not policy.passes(sum(counted[rid] for rid in people)):
            continue
        published[(scope, key)] = people
        values = list(people.values())
        table.append((scope, key, *_sums(values), *_quartiles(values)))
    health = published.get((HEALTH, ""), {})
    # Forces: the question is published when enough counted respondents answered it.
    answered = [
        rid
        for rid, flag in zip(ids, raw.responses["answered_forces"].tolist(), strict=True)
        if flag
    ]
    forces_respondents = 0
    force_rows: list[tuple[str, int]] = []
    if policy.passes(sum(counted[rid] for rid in answered)):
        forces_respondents = len(answered)
        chosen = set(answered)
        marked: dict[str, int] = defaultdict(int)
        for rid, force in zip(
            raw.marks["response_id"].tolist(), raw.marks["force_id"].tolist(), strict=True
        ):
            if int(rid) in chosen:
                marked[str(force)] += 1
        force_rows = sorted(marked.items())
    comments: list[tuple[int, str]] = []
    if policy.comments_pass(sum(counted.values())):
        # Shown in an order unrelated to when they came in.
        pairs = zip(
            raw.comments["response_id"].tolist(), raw.comments["text"].tolist(), strict=True
        )
        comments = sorted(((int(r), str(t)) for r, t in pairs), key=lambda p: (len(p[1]), p[1]))
    person = {
        int(rid): (None if key is None or key is pd.NA or key != key else str(key))
        for rid, key in zip(ids, raw.responses["person"].astype(object).tolist(), strict=True)
    }
    return Figures(
        responses=len(ids),
        by_channel=by_channel,
        counted=sum(counted.values()),
        health_respondents=len(health),
        forces_respondents=forces_respondents,
        scores=pd.DataFrame(table, columns=SCORE_COLUMNS),
        items=_item_table(kept),
        forces=pd.DataFrame(force_rows, columns=["force_id", "n"]),
        groups=_group_table(published, raw.responses, counted, policy),
        comments=comments,
        person_scores={
            scope_key: [(person[rid], score) for rid, score in people.items()]
            for scope_key, people in published.items()
        },
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


def _stats(values: list[float]) -> tuple[int, float, float]:
    n = len(values)
    mean = fmean(values) if n else float("nan")  # fmean sums with math.fsum
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else float("nan")
    return n, mean, var


def change_rows(now: Figures, before: Figures, policy: Policy) -> pd.DataFrame:
    """Published changes between two rounds' figures: scope, key, n_pairs, difference, ci_low,
    ci_high, p_adjusted, status (metrics.change: pairs where at least the threshold of people
    are linked, Holm within each family, and the minimum meaningful size)."""
    stats: list[tuple[Any, ...]] = []
    for scope in CHANGE_FAMILIES:
        keys = sorted(
            {k for s, k in now.person_scores if s == scope}
            | {k for s, k in before.person_scores if s == scope}
        )
        for key in keys:
            a = now.person_scores.get((scope, key), [])
            b = before.person_scores.get((scope, key), [])
            linked_b = {p: v for p, v in b if p is not None}
            pairs = [(v, linked_b[p]) for p, v in a if p is not None and p in linked_b]
            n_pairs, cov = 0, float("nan")
            if policy.pairs_usable(len(pairs)) and len(pairs) >= 2:
                n_pairs = len(pairs)
                mx = fmean(x for x, _ in pairs)
                my = fmean(y for _, y in pairs)
                cov = math.fsum((x - mx) * (y - my) for x, y in pairs) / (n_pairs - 1)
            now_stats, before_stats = _stats([v for _, v in a]), _stats([v for _, v in b])
            stats.append((scope, key, *now_stats, *before_stats, n_pairs, cov))
    if not stats:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    scopes, keys, n1, m1, v1, n2, m2, v2, n_p, cov_p = map(list, zip(*stats, strict=True))
    diff, se, df, p = compare(n1, m1, v1, n2, m2, v2, n_p, cov_p)
    usable = (np.asarray(n1) >= 2) & (np.asarray(n2) >= 2)
    p = np.where(usable, p, np.nan)
    # One quantile call for all families (each is a few Newton steps on the t distribution).
    half = np.where(se > 0, t_quantile(0.975, np.where(se > 0, df, 1.0)) * se, 0.0)
    family = np.asarray(scopes)
    adjusted = np.full(len(stats), np.nan)
    for scope in CHANGE_FAMILIES:
        members = family == scope
        if members.any():
            adjusted[members] = holm(p[members])
    difference = np.where(usable, diff, np.nan)
    status = verdicts(difference, adjusted, min_change=policy.min_change)
    return pd.DataFrame(
        {
            "scope": scopes,
            "key": keys,
            "n_pairs": [int(n) for n in n_p],
            "difference": difference,
            "ci_low": difference - half,
            "ci_high": difference + half,
            "p_adjusted": adjusted,
            "status": [str(x) for x in status],
        },
        columns=CHANGE_COLUMNS,
    )
