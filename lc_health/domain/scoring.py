"""One respondent's scores: per factor, per layer, per factor x layer cell, and the health index.

A score is the mean of the respondent's ratings on the scope's items; "don't know" answers are
left out, and a scope with no rating has no score. The health index gives each factor the same
weight: it is the mean of the respondent's factor scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from statistics import fmean

from lc_health.domain.instrument import Instrument

HEALTH = "health"
LAYER = "layer"
FACTOR = "factor"
CELL = "cell"
SCOPES: tuple[str, ...] = (HEALTH, LAYER, FACTOR, CELL)

Answers = Mapping[str, int | None]
ScoreKey = tuple[str, str]  # (scope, key)


def cell_key(factor_id: int, layer: str) -> str:
    return f"{factor_id}:{layer}"


def respondent_scores(answers: Answers, instrument: Instrument) -> dict[ScoreKey, float]:
    """Scores of one respondent by (scope, key); unknown item ids are ignored."""
    buckets: dict[ScoreKey, list[int]] = defaultdict(list)
    for item_id, value in answers.items():
        item = instrument.item_by_id.get(item_id)
        if item is None or value is None:
            continue
        buckets[(FACTOR, str(item.factor))].append(value)
        buckets[(LAYER, item.layer)].append(value)
        buckets[(CELL, cell_key(item.factor, item.layer))].append(value)
    scores = {key: fmean(values) for key, values in buckets.items()}
    factor_scores = [v for (scope, _), v in scores.items() if scope == FACTOR]
    if factor_scores:
        scores[(HEALTH, "")] = fmean(factor_scores)
    return scores
