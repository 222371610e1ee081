"""Writes on communities, their member organisations and the organisations themselves."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store.models import Community, Organisation


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


def update_community(
    *,
    session: Session,
    community_id: int,
    name: str,
    actor: str,
    sector: str = "",
    region: str = "",
    phase: str = "",
    description: str = "",
    contact: str = "",
) -> Community:
    """A community's name and details (raises Invalid for an unknown community, an empty, too
    long or taken name, or an unknown phase; nothing is written then)."""
    cstore.known_community(session=session, community_id=community_id)
    row = cstore.update_community(
        session=session,
        community_id=community_id,
        name=name,
        sector=sector,
        region=region,
        phase=phase,
        description=description,
        contact=contact,
    )
    audit.record(session=session, actor=actor, action="community.update", target=row.name)
    return row


def set_archived(*, session: Session, community_id: int, archived: bool, actor: str) -> Community:
    """Archive a community (hidden from lists and surveys, every answer kept) or bring it back
    (raises Invalid for an unknown community)."""
    row = cstore.known_community(session=session, community_id=community_id)
    cstore.set_archived(session=session, community_id=community_id, archived=archived)
    action = "community.archive" if archived else "community.unarchive"
    audit.record(session=session, actor=actor, action=action, target=row.name)
    return row


def set_members(
    *, session: Session, community_id: int, organisation_ids: Iterable[int], actor: str
) -> Community:
    """Make exactly these organisations the community's members (raises Invalid for an unknown
    community)."""
    row = cstore.known_community(session=session, community_id=community_id)
    chosen = list(organisation_ids)
    cstore.set_members(session=session, community_id=community_id, organisation_ids=chosen)
    audit.record(
        session=session,
        actor=actor,
        action="membership.update",
        target=row.name,
        organisations=len(chosen),
    )
    return row


def create_organisation(
    *, session: Session, name: str, type: str, types: Iterable[str], actor: str
) -> Organisation:
    """A new organisation of one of the questionnaire's organisation types (raises Invalid for
    an empty or taken name or an unknown type)."""
    row = cstore.add_organisation(session=session, name=name, type=type, types=types)
    audit.record(session=session, actor=actor, action="organisation.create", target=row.name)
    return row
