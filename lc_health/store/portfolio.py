"""Portfolio reads that the dashboard module does not cover: the active personal links per
community. (Personal responses per round are counted at publication: models.PortfolioRound.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store import ids
from lc_health.store.models import Invitation
from lc_health.store.tallies import plain_frame


def _frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    # Numbers only: straight from the driver (tallies.plain_frame), ten thousand rows at XL.
    return plain_frame(session, stmt, columns)


def personal_links(*, session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """community_id, personal_links (active personal invitations)."""
    stmt = (
        sa_select(col(Invitation.community_id), func.count())
        .where(col(Invitation.round_id).is_(None), col(Invitation.revoked_at).is_(None))
        .group_by(col(Invitation.community_id))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Invitation.community_id).in_(ids(community_ids)))
    return _frame(session, stmt, ["community_id", "personal_links"])
