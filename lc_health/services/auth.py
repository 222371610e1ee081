"""Sign-in sessions: the hand-over code bound to the browser that signed in, the session token
behind the HttpOnly cookie, signing out here or everywhere. Tokens are never stored or logged in
plain text: only their hashes reach the database."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from lc_health.domain import credentials
from lc_health.services import signin_limits
from lc_health.store import sessions as session_store
from lc_health.store.models import User, utcnow

HANDOFF_SECONDS = 60


def find_user(*, session: Session, email: str) -> User | None:
    return session_store.user_by_email(session, email=credentials.normalise_email(email))


def start_session(
    *, session: Session, user_id: int, hours: float, browser: str, now: datetime | None = None
) -> str:
    """Open a sign-in session; returns the one-time hand-over code for the cookie route. Only
    the browser holding the browser id `browser` (its HttpOnly cookie) can redeem it."""
    if not browser:
        raise ValueError("a hand-over code must be bound to a browser")
    now = now or utcnow()
    code = credentials.new_token()
    session_store.add_session(
        session,
        user_id=user_id,
        handoff_hash=credentials.hash_token(code),
        handoff_seconds=HANDOFF_SECONDS,
        hours=hours,
        now=now,
        browser_hash=credentials.hash_token(browser),
    )
    return code


def open_session(
    *, session: Session, user_id: int, hours: float, now: datetime | None = None
) -> str:
    """A session whose token never leaves the server (no cookie route: the page keeps it)."""
    token = credentials.new_token()
    session_store.add_session(
        session,
        user_id=user_id,
        handoff_hash=None,
        handoff_seconds=0,
        hours=hours,
        now=now or utcnow(),
        token_hash=credentials.hash_token(token),
    )
    return token


def redeem_handoff(
    *, session: Session, code: str, browser: str, now: datetime | None = None
) -> tuple[str, datetime] | None:
    """Exchange a hand-over code (once, within a minute, from the browser that signed in) for a
    session token and its expiry. A code presented by another browser is refused and stays
    unspent, so an intercepted code neither signs the other browser in nor spoils the sign-in."""
    now = now or utcnow()
    row = session_store.by_handoff(session, handoff_hash=credentials.hash_token(code))
    if row is None or row.handoff_expires_at is None or row.handoff_expires_at < now:
        return None
    if not browser or row.browser_hash != credentials.hash_token(browser):
        return None
    token = credentials.new_token()
    session_store.set_token(session, row=row, token_hash=credentials.hash_token(token))
    return token, row.expires_at


def user_for_token(*, session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user a session token belongs to, if the session has not expired."""
    if not token:
        return None
    now = now or utcnow()
    row = session_store.by_token(session, token_hash=credentials.hash_token(token))
    if row is None or row.expires_at < now:
        return None
    user = session_store.get_user(session, user_id=row.user_id)
    if user is None or not user.active:
        return None
    return user


def end_session(*, session: Session, token: str) -> None:
    session_store.delete_by_token(session, token_hash=credentials.hash_token(token))


def end_all_sessions(*, session: Session, user_id: int) -> None:
    """Sign a user out everywhere (after a password reset or deactivation)."""
    session_store.delete_for_user(session, user_id=user_id)


def purge_expired_sessions(*, session: Session, now: datetime | None = None) -> int:
    """Remove every sign-in session past its expiry, and sign-in counters no longer needed (run
    at each start of the app); returns how many sessions went."""
    now = now or utcnow()
    signin_limits.forget_old(session=session, now=now)
    return session_store.delete_expired(session, now=now)
