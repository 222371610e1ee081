"""Synthetic survey answers for many communities at once, drawn with numpy.

Answers follow a simple story per community (a level, a trend over rounds and a profile over
the factors) plus a personal bias and noise, so that means, spreads and changes look like real
data. Everything is drawn from one seeded generator: the same seed gives the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lc_health.domain.instrument import Instrument

DONT_KNOW = 0  # the value code of "don't know" in the answer matrix
DONT_KNOW_SHARE = 0.06
ANSWERED_FORCES_SHARE = 0.95
COMMENT_SHARE = 0.12

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Batch:
    """The responses of a run of consecutive communities, one row per response.

    `values` has one column per instrument item (1..5, DONT_KNOW); `marks` one column per
    facilitating or hindering factor. Rows are grouped by round, rounds in id order.
    """

    round_index: IntArray  # 0-based position of the response's round in the portfolio
    person: IntArray  # 0-based position of the respondent among the portfolio's people
    values: npt.NDArray[np.int8]
    marks: BoolArray
    answered_forces: BoolArray
    commented: BoolArray
    minutes: IntArray  # minutes after the round opened


@dataclass(frozen=True)
class Stories:
    """Per community: level, trend, factor profile, force likelihoods; per person: bias."""

    level: npt.NDArray[np.float64]
    trend: npt.NDArray[np.float64]
    profile: npt.NDArray[np.float64]  # communities x factors
    bias: npt.NDArray[np.float64]  # people
    force_p: npt.NDArray[np.float64]  # communities x forces


def stories(
    rng: np.random.Generator, instrument: Instrument, communities: int, people: int
) -> Stories:
    level = rng.normal(3.4, 0.45, communities)
    facilitating = np.array([f.kind == "facilitating" for f in instrument.forces])
    # Healthier communities recognise more facilitating and fewer hindering factors.
    p_fac = np.clip(0.08 + 0.12 * (level - 2.5), 0.03, 0.45)
    p_hin = np.clip(0.08 + 0.12 * (3.8 - level), 0.03, 0.45)
    return Stories(
        level=level,
        trend=rng.normal(0.0, 0.04, communities),
        profile=rng.normal(0.0, 0.35, (communities, len(instrument.factors))),
        bias=rng.normal(0.0, 0.35, communities * people),
        force_p=np.where(facilitating[None, :], p_fac[:, None], p_hin[:, None]),
    )


def draw_batch(
    rng: np.random.Generator,
    instrument: Instrument,
    story: Stories,
    *,
    first: int,
    count: int,
    rounds: int,
    people: int,
    respondents: int,
) -> Batch:
    """Responses of communities first..first+count-1, every round of each."""
    round_index: list[int] = []
    person: list[int] = []
    spread = max(1, respondents // 5)
    for c in range(first, first + count):
        for k in range(rounds):
            n = int(rng.integers(respondents - spread, respondents + spread + 1))
            chosen = np.sort(rng.choice(people, size=min(n, people), replace=False))
            round_index += [c * rounds + k] * len(chosen)
            person += (c * people + chosen).tolist()
    rounds_of = np.array(round_index, dtype=np.int64)
    persons = np.array(person, dtype=np.int64)
    community = rounds_of // rounds
    wave = rounds_of % rounds
    factor_pos = {f.id: i for i, f in enumerate(instrument.factors)}
    item_factor = np.array([factor_pos[i.factor] for i in instrument.items])
    size = (len(rounds_of), len(instrument.items))
    level = (
        story.level[community, None]
        + story.trend[community, None] * wave[:, None]
        + story.profile[community][:, item_factor]
        + story.bias[persons, None]
        + rng.normal(0.0, 0.8, size)
    )
    values = np.clip(np.rint(level), 1, 5).astype(np.int8)
    values[rng.random(size) < DONT_KNOW_SHARE] = DONT_KNOW
    answered = rng.random(len(rounds_of)) < ANSWERED_FORCES_SHARE
    marks = rng.random((len(rounds_of), len(instrument.forces))) < story.force_p[community]
    marks &= answered[:, None]
    return Batch(
        round_index=rounds_of,
        person=persons,
        values=values,
        marks=marks,
        answered_forces=answered,
        commented=rng.random(len(rounds_of)) < COMMENT_SHARE,
        minutes=rng.integers(0, 40 * 24 * 60, len(rounds_of)),
    )
