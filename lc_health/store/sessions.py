"""Sign-in sessions and the account lookups sign-in needs. Only hashes of tokens and hand-over
codes are stored; the service (services.auth) hashes them before they reach these functions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from lc_health.store.models import SignInSession, User


def user_by_email(session: Session, *, email: str) -> User | None:
    """The account with this (already normalised) email, compared case-insensitively."""
    return session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


def save_user(session: Session, *, user: User) -> None:
    session.add(user)


def add_session(
    session: Session,
    *,
    user_id: int,
    handoff_hash: str | None,
    handoff_seconds: float,
    hours: float,
    now: datetime,
    browser_hash: str | None = None,
    token_hash: str | None = None,
) -> None:
    """A new session: with a hand-over code for the cookie route (bound to the browser that
    signed in), or already with its token (a session that never leaves the server)."""
    session.add(
        SignInSession(
            user_id=user_id,
            handoff_hash=handoff_hash,
            handoff_expires_at=now + timedelta(seconds=handoff_seconds) if handoff_hash else None,
            browser_hash=browser_hash,
            token_hash=token_hash,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    session.flush()


def by_handoff(session: Session, *, handoff_hash: str) -> SignInSession | None:
    return session.execute(
        select(SignInSession).where(SignInSession.handoff_hash == handoff_hash)
    ).scalar_one_or_none()


def by_token(session: Session, *, token_hash: str) -> SignInSession | None:
    return session.execute(
        select(SignInSession).where(SignInSession.token_hash == token_hash)
    ).scalar_one_or_none()


def set_token(session: Session, *, row: SignInSession, token_hash: str) -> None:
    """The hand-over code is spent: the session now answers to its token only."""
    row.token_hash = token_hash
    row.handoff_hash = None
    row.handoff_expires_at = None
    row.browser_hash = None
    session.add(row)


def delete_by_token(session: Session, *, token_hash: str) -> None:
    session.execute(delete(SignInSession).where(col(SignInSession.token_hash) == token_hash))


def delete_for_user(session: Session, *, user_id: int) -> None:
    session.execute(delete(SignInSession).where(col(SignInSession.user_id) == user_id))


def delete_expired(session: Session, *, now: datetime) -> int:
    """Remove sessions past their expiry; returns how many went."""
    result = session.execute(delete(SignInSession).where(col(SignInSession.expires_at) < now))
    return int(getattr(result, "rowcount", 0) or 0)
