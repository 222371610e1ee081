"""Live sessions and their sheets (models.LiveSession, models.LiveSheet): every query of the
live session area. Writes happen in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from lc_health.store.models import LiveSession, LiveSheet, Response, Round


def add_session(session: Session, *, row: LiveSession) -> LiveSession:
    session.add(row)
    session.flush()
    return row


def get_session(session: Session, *, session_id: int, lock: bool = False) -> LiveSession | None:
    """A live session by id; `lock` holds its row for this transaction (PostgreSQL: FOR
    UPDATE; SQLite serialises writers anyway), so two projectors never publish at once."""
    query = select(LiveSession).where(col(LiveSession.id) == session_id)
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def running_by_code(session: Session, *, code: str) -> LiveSession | None:
    """The running session with this join code (an ended session's code joins nothing)."""
    return session.exec(
        select(LiveSession).where(
            col(LiveSession.code) == code, col(LiveSession.ended_at).is_(None)
        )
    ).first()


def by_code(session: Session, *, code: str) -> LiveSession | None:
    """The session with this code, running or ended."""
    return session.exec(select(LiveSession).where(col(LiveSession.code) == code)).first()


def code_taken(session: Session, *, code: str) -> bool:
    return (
        session.exec(select(LiveSession.id).where(col(LiveSession.code) == code)).first()
        is not None
    )


def sessions_of(session: Session, *, community_id: int) -> list[LiveSession]:
    """A community's sessions, newest first."""
    return list(
        session.exec(
            select(LiveSession)
            .where(col(LiveSession.community_id) == community_id)
            .order_by(col(LiveSession.started_at).desc(), col(LiveSession.id).desc())
        ).all()
    )


def save(session: Session, *, row: LiveSession | LiveSheet) -> None:
    session.add(row)


def sheet(session: Session, *, session_id: int, phone_key: str) -> LiveSheet | None:
    return session.exec(
        select(LiveSheet).where(
            col(LiveSheet.session_id) == session_id, col(LiveSheet.phone_key) == phone_key
        )
    ).first()


def counts(session: Session, *, session_id: int) -> tuple[int, int]:
    """(joined, sent) sheets of a session, in one query."""
    sent = func.count(col(LiveSheet.sent_at))
    row = session.exec(
        select(func.count(col(LiveSheet.id)), sent).where(col(LiveSheet.session_id) == session_id)
    ).one()
    return int(row[0]), int(row[1])


def published_answers(session: Session, *, session_id: int) -> list[str]:
    """The answers (JSON) of every sheet in the published figures, in the order they were sent
    (the figures do not depend on it)."""
    return list(
        session.exec(
            select(LiveSheet.answers)
            .where(
                col(LiveSheet.session_id) == session_id,
                col(LiveSheet.published_step).is_not(None),
            )
            .order_by(col(LiveSheet.sent_at), col(LiveSheet.id))
        ).all()
    )


def waiting_ids(session: Session, *, session_id: int) -> list[int]:
    """Sent sheets not yet in the figures, oldest first (ties by id)."""
    found = list(
        session.exec(
            select(LiveSheet.id)
            .where(
                col(LiveSheet.session_id) == session_id,
                col(LiveSheet.sent_at).is_not(None),
                col(LiveSheet.published_step).is_(None),
            )
            .order_by(col(LiveSheet.sent_at), col(LiveSheet.id))
        ).all()
    )
    return [int(i) for i in found if i is not None]


def mark_published(session: Session, *, sheet_ids: list[int], step: int) -> None:
    if sheet_ids:
        session.execute(
            update(LiveSheet).where(col(LiveSheet.id).in_(sheet_ids)).values(published_step=step)
        )


def end_session(session: Session, *, row: LiveSession, now: datetime) -> None:
    row.ended_at = now
    session.add(row)


def round_instrument(session: Session, *, round_id: int | None) -> tuple[str, int] | None:
    """The instrument (id, version) of the round a session is tied to; None when untied."""
    if round_id is None:
        return None
    found = session.exec(
        select(Round.instrument_id, Round.instrument_version).where(col(Round.id) == round_id)
    ).first()
    return None if found is None else (str(found[0]), int(found[1]))


def round_response(session: Session, *, round_id: int, submission_key: str) -> Response | None:
    """The round's response stored from a tied sheet (by its submission key)."""
    return session.exec(
        select(Response).where(
            col(Response.round_id) == round_id, col(Response.submission_key) == submission_key
        )
    ).first()


def started_by(session: Session, *, actor: str) -> list[LiveSession]:
    """The sessions this account started."""
    return list(session.exec(select(LiveSession).where(col(LiveSession.started_by) == actor)))


def started_before(session: Session, *, moment: datetime) -> list[int]:
    """Sessions started before this moment (the retention purge)."""
    found = session.exec(select(LiveSession.id).where(col(LiveSession.started_at) < moment)).all()
    return [int(i) for i in found if i is not None]


def sheet_count(session: Session, *, session_ids: list[int]) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(LiveSheet)
            .where(col(LiveSheet.session_id).in_(session_ids))
        ).scalar_one()
    )


def delete_sessions(session: Session, *, session_ids: list[int]) -> None:
    """Sessions and their sheets go (sheets first: no reliance on the database's cascade)."""
    if session_ids:
        session.execute(delete(LiveSheet).where(col(LiveSheet.session_id).in_(session_ids)))
        session.execute(delete(LiveSession).where(col(LiveSession.id).in_(session_ids)))
