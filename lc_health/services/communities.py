"""Writes on communities."""

from __future__ import annotations

from sqlmodel import Session

from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store.models import Community


def create_community(
    *,
    session: Session,
    name: str,
    actor: str,
    sector: str = "",
    region: str = "",
    phase: str = "",
    description: str = "",
    contact: str = "",
) -> Community:
    """A new community (raises Invalid for an empty, too long or taken name, or an unknown
    phase; nothing is written then)."""
    row = cstore.add_community(
        session=session,
        name=name,
        sector=sector,
        region=region,
        phase=phase,
        description=description,
        contact=contact,
    )
    audit.record(session=session, actor=actor, action="community.create", target=row.name)
    return row
