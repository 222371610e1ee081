"""Signing in with email and password, and the audit record of an account locked by it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from lc_health.domain import credentials
from lc_health.services import auth
from lc_health.store import audit


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> auth.SignInResult:
    """Check a password (counting failures, locking after too many: auth.sign_in). A locked
    outcome, whether it locked the account just now or it already was, is recorded with the
    email as typed (normalised) as its actor; nothing else is."""
    result = auth.sign_in(
        session=session,
        email=email,
        password=password,
        max_failures=max_failures,
        lockout=lockout,
        now=now,
    )
    if result.outcome == auth.SignInOutcome.locked:
        audit.record(
            session=session, actor=credentials.normalise_email(email), action="account.locked_out"
        )
    return result
