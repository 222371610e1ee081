"""The communities page's data: the communities a viewer may see with their latest health
index, reading band and change, a page at a time (found by name). Plain functions: the page
caches them, the benchmark times them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from lc_health import metrics
from lc_health.store import communities as cstore
from lc_health.store import community_search, dashboard

PAGE_SIZE = 50


@dataclass(frozen=True)
class CommunitiesPage:
    """One page of the list: `rows` as communities_overview's, `total` the number found."""

    rows: pd.DataFrame
    total: int


def communities_overview(
    session: Session, *, community_ids: frozenset[int] | None, threshold: int
) -> pd.DataFrame:
    """The viewer's communities (None: all) joined with their latest health."""
    communities = cstore.communities_frame(session=session, community_ids=community_ids)
    rounds = dashboard.health_by_round(session=session, community_ids=community_ids)
    latest = metrics.latest_health(rounds, threshold)
    return communities.merge(latest, on="community_id", how="left")


def communities_page(
    session: Session,
    *,
    community_ids: frozenset[int] | None,
    threshold: int,
    text: str = "",
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> CommunitiesPage:
    """Page `page` (from 0) of the viewer's communities (None: all) with `text` in their name,
    by name, joined with their latest health: only the rows shown are read."""
    total = community_search.count_communities(
        session=session, community_ids=community_ids, text=text
    )
    found = community_search.find_communities(
        session=session,
        community_ids=community_ids,
        text=text,
        limit=page_size,
        offset=max(page, 0) * page_size,
    )
    shown = [int(c) for c in found["community_id"]]
    rounds = dashboard.health_by_round(session=session, community_ids=shown)
    latest = metrics.latest_health(rounds, threshold)
    return CommunitiesPage(found.merge(latest, on="community_id", how="left"), total)
