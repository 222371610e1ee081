"""Actions a community agrees on in its conversation: what, who, by when, and what came of it."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from lc_health.domain.enums import ActionStatus
from lc_health.domain.errors import Problem, check
from lc_health.store.models import Action, utcnow

MAX_WHAT = 500
MAX_OWNER = 120


def add_action(
    *,
    session: Session,
    community_id: int,
    round_id: int,
    factor_id: int,
    what: str,
    owner: str,
    due_on: date | None,
    created_by: str,
) -> Action:
    """Record an agreed action (raises Invalid, writes nothing, when what or who is missing)."""
    what, owner = what.strip(), owner.strip()
    problems = []
    if not what:
        problems.append(Problem("what", "error.required"))
    elif len(what) > MAX_WHAT:
        problems.append(Problem("what", "error.too_long", {"max": MAX_WHAT}))
    if len(owner) > MAX_OWNER:
        problems.append(Problem("owner", "error.too_long", {"max": MAX_OWNER}))
    check(problems)
    row = Action(
        community_id=community_id,
        round_id=round_id,
        factor_id=factor_id,
        what=what,
        owner=owner,
        due_on=due_on,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def update_action(
    *, session: Session, action_id: int, community_id: int, status: ActionStatus, note: str
) -> Action:
    """Change an action's status and note; only within its own community."""
    row = session.get(Action, action_id)
    if row is None or row.community_id != community_id:
        raise KeyError(action_id)
    row.status = status.value
    row.note = note.strip()[:2000]
    row.updated_at = utcnow()
    session.add(row)
    return row


def insert_actions(session: Session, *, rows: list[Action]) -> None:
    """Store ready-made action rows as they are (demo data, which sets its own dates)."""
    session.add_all(rows)
