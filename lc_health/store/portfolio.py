"""Portfolio reads that the dashboard module does not cover: links and personal responses per
community, and the filter options (sector, region, phase)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store import ids
from lc_health.store.models import Invitation, Response, Round


def _frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in session.execute(stmt).all()], columns=columns)


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


def personal_responses(*, session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """community_id, period, personal_responses (responses through a personal link)."""
    stmt = (
        sa_select(col(Round.community_id), col(Round.period), func.count())
        .join(Response, col(Response.round_id) == col(Round.id))
        .where(col(Response.invitation_id).is_not(None))
        .group_by(col(Round.community_id), col(Round.period))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    return _frame(session, stmt, ["community_id", "period", "personal_responses"])
