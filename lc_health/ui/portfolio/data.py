"""Cached portfolio data, read from the published figures in a few narrow queries: the selected
period's factor, layer and health means; health and layer means over all periods; forces summed
in the database; and participation. Nothing is loaded that the page does not show. The reads
themselves are plain functions in documents.portfolio_export (the exports use them too)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.documents import portfolio_export
from lc_health.documents.portfolio_export import PortfolioData, with_previous
from lc_health.store.db import read_session
from lc_health.ui.context import app, read_engine

__all__ = ["PortfolioData", "force_totals", "load", "period_means", "with_previous"]

CACHE_SECONDS = 60


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=32)
def load(
    database_url: str,  # the cache key, from ui.context.read_url: primary or read replica
    community_ids: frozenset[int] | None,
) -> PortfolioData:
    with read_session(read_engine(database_url)) as session:
        return portfolio_export.read_portfolio(session, community_ids, app().registry.latest())


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=64)
def period_means(
    database_url: str,  # the cache key, from ui.context.read_url: primary or read replica
    community_ids: frozenset[int] | None,
    threshold: int,
    period: str,
) -> pd.DataFrame:
    """community_means of factors, layers and health in one period (heatmap and profiles)."""
    with read_session(read_engine(database_url)) as session:
        return portfolio_export.read_period_means(session, community_ids, threshold, period)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=64)
def force_totals(
    database_url: str,  # the cache key, from ui.context.read_url: primary or read replica
    community_ids: frozenset[int],
    periods: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forces summed over the chosen communities' published rounds in these periods."""
    with read_session(read_engine(database_url)) as session:
        return portfolio_export.read_force_totals(session, community_ids, periods)
