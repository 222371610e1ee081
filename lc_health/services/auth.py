"""Accounts and secrets: argon2id password hashing, password rules, sign-in with slow-down and
lockout, sign-in sessions, and invitation tokens. Tokens and passwords are never stored or
logged in plain text: only their hashes reach the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from lc_health.domain import credentials
from lc_health.store import sessions as session_store
from lc_health.store.models import User, utcnow

HANDOFF_SECONDS = 60
# The first failures cost a growing pause before the answer; from then on the account locks.
SLOWDOWN_BASE_SECONDS = 0.5
SLOWDOWN_MAX_SECONDS = 4.0


class SignInOutcome(StrEnum):
    ok = "ok"
    invalid = "invalid"  # wrong email or password (never said which)
    locked = "locked"


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    delay_seconds: float = 0.0  # how long to wait before answering a failure
    locked_until: datetime | None = None


def slowdown(failures: int) -> float:
    """The pause before answering the n-th failed sign-in in a row."""
    if failures <= 0:
        return 0.0
    return float(min(SLOWDOWN_BASE_SECONDS * 2 ** (failures - 1), SLOWDOWN_MAX_SECONDS))


def find_user(*, session: Session, email: str) -> User | None:
    return session_store.user_by_email(session, email=credentials.normalise_email(email))


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> SignInResult:
    """Check a password sign-in, counting failures and locking the account after too many."""
    now = now or utcnow()
    user = find_user(session=session, email=email)
    if user is None or not user.active:
        credentials.verify_password(password, None)  # same work as for a real account
        return SignInResult(SignInOutcome.invalid, delay_seconds=SLOWDOWN_BASE_SECONDS)
    if user.locked_until is not None and user.locked_until > now:
        credentials.verify_password(password, None)
        return SignInResult(SignInOutcome.locked, locked_until=user.locked_until)
    if credentials.verify_password(password, user.password_hash):
        user.failed_signins = 0
        user.locked_until = None
        user.last_signin_at = now
        # Keep hashes current when the library's recommended parameters change.
        updated = credentials.updated_hash(password, user.password_hash or "")
        if updated is not None:
            user.password_hash = updated
        session_store.save_user(session, user=user)
        return SignInResult(SignInOutcome.ok, user=user)
    user.failed_signins += 1
    if user.failed_signins >= max_failures:
        user.locked_until = now + lockout
        user.failed_signins = 0
        session_store.save_user(session, user=user)
        return SignInResult(SignInOutcome.locked, locked_until=user.locked_until)
    session_store.save_user(session, user=user)
    return SignInResult(SignInOutcome.invalid, delay_seconds=slowdown(user.failed_signins))


def start_session(
    *, session: Session, user_id: int, hours: float, now: datetime | None = None
) -> str:
    """Open a sign-in session; returns the one-time hand-over code for the cookie route."""
    now = now or utcnow()
    code = credentials.new_token()
    session_store.add_session(
        session,
        user_id=user_id,
        handoff_hash=credentials.hash_token(code),
        handoff_seconds=HANDOFF_SECONDS,
        hours=hours,
        now=now,
    )
    return code


def redeem_handoff(
    *, session: Session, code: str, now: datetime | None = None
) -> tuple[str, datetime] | None:
    """Exchange a hand-over code (once, within a minute) for a session token and its expiry."""
    now = now or utcnow()
    row = session_store.by_handoff(session, handoff_hash=credentials.hash_token(code))
    if row is None or row.handoff_expires_at is None or row.handoff_expires_at < now:
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
    """Remove every sign-in session past its expiry (run at each start of the app)."""
    return session_store.delete_expired(session, now=now or utcnow())
