"""Cached data for a community's pages (review, conversation, report). Streamlit caching lives
here, at the edge; everything it calls is plain store and metrics code."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.instrument_versions import comparable_scopes
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import ScoreKey
from lc_health.metrics import trends
from lc_health.services.round_review import (
    RoundView,
    answered_rounds,
    changes_of,
    factor_frames,
    response_rate,
    round_view,
)
from lc_health.store import dashboard
from lc_health.store.db import read_session
from lc_health.ui.context import app, publish_due, read_engine, t

__all__ = [
    "RoundView",
    "answered_rounds",
    "changes_of",
    "clear",
    "comments",
    "community",
    "comparable_at",
    "factor_frames",
    "pick_round",
    "response_rate",
    "round_view",
]

CACHE_SECONDS = 30


def comparable_at(rounds: pd.DataFrame) -> dict[str, set[ScoreKey]]:
    """For each period where the community's instrument changed: the (scope, key) pairs whose
    statements stayed the same, so a trend line may join across it (nothing, when a version is
    no longer in the registry)."""
    registry = app().registry
    out: dict[str, set[ScoreKey]] = {}
    for period, old, new in trends.instrument_changes(rounds):
        try:
            out[period] = comparable_scopes(registry.get(*old), registry.get(*new))
        except KeyError:
            out[period] = set()
    return out


ROUND_PARAM = "round"
KEPT_ROUND = "_kept_round"  # the round last chosen, for pages reached by a menu link


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS)
def community(database_url: str, community_id: int) -> dashboard.CommunityData:
    """database_url: from ui.context.read_url (primary or read replica), the cache key."""
    publish_due(community_ids=(community_id,))
    with read_session(read_engine(database_url)) as session:
        return dashboard.community_data(session=session, community_id=community_id)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS)
def comments(database_url: str, round_id: int) -> list[str]:  # noqa: ARG001
    """A published round's comments (for its leads)."""
    with read_session(app().engine) as session:
        return dashboard.published_comments(session=session, round_id=round_id)


def clear() -> None:
    """After a write (an action, paper answers), show it at once."""
    community.clear()
    comments.clear()


def pick_round(rounds: pd.DataFrame) -> int:
    """A round selector over rounds with responses (round_id, period); the most recent one by
    default, kept in the URL and across pages."""
    ids = [int(r) for r in rounds["round_id"]]
    labels = dict(zip(ids, rounds["period"], strict=True))
    wanted = st.query_params.get(ROUND_PARAM) or st.session_state.get(KEPT_ROUND)
    index = len(ids) - 1
    if wanted is not None and wanted.isdecimal() and int(wanted) in ids:
        index = ids.index(int(wanted))
    chosen = st.selectbox(
        t("review.round"),
        ids,
        index=index,
        format_func=lambda r: period_label(labels[r]),
        key=f"round_pick_{ids[0]}",
    )
    st.query_params[ROUND_PARAM] = st.session_state[KEPT_ROUND] = str(chosen)
    return int(chosen)
