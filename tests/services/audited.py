"""For the service tests: the audit log and row counts of a real database."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from lc_health.store import db
from lc_health.store.models import AuditEvent


def events(engine: Engine) -> list[tuple[str, str, str]]:
    """Every audit event as (actor, action, target), oldest first."""
    with db.read_session(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target).order_by(AuditEvent.id)
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def count(engine: Engine, model: type) -> int:
    with db.read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())
