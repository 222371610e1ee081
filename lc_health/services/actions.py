"""Actions a group agrees on in the conversation: recording one and following it up, each with
its audit record (never the action's own text: only who, which community, which factor, which
status)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from lc_health.domain.enums import ActionStatus
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.schemas import clean_comment
from lc_health.store import actions as action_store
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store.models import Action


def record_action(
    *,
    session: Session,
    actor: str,
    community_id: int,
    round_id: int,
    factor_id: int,
    what: str,
    owner: str,
    due_on: date | None,
) -> Action:
    """Record an agreed action (raises Invalid for an empty or too long text)."""
    name = cstore.known_community(session=session, community_id=community_id).name
    action = action_store.add_action(
        session=session,
        community_id=community_id,
        round_id=round_id,
        factor_id=factor_id,
        what=what,
        owner=owner,
        due_on=due_on,
        created_by=actor,
    )
    audit.record(session=session, actor=actor, action="action.add", target=name, factor=factor_id)
    return action


def follow_up_action(
    *,
    session: Session,
    actor: str,
    community_id: int,
    action_id: int,
    status: ActionStatus,
    note: str,
) -> Action:
    """Change an action's status and note, only within its own community (raises Invalid for
    an action of another community)."""
    name = cstore.known_community(session=session, community_id=community_id).name
    try:
        action = action_store.update_action(
            session=session,
            action_id=action_id,
            community_id=community_id,
            status=status,
            note=clean_comment(note),  # control characters dropped, as in survey comments
        )
    except KeyError:
        raise Invalid([Problem("action", "error.unknown_action", {"id": action_id})]) from None
    audit.record(
        session=session,
        actor=actor,
        action="action.update",
        target=name,
        factor=action.factor_id,
        status=status.value,
    )
    return action
