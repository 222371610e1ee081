"""Simulated quarters to check change.py's verdicts: how often they cry wolf, how often they
see a real change. Used by tests/test_change_simulation.py and scripts/simulate_change.py.

Generating model (per simulated quarter, two rounds, every factor):
- each person has a true score per factor: the factor's mean + a person effect (sd 0.7);
- each round adds an occasion effect per person and factor (sd 0.4, so a factor score's
  correlation between two quarters is about 0.66, within the 0.6-0.8 usual for attitude
  scales re-asked after months), and each statement a
  little noise of its own (sd 0.4); every answer is rounded to 1..5 and clipped; a person's
  factor score is the mean of the factor's statements (two, as for most factors);
- 20 people answer each round; 80% of them (16) answer both rounds through their personal
  link and are linked; the other 4 of each round are different people, not linkable;
- factor means spread evenly from 3.0 to 4.0 (around 3.5);
- optionally one factor's true score rises by `shift` for everyone in the second round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lc_health.metrics.change import (
    ALPHA,
    MIN_CHANGE,
    MIN_PAIRS,
    NO_CLEAR_CHANGE,
    compare,
    holm,
    verdicts,
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Setup:
    """The simulation's parameters (the defaults are the ones docs/statistics.md reports)."""

    factors: int = 12
    respondents: int = 20
    linked_share: float = 0.8
    statements: int = 2
    person_sd: float = 0.7
    occasion_sd: float = 0.4
    statement_sd: float = 0.4
    mean_low: float = 3.0
    mean_high: float = 4.0
    shift: float = 0.0
    shifted_factor: int = 5

    @property
    def linked(self) -> int:
        return round(self.respondents * self.linked_share)

    @property
    def factor_means(self) -> FloatArray:
        return np.linspace(self.mean_low, self.mean_high, self.factors)


@dataclass(frozen=True)
class Quarters:
    """Respondent scores of simulated quarters: before and now have shape
    (quarters, factors, respondents); the first `linked` respondents of both are the same
    people, linked."""

    before: FloatArray
    now: FloatArray
    linked: int


def _answers(rng: np.random.Generator, true: FloatArray, setup: Setup) -> FloatArray:
    occasion = rng.normal(0.0, setup.occasion_sd, true.shape)
    noise = rng.normal(0.0, setup.statement_sd, (*true.shape, setup.statements))
    answers = np.clip(np.rint((true + occasion)[..., None] + noise), 1.0, 5.0)
    scores: FloatArray = answers.mean(axis=-1)
    return scores


def simulate(rng: np.random.Generator, quarters: int, setup: Setup) -> Quarters:
    """Draw `quarters` independent quarters (before and now) under `setup`."""
    k, n, linked = setup.factors, setup.respondents, setup.linked
    means = setup.factor_means[None, :, None]
    linked_true = means + rng.normal(0.0, setup.person_sd, (quarters, k, linked))
    before_new = means + rng.normal(0.0, setup.person_sd, (quarters, k, n - linked))
    now_new = means + rng.normal(0.0, setup.person_sd, (quarters, k, n - linked))
    before_true = np.concatenate([linked_true, before_new], axis=-1)
    now_true = np.concatenate([linked_true, now_new], axis=-1)
    now_true[:, setup.shifted_factor, :] += setup.shift
    return Quarters(
        before=_answers(rng, before_true, setup),
        now=_answers(rng, now_true, setup),
        linked=linked,
    )


def statuses(
    sim: Quarters,
    *,
    min_change: float = MIN_CHANGE,
    alpha: float = ALPHA,
    min_pairs: int = MIN_PAIRS,
    adjust: bool = True,
) -> npt.NDArray[np.str_]:
    """The verdict per quarter and factor, by change.py's own functions (what change_table
    gives for each quarter, computed for all quarters at once). adjust=False skips Holm, to
    show what it prevents."""
    now, before, linked = sim.now, sim.before, sim.linked
    n1, n2 = now.shape[-1], before.shape[-1]
    pairs = linked if linked >= min_pairs else 0
    if pairs:
        x, y = now[..., :pairs], before[..., :pairs]
        cov = ((x - x.mean(-1, keepdims=True)) * (y - y.mean(-1, keepdims=True))).sum(-1)
        cov = cov / (pairs - 1)
    else:
        cov = np.full(now.shape[:-1], np.nan)
    diff, _, _, p = compare(
        n1,
        now.mean(-1),
        now.var(-1, ddof=1),
        n2,
        before.mean(-1),
        before.var(-1, ddof=1),
        pairs,
        cov,
    )
    return verdicts(diff, holm(p) if adjust else p, min_change=min_change, alpha=alpha)


def rates(sim: Quarters, setup: Setup) -> tuple[float, float]:
    """(share of quarters with any verdict other than no_clear_change, share of quarters where
    the shifted factor is improved)."""
    found = statuses(sim)
    any_flag = float((found != NO_CLEAR_CHANGE).any(axis=-1).mean())
    power = float((found[:, setup.shifted_factor] == "improved").mean())
    return any_flag, power


def quarter_frames(sim: Quarters, quarter: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One simulated quarter as change_table's input (now, before): person, key, score.
    Linked people share a person key; the others have none."""

    def frame(scores: FloatArray, round_name: str) -> pd.DataFrame:
        k, n = scores.shape[1], scores.shape[2]
        person = [f"p{i}" if i < sim.linked else None for i in range(n)] * k
        keys = [f"{f + 1:02d}" for f in range(k) for _ in range(n)]
        out = pd.DataFrame({"person": person, "key": keys, "score": scores[quarter].reshape(-1)})
        out["person"] = out["person"].astype("object")
        return out.assign(round=round_name).drop(columns="round")

    return frame(sim.now, "now"), frame(sim.before, "before")
