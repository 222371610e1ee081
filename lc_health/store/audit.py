"""The audit log of administrative actions: who did what, when."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store.models import AuditEvent


def record(*, session: Session, actor: str, action: str, target: str = "", **detail: Any) -> None:
    """Add an event in the caller's transaction, so it is kept exactly when the change is.

    Never pass passwords, tokens or comments as detail.
    """
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            target=target[:200],
            detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
            if detail
            else "",
        )
    )


def events_frame(*, session: Session, limit: int = 500, action: str | None = None) -> pd.DataFrame:
    """Columns: at, actor, action, target, detail (newest first)."""
    stmt = sa_select(
        col(AuditEvent.at),
        col(AuditEvent.actor),
        col(AuditEvent.action),
        col(AuditEvent.target),
        col(AuditEvent.detail),
    ).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    if action:
        stmt = stmt.where(col(AuditEvent.action) == action)
    rows = session.execute(stmt.limit(limit)).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["at", "actor", "action", "target", "detail"]
    )
