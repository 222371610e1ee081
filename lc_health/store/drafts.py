"""Survey drafts: a personal link's unsent answers in an open round, one row per link and
round, replaced on every save. Only personal links have drafts (an open link is shared, so a
draft could not be told apart from someone else's)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import Session, col, select

from lc_health.store import ids
from lc_health.store.models import SurveyDraft, utcnow


def get_draft(session: Session, *, invitation_id: int, round_id: int) -> SurveyDraft | None:
    return session.exec(
        select(SurveyDraft).where(
            col(SurveyDraft.invitation_id) == invitation_id, col(SurveyDraft.round_id) == round_id
        )
    ).first()


def put_draft(
    session: Session, *, invitation_id: int, round_id: int, payload: str, step: int, language: str
) -> None:
    """Insert or replace the draft of this link and round (the caller's transaction)."""
    row = get_draft(session, invitation_id=invitation_id, round_id=round_id)
    if row is None:
        row = SurveyDraft(invitation_id=invitation_id, round_id=round_id, payload=payload)
    row.payload, row.step, row.language, row.updated_at = payload, step, language, utcnow()
    session.add(row)


def delete_draft(session: Session, *, invitation_id: int, round_id: int) -> int:
    result = session.execute(
        delete(SurveyDraft).where(
            col(SurveyDraft.invitation_id) == invitation_id, col(SurveyDraft.round_id) == round_id
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_link_drafts(session: Session, *, invitation_id: int) -> int:
    """Every draft of one link (a withdrawal or an erasure)."""
    result = session.execute(
        delete(SurveyDraft).where(col(SurveyDraft.invitation_id) == invitation_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_round_drafts(session: Session, *, round_ids: Iterable[int]) -> int:
    """Every draft of these rounds (they closed)."""
    wanted = ids(round_ids)
    if not wanted:
        return 0
    result = session.execute(delete(SurveyDraft).where(col(SurveyDraft.round_id).in_(wanted)))
    return int(getattr(result, "rowcount", 0) or 0)


def link_drafts(session: Session, *, invitation_id: int) -> list[SurveyDraft]:
    """A link's drafts, for a privacy export."""
    return list(
        session.exec(
            select(SurveyDraft)
            .where(col(SurveyDraft.invitation_id) == invitation_id)
            .order_by(col(SurveyDraft.round_id))
        ).all()
    )
