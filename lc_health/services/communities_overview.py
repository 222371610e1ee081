"""The communities page's data: every community a viewer may see with its latest health index,
reading band and change. A plain function: the page caches it, the benchmark times it."""

from __future__ import annotations

import pandas as pd
from sqlmodel import Session

from lc_health import metrics
from lc_health.store import communities as cstore
from lc_health.store import dashboard


def communities_overview(
    session: Session, *, community_ids: frozenset[int] | None, threshold: int
) -> pd.DataFrame:
    """The viewer's communities (None: all) joined with their latest health."""
    communities = cstore.communities_frame(session=session, community_ids=community_ids)
    rounds = dashboard.health_by_round(session=session, community_ids=community_ids)
    latest = metrics.latest_health(rounds, threshold)
    return communities.merge(latest, on="community_id", how="left")
