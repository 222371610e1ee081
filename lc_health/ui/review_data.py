"""Cached data for a community's pages (review, conversation, report). Streamlit caching lives
here, at the edge; everything it calls is plain store and metrics code."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lc_health.db import read_session
from lc_health.instrument import Instrument
from lc_health.metrics import review
from lc_health.periods import period_label
from lc_health.store import dashboard
from lc_health.store import responses as rstore
from lc_health.ui.context import app, t

CACHE_SECONDS = 30
ROUND_PARAM = "round"


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS)
def community(database_url: str, community_id: int) -> dashboard.CommunityData:  # noqa: ARG001
    with read_session(app().engine) as session:
        return dashboard.community_data(session=session, community_id=community_id)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS)
def round_raw(
    database_url: str,  # noqa: ARG001
    round_id: int,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """One round's answers, profiles and comments (for breakdowns and the comment list)."""
    with read_session(app().engine) as session:
        return (
            rstore.round_answers(session=session, round_id=round_id),
            rstore.round_profiles(session=session, round_id=round_id),
            rstore.round_comments(session=session, round_id=round_id),
        )


def clear() -> None:
    """After a write (an action, paper answers), show it at once."""
    community.clear()
    round_raw.clear()


@dataclass(frozen=True)
class RoundView:
    """A round of one community with its predecessor, in the shapes the pages need."""

    round_id: int
    period: str
    responses: int
    previous_id: int | None
    previous_period: str | None
    scores: pd.DataFrame
    previous_scores: pd.DataFrame
    items: pd.DataFrame
    forces: pd.DataFrame
    previous_forces: pd.DataFrame | None
    force_respondents: int
    previous_force_respondents: int


def answered_rounds(data: dashboard.CommunityData) -> pd.DataFrame:
    """The community's rounds with at least one response, oldest first."""
    rounds = data.rounds[data.rounds["responses"] > 0]
    return rounds.sort_values("period").reset_index(drop=True)


def round_view(data: dashboard.CommunityData, round_id: int) -> RoundView:
    rounds = answered_rounds(data)
    position = rounds.index[rounds["round_id"] == round_id][0]
    current = rounds.loc[position]
    previous = rounds.loc[position - 1] if position > 0 else None

    def of(frame: pd.DataFrame, rid: int | None) -> pd.DataFrame:
        if rid is None:
            return frame.iloc[0:0].drop(columns="round_id")
        return frame[frame["round_id"] == rid].drop(columns="round_id").reset_index(drop=True)

    def respondents(rid: int | None) -> int:
        row = data.force_respondents[data.force_respondents["round_id"] == rid]
        return int(row["forces_respondents"].iloc[0]) if len(row) else 0

    previous_id = int(previous["round_id"]) if previous is not None else None
    return RoundView(
        round_id=int(round_id),
        period=str(current["period"]),
        responses=int(current["responses"]),
        previous_id=previous_id,
        previous_period=str(previous["period"]) if previous is not None else None,
        scores=of(data.scores, round_id),
        previous_scores=of(data.scores, previous_id),
        items=of(data.items, round_id),
        forces=of(data.forces, round_id),
        previous_forces=of(data.forces, previous_id) if previous_id else None,
        force_respondents=respondents(round_id),
        previous_force_respondents=respondents(previous_id),
    )


def factor_frames(
    view: RoundView, instrument: Instrument, threshold: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The factor table and its change since the previous round."""
    factors = review.factor_table(view.scores, view.items, instrument, threshold)
    changes = review.change(view.scores, view.previous_scores, "factor", threshold)
    return factors, changes


def response_rate(data: dashboard.CommunityData, view: RoundView) -> float | None:
    """Responses through personal links as a share of the community's active personal links."""
    if data.personal_links == 0:
        return None
    row = data.personal_responses[data.personal_responses["round_id"] == view.round_id]
    personal = int(row["responses"].iloc[0]) if len(row) else 0
    return personal / data.personal_links


def pick_round(rounds: pd.DataFrame) -> int:
    """A round selector over rounds with responses (round_id, period); the most recent one by
    default, kept in the URL."""
    ids = [int(r) for r in rounds["round_id"]]
    labels = dict(zip(ids, rounds["period"], strict=True))
    wanted = st.query_params.get(ROUND_PARAM)
    index = len(ids) - 1
    if wanted is not None and wanted.isdigit() and int(wanted) in ids:
        index = ids.index(int(wanted))
    chosen = st.selectbox(
        t("review.round"),
        ids,
        index=index,
        format_func=lambda r: period_label(labels[r]),
        key=f"round_pick_{ids[0]}",
    )
    st.query_params[ROUND_PARAM] = str(chosen)
    return int(chosen)
