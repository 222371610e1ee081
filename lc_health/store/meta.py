"""The app's own key/value notes in the database (e.g. that demo data was loaded, and with
which seed)."""

from __future__ import annotations

from sqlmodel import Session

from lc_health.store.models import AppMeta


def has_key(session: Session, *, key: str) -> bool:
    return session.get(AppMeta, key) is not None


def set_value(session: Session, *, key: str, value: str) -> None:
    session.add(AppMeta(key=key, value=value))
    session.flush()
