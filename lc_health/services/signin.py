"""Signing in with email and password, and checking a signed-in person's current password.

Every outcome that is not a success looks the same to the person signing in: one message, and
one password hash verified whether or not the address has an account (tries refused by the
limits of services.signin_limits verify nothing, whatever the address). The audit log keeps
each success, failure and start of a wait: a known account by its email (as every audit record
names accounts), an unknown address only as a hash (people type passwords into the address
field), the client as a pseudonym; never a password.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from lc_health.domain import credentials
from lc_health.domain.errors import Problem
from lc_health.services import auth
from lc_health.services.signin_limits import (
    DEFAULT_LIMITS,
    NO_CLIENT,
    Client,
    Limits,
    client_tag,
    count_failure,
    count_success,
    keys_for,
    waiting_until,
)
from lc_health.store import audit
from lc_health.store import sessions as session_store
from lc_health.store.models import User, utcnow


class SignInOutcome(StrEnum):
    ok = "ok"
    refused = "refused"  # wrong address or password, or too many tries: never said which


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


def _actor(email: str, user: User | None) -> str:
    if user is not None:
        return user.email
    return "address:" + credentials.hash_token(credentials.normalise_email(email))[:16]


def _failed(
    session: Session,
    *,
    email: str,
    user: User | None,
    client: Client,
    limits: Limits,
    now: datetime,
    action: str,
) -> None:
    keys = keys_for(session, email=email, client=client)
    actor = _actor(email, user)
    audit.record(session=session, actor=actor, action=action, client=client_tag(client))
    for kind, until in count_failure(session, keys=keys, limits=limits, now=now).items():
        if user is not None and kind == "account" and keys.account_kind == "address":
            user.locked_until = until  # shown to administrators on the accounts page
            session_store.save_user(session, user=user)
        audit.record(
            session=session,
            actor=actor,
            action="signin.throttled",
            kind=kind,
            until=until.isoformat(timespec="seconds"),
            client=client_tag(client),
        )


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    client: Client = NO_CLIENT,
    limits: Limits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> SignInResult:
    """Check an email and password within the limits; on success the account is returned."""
    now = now or utcnow()
    keys = keys_for(session, email=email, client=client)
    if waiting_until(session, keys=keys, now=now) is not None:
        return SignInResult(SignInOutcome.refused)
    user = auth.find_user(session=session, email=email)
    usable = user is not None and user.active and user.password_hash is not None
    # One verification either way: a dummy hash stands in for a missing account.
    good = credentials.verify_password(password, user.password_hash if user and usable else None)
    if not (good and user is not None and usable):
        _failed(
            session,
            email=email,
            user=user,
            client=client,
            limits=limits,
            now=now,
            action="signin.failure",
        )
        return SignInResult(SignInOutcome.refused)
    user.last_signin_at = now
    if keys.account_kind == "address":
        user.failed_signins, user.locked_until = 0, None
    # Keep hashes current when the library's recommended parameters change.
    updated = credentials.updated_hash(password, user.password_hash or "")
    if updated is not None:
        user.password_hash = updated
    session_store.save_user(session, user=user)
    count_success(session, keys=keys, email=email, client=client, now=now)
    audit.record(
        session=session, actor=user.email, action="signin.success", client=client_tag(client)
    )
    return SignInResult(SignInOutcome.ok, user=user)


def check_current_password(
    *,
    session: Session,
    user: User,
    password: str,
    client: Client = NO_CLIENT,
    limits: Limits = DEFAULT_LIMITS,
    now: datetime | None = None,
) -> Problem | None:
    """A signed-in person's current password, within the same limits as sign-in: None when
    right; a problem when wrong (and counted) or while tries are refused."""
    now = now or utcnow()
    keys = keys_for(session, email=user.email, client=client)
    until = waiting_until(session, keys=keys, now=now)
    if until is not None:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        return Problem("current", "error.too_many_tries", {"minutes": minutes})
    if credentials.verify_password(password, user.password_hash):
        return None
    _failed(
        session,
        email=user.email,
        user=user,
        client=client,
        limits=limits,
        now=now,
        action="account.current_password_failure",
    )
    return Problem("current", "error.current_password")


def record_sso(*, session: Session, email: str | None, refusal: str | None) -> None:
    """Audit a single sign-on: `signin.success` for an accepted address (the account's email),
    `signin.failure` with the reason otherwise (an unknown or unverified address only as a
    hash). The page calls this once per browser session, not on every run."""
    user = auth.find_user(session=session, email=email) if email else None
    actor = _actor(email or "", user) if email else "sso:no-address"
    if refusal is None and user is not None:
        user.last_signin_at = utcnow()
        session_store.save_user(session, user=user)
        audit.record(session=session, actor=user.email, action="signin.success", method="sso")
        return
    audit.record(
        session=session, actor=actor, action="signin.failure", method="sso", reason=refusal or ""
    )
