"""A round's conversation as the group ran it: the agenda (one row per factor the group looked
at, with its dots, whether the group added or dropped it, and its outcome) and the closing
summary. Checking the input is the service's job (services.agenda); this module stores."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from lc_health.store.models import Action, AgendaItem, MeetingSummary, Round, utcnow

ITEM_COLUMNS = [
    "factor_id",
    "position",
    "dots",
    "added_by_group",
    "dropped",
    "outcome",
    "note",
    "updated_at",
]
CHANGEABLE = frozenset({"position", "dots", "added_by_group", "dropped", "outcome", "note"})


def agenda_frame(*, session: Session, round_id: int) -> pd.DataFrame:
    """The round's stored agenda rows (ITEM_COLUMNS), in their proposal order."""
    rows = session.execute(
        sa_select(*(col(getattr(AgendaItem, c)) for c in ITEM_COLUMNS))
        .where(col(AgendaItem.round_id) == round_id)
        .order_by(col(AgendaItem.position), col(AgendaItem.factor_id))
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=ITEM_COLUMNS)
    return frame.astype({"factor_id": int, "position": int, "dots": int})


def _find(session: Session, round_id: int, factor_id: int) -> AgendaItem | None:
    return session.execute(
        sa_select(AgendaItem).where(
            col(AgendaItem.round_id) == round_id, col(AgendaItem.factor_id) == factor_id
        )
    ).scalar_one_or_none()


def save_item(
    *, session: Session, round_id: int, factor_id: int, updated_by: str, changes: dict[str, Any]
) -> AgendaItem:
    """Set fields of the round's row for the factor, creating the row when there is none yet.
    Two people saving the same factor at once end with one row (UNIQUE(round_id, factor_id)):
    the one who loses the insert updates the row the other one made."""
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"not an agenda field: {sorted(unknown)}")
    row = _find(session, round_id, factor_id)
    if row is None:
        try:
            with session.begin_nested():
                row = AgendaItem(round_id=round_id, factor_id=factor_id, updated_by=updated_by)
                for name, value in changes.items():
                    setattr(row, name, value)
                session.add(row)
                session.flush()
            return row
        except IntegrityError:
            row = _find(session, round_id, factor_id)
            if row is None:
                raise
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_by = updated_by
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def summary(*, session: Session, round_id: int) -> MeetingSummary | None:
    return session.get(MeetingSummary, round_id)


def save_summary(*, session: Session, round_id: int, text: str, closed_by: str) -> MeetingSummary:
    """Store (or replace) the round's closing summary; closed_at is the time of this save."""
    row = session.get(MeetingSummary, round_id)
    if row is None:
        row = MeetingSummary(round_id=round_id, text=text, closed_by=closed_by)
    else:
        row.text, row.closed_by, row.closed_at = text, closed_by, utcnow()
    session.add(row)
    session.flush()
    return row


def round_of(*, session: Session, round_id: int) -> Round | None:
    return session.get(Round, round_id)


def round_actions(*, session: Session, round_id: int) -> list[Action]:
    """The actions agreed in the round's conversation, oldest first."""
    stmt = sa_select(Action).where(col(Action.round_id) == round_id).order_by(col(Action.id))
    return list(session.execute(stmt).scalars())
