"""Cached portfolio data, read from the published figures in a few narrow queries: the selected
period's factor, layer and health means; health and layer means over all periods; forces summed
in the database; and participation. Nothing is loaded that the page does not show."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lc_health.domain.scoring import FACTOR, HEALTH, LAYER
from lc_health.metrics import portfolio
from lc_health.store import communities as cstore
from lc_health.store import dashboard
from lc_health.store import portfolio as portfolio_store
from lc_health.store.db import read_session
from lc_health.ui.context import app

CACHE_SECONDS = 60


@dataclass(frozen=True)
class PortfolioData:
    communities: pd.DataFrame  # community_id, name, sector, region, phase, ...
    periods: list[str]  # periods with answers, oldest first
    means: pd.DataFrame  # shown health and layer means, all periods (community_id, period, ...)
    too_few: pd.DataFrame  # community_id, period of published rounds without a health index
    participation: pd.DataFrame  # community_id, period, responses, response_rate, ...
    instruments: pd.DataFrame  # community_id, period, instrument_id, instrument_version


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=32)
def load(
    database_url: str,  # noqa: ARG001  (part of the cache key)
    community_ids: frozenset[int] | None,
) -> PortfolioData:
    with read_session(app().engine) as session:
        communities = cstore.communities_frame(session=session, community_ids=community_ids)
        means, too_few = dashboard.portfolio_shown_means(
            session=session, community_ids=community_ids,
            scores=portfolio.trend_scores(app().registry.latest()),
        )  # fmt: skip
        part = dashboard.portfolio_participation(session=session, community_ids=community_ids)
        instruments = dashboard.published_instruments(session=session, community_ids=community_ids)
        personal = portfolio_store.personal_responses(session=session, community_ids=community_ids)
        links = portfolio_store.personal_links(session=session, community_ids=community_ids)
    part = part.merge(personal, on=["community_id", "period"], how="left").fillna(
        {"personal_responses": 0}
    )
    return PortfolioData(
        communities=communities,
        periods=sorted(set(part.loc[part["responses"] > 0, "period"])),
        means=portfolio.shown_means(means),
        too_few=too_few,
        participation=portfolio.participation(part, links),
        instruments=instruments,
    )


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=64)
def period_means(
    database_url: str,  # noqa: ARG001  (part of the cache key)
    community_ids: frozenset[int] | None,
    threshold: int,
    period: str,
) -> pd.DataFrame:
    """community_means of factors, layers and health in one period (heatmap and profiles). A
    community whose round was published without a health index is there with n = 0 (shown as
    too few responses, which is not the same as no data)."""
    with read_session(app().engine) as session:
        sums = dashboard.portfolio_scores(
            session=session, community_ids=community_ids, scopes=[HEALTH, LAYER, FACTOR],
            periods=[period],
        )  # fmt: skip
        published = dashboard.portfolio_participation(session=session, community_ids=community_ids)
    published = published[published["period"] == period]
    return portfolio.community_means(portfolio.with_too_few(sums, published), threshold)


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=64)
def force_totals(
    database_url: str,  # noqa: ARG001  (part of the cache key)
    community_ids: frozenset[int],
    periods: tuple[str, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forces summed in the database over the chosen communities' rounds in these periods that
    were published: (period, force_id, n) and (period, communities, respondents)."""
    with read_session(app().engine) as session:
        return dashboard.portfolio_force_totals(
            session=session, community_ids=community_ids, periods=periods
        )


def with_previous(periods: list[str], period: str) -> tuple[str, ...]:
    """The period and the one before it (the forces' shift is shown between them)."""
    index = periods.index(period) if period in periods else len(periods) - 1
    return tuple(periods[max(0, index - 1) : index + 1])
