"""The queries behind privacy requests: a link's responses, erasing a link, and the retention
purge of raw answers in rounds past retention (their tallies are kept and flagged)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from lc_health.store import ids
from lc_health.store.models import (
    Answer,
    Comment,
    Community,
    ForceMark,
    Invitation,
    Organisation,
    Response,
    Round,
    RoundTally,
    utcnow,
)
from lc_health.store.responses import new_respondent_key


def invitation_by_hash(session: Session, *, token_hash: str) -> Invitation | None:
    return session.exec(select(Invitation).where(col(Invitation.token_hash) == token_hash)).first()


def linked_responses(
    session: Session, *, invitation: Invitation, lock: bool = False
) -> list[tuple[Response, Round]]:
    """Every response of a personal link (by link or by its respondent key), oldest round first.

    With lock, PostgreSQL locks the response rows, so that a submission with the same link
    cannot replace one between reading its answers and deleting it (SQLite's write transactions
    are serialised anyway).
    """
    if invitation.round_id is not None:
        return []
    stmt = (
        select(Response, Round)
        .join(Round, col(Round.id) == col(Response.round_id))
        .where(
            or_(
                col(Response.invitation_id) == invitation.id,
                col(Response.respondent_key) == invitation.respondent_key,
            )
        )
        .order_by(col(Round.period), col(Response.id))
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Response)
    return [(resp, rnd) for resp, rnd in session.exec(stmt).all()]


def community_name(session: Session, *, community_id: int) -> str:
    community = session.get(Community, community_id)
    return community.name if community else ""


def comment_count(session: Session, *, response_ids: list[int]) -> int:
    if not response_ids:
        return 0
    return int(
        session.execute(
            select(func.count())
            .select_from(Comment)
            .where(col(Comment.response_id).in_(response_ids))
        ).scalar_one()
    )


def forget_link(session: Session, *, invitation: Invitation) -> None:
    """Revoke a link and cut it loose from its answers: a new respondent key, no label, no
    last use. The token's hash stays, so the old link says "withdrawn" rather than nothing."""
    invitation.revoked_at = invitation.revoked_at or utcnow()
    invitation.respondent_key = new_respondent_key()
    invitation.label = ""
    invitation.last_used_at = None
    session.add(invitation)
    session.flush()


def get_round(session: Session, *, round_id: int | None) -> Round | None:
    return session.get(Round, round_id) if round_id else None


def get_organisation(session: Session, *, organisation_id: int | None) -> Organisation | None:
    return session.get(Organisation, organisation_id) if organisation_id else None


def round_tally(session: Session, *, round_id: int | None) -> RoundTally | None:
    return session.get(RoundTally, round_id)


def expired_rounds(session: Session, *, cutoff: date) -> list[int]:
    """Rounds that closed before the cutoff."""
    return ids(
        i
        for i in session.exec(select(Round.id).where(col(Round.closes_on) < cutoff)).all()
        if i is not None
    )


def _count_in(session: Session, model: Any, response_ids: Any) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(model).where(col(model.response_id).in_(response_ids))
        ).scalar_one()
    )


def purge_counts(session: Session, *, round_ids: list[int]) -> dict[str, int]:
    """What purging these rounds would delete: rounds still holding raw data, responses,
    answers, force marks and comments."""
    in_rounds = select(Response.id).where(col(Response.round_id).in_(round_ids))
    with_rows = set(
        session.exec(
            select(Response.round_id).where(col(Response.round_id).in_(round_ids)).distinct()
        ).all()
    )
    unflagged = set(
        session.exec(
            select(RoundTally.round_id).where(
                col(RoundTally.round_id).in_(round_ids), col(RoundTally.raw_purged).is_(False)
            )
        ).all()
    )
    return {
        "rounds": len(with_rows | unflagged),
        "responses": int(
            session.execute(
                select(func.count())
                .select_from(Response)
                .where(col(Response.round_id).in_(round_ids))
            ).scalar_one()
        ),
        "answers": _count_in(session, Answer, in_rounds),
        "force_marks": _count_in(session, ForceMark, in_rounds),
        "comments": _count_in(session, Comment, in_rounds),
    }


def purge_rounds(session: Session, *, round_ids: list[int]) -> None:
    """Delete the raw answers, force marks, comments and response rows of these rounds and flag
    their tallies raw_purged; the counts and sums stay as they were (no delta is applied)."""
    in_rounds = select(Response.id).where(col(Response.round_id).in_(round_ids))
    for model in (Answer, ForceMark, Comment):
        session.execute(delete(model).where(col(model.response_id).in_(in_rounds)))
    session.execute(delete(Response).where(col(Response.round_id).in_(round_ids)))
    session.execute(
        update(RoundTally)
        .where(col(RoundTally.round_id).in_(round_ids), col(RoundTally.raw_purged).is_(False))
        .values(raw_purged=True)
    )
