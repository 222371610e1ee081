"""The shared round-review context: a published round of one community with the published round
before it, in the shapes the lead's review, the policy maker's drill-down, the conversation,
the exports and the CLI need. Plain data (no Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lc_health.domain.instrument import Instrument
from lc_health.metrics import review
from lc_health.store import dashboard


@dataclass(frozen=True)
class RoundView:
    """A published round of one community with the published round before it, in the shapes
    the pages need."""

    round_id: int
    period: str
    responses: int
    publication: pd.Series  # the round's row of CommunityData.publications
    previous_id: int | None
    previous_period: str | None
    scores: pd.DataFrame
    previous_scores: pd.DataFrame
    items: pd.DataFrame
    forces: pd.DataFrame
    previous_forces: pd.DataFrame | None
    force_respondents: int
    previous_force_respondents: int
    changes: pd.DataFrame  # scope, key, n_pairs, difference, ci_low, ci_high, p_adjusted, status
    groups: pd.DataFrame  # dimension, category, scope, key, n, total, total_sq


def answered_rounds(data: dashboard.CommunityData) -> pd.DataFrame:
    """The community's published rounds with at least one response, oldest first."""
    published = data.publications.loc[data.publications["responses"] > 0, ["round_id"]]
    rounds = data.rounds.merge(published, on="round_id")
    return rounds.sort_values("period").reset_index(drop=True)


def round_view(data: dashboard.CommunityData, round_id: int) -> RoundView:
    publications = data.publications.set_index("round_id", drop=False)
    current = publications.loc[publications["round_id"] == round_id].iloc[0]
    periods = dict(zip(data.rounds["round_id"], data.rounds["period"], strict=True))
    forces_respondents = dict(
        zip(publications["round_id"], publications["forces_respondents"], strict=True)
    )
    previous = current["previous_round_id"]
    previous_id: int | None = None if pd.isna(previous) else int(previous)

    def of(frame: pd.DataFrame, rid: int | None) -> pd.DataFrame:
        if rid is None:
            return frame.iloc[0:0].drop(columns="round_id")
        return frame[frame["round_id"] == rid].drop(columns="round_id").reset_index(drop=True)

    def respondents(rid: int | None) -> int:
        return int(forces_respondents.get(rid, 0))

    return RoundView(
        round_id=int(round_id),
        period=str(periods[round_id]),
        responses=int(current["responses"]),
        publication=current,
        previous_id=previous_id,
        previous_period=str(periods[previous_id]) if previous_id is not None else None,
        scores=of(data.scores, round_id),
        previous_scores=of(data.scores, previous_id),
        items=of(data.items, round_id),
        forces=of(data.forces, round_id),
        previous_forces=of(data.forces, previous_id) if previous_id else None,
        force_respondents=respondents(round_id),
        previous_force_respondents=respondents(previous_id),
        changes=of(data.changes, round_id),
        groups=of(data.groups, round_id),
    )


def changes_of(view: RoundView, scope: str) -> pd.DataFrame:
    """The published changes of one scope with the two rounds' published means: key, mean,
    previous, difference, ci_low, ci_high, n_pairs, status."""
    now = review.scope_means(view.scores, scope)
    before = review.scope_means(view.previous_scores, scope)
    found = view.changes[view.changes["scope"] == scope].drop(columns="scope")
    out = found.merge(now, on="key", how="left").merge(
        before.rename(columns={"mean": "previous"}), on="key", how="left"
    )
    columns = ["key", "mean", "previous", "difference", "ci_low", "ci_high", "n_pairs", "status"]
    return out[columns].reset_index(drop=True)


def factor_frames(
    view: RoundView, instrument: Instrument, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The factor table and its published change since the previous round."""
    factors = review.factor_table(view.scores, view.items, instrument, threshold)
    return factors, changes_of(view, "factor")


def response_rate(view: RoundView) -> float | None:
    """Responses through personal links as a share of the personal links that were valid during
    the round (fixed at publication); for an open-link round, responses as a share of the
    expected headcount when one was entered. Never above 1."""
    pub = view.publication
    invited = int(pub["invited"])
    if invited > 0:
        return min(1.0, int(pub["personal"]) / invited)
    expected = pub["expected_headcount"]
    if pd.isna(expected) or int(expected) <= 0:
        return None
    return min(1.0, int(pub["responses"]) / int(expected))
