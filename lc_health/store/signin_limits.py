"""Counters of failed sign-ins, one row per key hash (see models.SignInLimit). The service
(services.signin_limits) decides what a key is and how long it waits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from lc_health.store.models import SignInLimit


def get(session: Session, *, key_hash: str) -> SignInLimit | None:
    return session.execute(
        select(SignInLimit).where(col(SignInLimit.key_hash) == key_hash)
    ).scalar_one_or_none()


def get_or_new(session: Session, *, key_hash: str, kind: str, now: datetime) -> SignInLimit:
    row = get(session, key_hash=key_hash)
    return row if row is not None else SignInLimit(key_hash=key_hash, kind=kind, updated_at=now)


def save(session: Session, *, row: SignInLimit) -> None:
    session.add(row)
    session.flush()


def clear(session: Session, *, key_hash: str) -> None:
    session.execute(delete(SignInLimit).where(col(SignInLimit.key_hash) == key_hash))


def delete_older_than(session: Session, *, kind: str, before: datetime) -> int:
    """Forget the rows of one kind untouched since `before`; returns how many went."""
    result = session.execute(
        delete(SignInLimit).where(
            col(SignInLimit.kind) == kind, col(SignInLimit.updated_at) < before
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
