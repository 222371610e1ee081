"""The live session's picture: the twelve factors over the sheets published so far, as the
projector shows them, and that picture as the exact bytes the projector receives.

Input: the published sheets, each a mapping factor -> 1..5 or 0 (don't know); a tied session's
sheet has the phone's factor score there (the mean of its item answers, so maybe 3.5): its mean
and spread use the score itself, its bar the nearest answer (3.5 counts as 4). Output per
factor: n (answers other than don't know), n_dk, n1..n5, mean (one decimal, as shown), band,
sd, disagreement (the round review's rule: metrics.review), suppressed (fewer than the
threshold answered it: no figures at all).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lc_health.domain.disclosure import hidden, shown
from lc_health.domain.live import DONT_KNOW, FACTORS
from lc_health.metrics.core import summarise_sums
from lc_health.metrics.review import POLARISED_SHARE, WIDE_SD, attention_order

PICTURE_COLUMNS = [
    "factor",
    "n",
    "n_dk",
    "n1",
    "n2",
    "n3",
    "n4",
    "n5",
    "mean",
    "band",
    "sd",
    "disagreement",
    "suppressed",
]


def bar(value: float) -> int:
    """The answer a score counts as in the bars: the nearest of 1..5, halves up."""
    return min(5, max(1, math.floor(value + 0.5)))


def _values(sheets: Iterable[Mapping[int, float]]) -> dict[int, list[float]]:
    """Per factor the scores given (don't know left out)."""
    out: dict[int, list[float]] = {f: [] for f in FACTORS}
    for sheet in sheets:
        for factor, value in sheet.items():
            if factor in FACTORS and DONT_KNOW < value <= 5:
                out[factor].append(float(value))
    return out


def counts(sheets: Iterable[Mapping[int, float]]) -> pd.DataFrame:
    """factor, n_dk, n1..n5: how often each answer was given per factor."""
    table = np.zeros((len(FACTORS), 6), dtype=int)
    for sheet in sheets:
        for factor, value in sheet.items():
            if factor in FACTORS and DONT_KNOW <= value <= 5:
                table[factor - 1, 0 if value == DONT_KNOW else bar(value)] += 1
    frame = pd.DataFrame(table, columns=["n_dk", "n1", "n2", "n3", "n4", "n5"])
    frame.insert(0, "factor", list(FACTORS))
    return frame


def picture(sheets: Iterable[Mapping[int, float]], threshold: int) -> pd.DataFrame:
    """The room's picture (PICTURE_COLUMNS), one row per factor in factor order; a suppressed
    factor keeps its counts out (zero) and has no mean, band or spread. Sums are exact
    (math.fsum), so the figures never depend on the order of the sheets."""
    listed = list(sheets)
    frame = counts(listed)
    values = _values(listed)
    sums = pd.DataFrame(
        {
            "key": frame["factor"],
            "n": [len(values[f]) for f in FACTORS],
            "total": [math.fsum(values[f]) for f in FACTORS],
            "total_sq": [math.fsum(v * v for v in values[f]) for f in FACTORS],
        }
    )
    summary = summarise_sums(sums, threshold)
    out = frame.assign(
        n=summary["n"].astype(int),
        mean=summary["mean"].map(shown),
        band=summary["band"].astype(object).where(summary["band"].notna(), None),
        sd=summary["sd"],
        suppressed=hidden(summary["n"], threshold),
    )
    answered = out["n"].where(out["n"] > 0)
    low = (out["n1"] + out["n2"]) / answered
    high = (out["n4"] + out["n5"]) / answered
    wide = (out["sd"] >= WIDE_SD) | ((low >= POLARISED_SHARE) & (high >= POLARISED_SHARE))
    out["disagreement"] = (~out["suppressed"] & wide.fillna(False)).astype(bool)
    for column in ("n_dk", "n1", "n2", "n3", "n4", "n5"):
        out[column] = out[column].where(~out["suppressed"], 0)
    out["sd"] = out["sd"].round(2)
    return out[PICTURE_COLUMNS]


def proposal(frame: pd.DataFrame) -> list[int]:
    """The factors to discuss, most urgent first (metrics.review.attention_order: concerns,
    then disagreement, then worth discussing; a live session has no earlier round to decline
    from)."""
    changes = pd.DataFrame({"key": pd.Series(dtype=str), "status": [], "difference": []})
    return attention_order(frame, changes)


def payload(frame: pd.DataFrame, *, sheets: int) -> bytes:
    """What the projector receives: the picture of `sheets` published sheets as canonical
    JSON (sorted keys, no spaces). The projector draws only from these bytes."""
    rows = []
    for row in frame.to_dict("records"):
        rows.append(
            {
                "factor": int(row["factor"]),
                "suppressed": bool(row["suppressed"]),
                "n": int(row["n"]),
                "n_dk": int(row["n_dk"]),
                "counts": [int(row[f"n{v}"]) for v in range(1, 6)],
                "mean": None if row["mean"] is None or pd.isna(row["mean"]) else row["mean"],
                "band": row["band"],
                "disagreement": bool(row["disagreement"]),
            }
        )
    body = {"sheets": sheets, "factors": rows, "proposed": proposal(frame)}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_payload(data: str | bytes) -> dict[str, Any]:
    """The projector's figures back from their bytes."""
    loaded = json.loads(data)
    if not isinstance(loaded, dict):
        raise ValueError("a live picture is a JSON object")
    return loaded


def ordered(proposed: Sequence[int], chosen: Sequence[int]) -> list[int]:
    """The facilitator's order when there is one (only factors 1..12, each once), else the
    proposal."""
    seen: list[int] = []
    for factor in chosen or proposed:
        if factor in FACTORS and factor not in seen:
            seen.append(int(factor))
    return seen
