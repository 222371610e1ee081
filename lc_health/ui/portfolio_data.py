"""Cached portfolio data: one read of the tallies for every community a viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lc_health.db import read_session
from lc_health.metrics import portfolio
from lc_health.scoring import FACTOR, HEALTH, LAYER
from lc_health.store import communities as cstore
from lc_health.store import dashboard
from lc_health.store import portfolio as pstore
from lc_health.ui.context import app

CACHE_SECONDS = 60


@dataclass(frozen=True)
class PortfolioData:
    communities: pd.DataFrame  # community_id, name, sector, region, phase, ...
    means: pd.DataFrame  # community_means of health, layer and factor, all periods
    participation: pd.DataFrame  # community_id, period, responses, forces_respondents, ...
    forces: pd.DataFrame  # community_id, period, force_id, n


@st.cache_data(show_spinner=False, ttl=CACHE_SECONDS, max_entries=32)
def load(
    database_url: str,  # noqa: ARG001  (part of the cache key)
    community_ids: frozenset[int] | None,
    threshold: int,
) -> PortfolioData:
    with read_session(app().engine) as session:
        communities = cstore.communities_frame(session=session, community_ids=community_ids)
        sums = dashboard.portfolio_scores(
            session=session, community_ids=community_ids, scopes=[HEALTH, LAYER, FACTOR]
        )
        part = dashboard.portfolio_participation(session=session, community_ids=community_ids)
        personal = pstore.personal_responses(session=session, community_ids=community_ids)
        links = pstore.personal_links(session=session, community_ids=community_ids)
        forces = dashboard.portfolio_forces(session=session, community_ids=community_ids)
    part = part.merge(personal, on=["community_id", "period"], how="left").fillna(
        {"personal_responses": 0}
    )
    return PortfolioData(
        communities=communities,
        means=portfolio.community_means(sums, threshold),
        participation=portfolio.participation(part, links),
        forces=forces,
    )
