"""Communities found by name, a page at a time: what a list or a choice of communities reads
when there may be ten thousand of them (never all of them at once)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store import ids
from lc_health.store.communities import COMMUNITY_COLUMNS, select_community_columns
from lc_health.store.models import Community

# A choice of communities lists them all up to LIST_ALL; with more (an administrator of ten
# thousand), a search narrows it to the first LIST_SHOWN matches by name.
LIST_ALL = 200
LIST_SHOWN = 50


def _like(text: str) -> str:
    """A LIKE pattern that matches `text` anywhere, its own % and _ taken literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(
    community_ids: Iterable[int] | None, text: str, include_archived: bool
) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if community_ids is not None:
        out.append(col(Community.id).in_(ids(community_ids)))
    if not include_archived:
        out.append(col(Community.archived_at).is_(None))
    if text.strip():
        out.append(col(Community.name).ilike(_like(text), escape="\\"))
    return out


def count_communities(
    *,
    session: Session,
    community_ids: Iterable[int] | None,
    text: str = "",
    include_archived: bool = False,
) -> int:
    """How many communities (of community_ids; None: all) have `text` in their name."""
    where = _conditions(community_ids, text, include_archived)
    stmt = sa_select(func.count(col(Community.id))).where(*where)
    return int(session.execute(stmt).scalar_one())


def find_communities(
    *,
    session: Session,
    community_ids: Iterable[int] | None,
    text: str = "",
    limit: int = 50,
    offset: int = 0,
    include_archived: bool = False,
) -> pd.DataFrame:
    """One page of the communities (of community_ids; None: all) with `text` in their name
    (any case), by name: the columns of store.communities.communities_frame."""
    stmt = select_community_columns().where(*_conditions(community_ids, text, include_archived))
    stmt = stmt.order_by(col(Community.name), col(Community.id))
    rows = session.execute(stmt.limit(max(limit, 0)).offset(max(offset, 0))).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COMMUNITY_COLUMNS))
