"""Per-round tallies of a whole batch of responses at once: the sums lc_health.store.tallies
keeps one submission at a time, computed with numpy over the answer matrix.

tests/test_bench.py checks the result against a from-scratch aggregation of the stored answers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from lc_health.bench.synth import DONT_KNOW, Batch
from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import CELL, FACTOR, HEALTH, LAYER, cell_key

Rows = list[tuple[Any, ...]]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class TallyRows:
    """Rows for roundtally, itemtally, scoretally and forcetally, in their column order."""

    rounds: Rows  # round_id, responses, forces_respondents, raw_purged
    items: Rows  # round_id, item_id, n1..n5, n_dk
    scores: Rows  # round_id, scope, key, n, total, total_sq
    forces: Rows  # round_id, force_id, n


def _scope_columns(instrument: Instrument) -> dict[tuple[str, str], list[int]]:
    """The item columns behind every factor, layer and cell key."""
    columns: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, item in enumerate(instrument.items):
        columns[(FACTOR, str(item.factor))].append(j)
        columns[(LAYER, item.layer)].append(j)
        columns[(CELL, cell_key(item.factor, item.layer))].append(j)
    return dict(columns)


def _mean_over(rated: FloatArray, answered: FloatArray, cols: list[int]) -> FloatArray:
    """Each respondent's mean over some columns, NaN where they rated none of them."""
    count = answered[:, cols].sum(axis=1)
    total = rated[:, cols].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def tally_rows(batch: Batch, round_ids: npt.NDArray[np.int64], instrument: Instrument) -> TallyRows:
    """Tallies of every round in the batch. round_ids maps a round index to its id."""
    present, local = np.unique(batch.round_index, return_inverse=True)
    ids = round_ids[present].tolist()
    nrounds = len(present)
    answered = (batch.values != DONT_KNOW).astype(np.float64)
    rated = batch.values.astype(np.float64) * answered

    responses = np.bincount(local, minlength=nrounds)
    with_forces = np.bincount(local, weights=batch.answered_forces, minlength=nrounds)
    rounds: Rows = [
        (rid, int(n), int(f), False)
        for rid, n, f in zip(ids, responses.tolist(), with_forces.tolist(), strict=True)
    ]

    # Answer counts: one bin per round, item and value code (0 = don't know, 1..5).
    nitems = len(instrument.items)
    code = (local[:, None] * nitems + np.arange(nitems)[None, :]) * 6 + batch.values
    counts = np.bincount(code.ravel(), minlength=nrounds * nitems * 6).reshape(nrounds, nitems, 6)
    items: Rows = [
        (rid, item.id, *(int(x) for x in counts[r, j, 1:]), int(counts[r, j, 0]))
        for r, rid in enumerate(ids)
        for j, item in enumerate(instrument.items)
        if counts[r, j].any()
    ]

    scores_by_key: dict[tuple[str, str], FloatArray] = {
        key: _mean_over(rated, answered, cols) for key, cols in _scope_columns(instrument).items()
    }
    factor_scores = np.column_stack(
        [v for (scope, _), v in scores_by_key.items() if scope == FACTOR]
    )
    has_factor = ~np.isnan(factor_scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        health = np.where(
            has_factor.any(axis=1),
            np.where(has_factor, factor_scores, 0.0).sum(axis=1) / has_factor.sum(axis=1),
            np.nan,
        )
    scores_by_key[(HEALTH, "")] = health
    sums: list[tuple[tuple[str, str], list[int], list[float], list[float]]] = []
    for key, score in sorted(scores_by_key.items()):
        has = ~np.isnan(score)
        value = np.where(has, score, 0.0)
        n = np.bincount(local, weights=has, minlength=nrounds)
        total = np.bincount(local, weights=value, minlength=nrounds)
        total_sq = np.bincount(local, weights=value * value, minlength=nrounds)
        sums.append((key, n.astype(int).tolist(), total.tolist(), total_sq.tolist()))
    scores: Rows = [
        (rid, scope, key, n[r], total[r], total_sq[r])
        for r, rid in enumerate(ids)
        for (scope, key), n, total, total_sq in sums
        if n[r] > 0
    ]

    # Responses come grouped by round, so each round is one contiguous run of rows.
    starts = np.flatnonzero(np.r_[True, np.diff(local) != 0])
    force_counts = np.add.reduceat(batch.marks.astype(np.int64), starts, axis=0)
    forces: Rows = [
        (rid, force.id, int(force_counts[r, j]))
        for r, rid in enumerate(ids)
        for j, force in enumerate(instrument.forces)
        if force_counts[r, j] > 0
    ]
    return TallyRows(rounds=rounds, items=items, scores=scores, forces=forces)
