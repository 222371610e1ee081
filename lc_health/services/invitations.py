"""Writes on survey links: personal links for a community, an open link for a round, revoking.

A new link's token is returned once, to be handed out; the database keeps only its hash, and the
audit log counts links, never naming a token.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from lc_health.domain.errors import Invalid, Problem
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import invitations as istore
from lc_health.store import rounds as round_store


def make_personal_links(
    *, session: Session, community_id: int, count: int, label: str, actor: str
) -> list[istore.NewLink]:
    """`count` new personal links for a community (raises Invalid for an unknown community or
    a count outside 1..MAX_LINKS_AT_ONCE)."""
    community = cstore.known_community(session=session, community_id=community_id)
    links = istore.create_personal_links(
        session=session, community_id=community_id, count=count, label=label
    )
    audit.record(
        session=session,
        actor=actor,
        action="links.personal",
        target=community.name,
        count=len(links),
    )
    return links


def make_open_link(*, session: Session, round_id: int, actor: str) -> istore.NewLink:
    """A new open link for one round (raises Invalid for an unknown round)."""
    rnd = round_store.get_round(session=session, round_id=round_id)
    if rnd is None:
        raise Invalid([Problem("round", "error.unknown_round", {"round_id": round_id})])
    community = cstore.known_community(session=session, community_id=rnd.community_id)
    link = istore.create_open_link(session=session, round_id=round_id)
    audit.record(
        session=session, actor=actor, action="links.open", target=f"{community.name} {rnd.period}"
    )
    return link


def revoke_links(
    *, session: Session, community_id: int, invitation_ids: Iterable[int], actor: str
) -> int:
    """Revoke these links of one community, all or none; how many (raises Invalid for an unknown
    community or a link that is not the community's)."""
    community = cstore.known_community(session=session, community_id=community_id)
    chosen = [int(i) for i in invitation_ids]
    for invitation_id in chosen:
        row = istore.get_invitation(session=session, invitation_id=invitation_id)
        if row is None or row.community_id != community_id:
            raise Invalid([Problem("links", "error.unknown_link", {"id": invitation_id})])
    for invitation_id in chosen:
        istore.revoke(session=session, invitation_id=invitation_id)
    audit.record(
        session=session,
        actor=actor,
        action="links.revoke",
        target=community.name,
        count=len(chosen),
    )
    return len(chosen)
