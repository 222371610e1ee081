"""The conversation the group owns: its agenda (dots per factor, factors added or dropped), what
came of each factor (an action, or discussed without one and why), and the closing summary.
Every write has its audit record: who, which community, which round and factor, how many dots;
never a note or the summary's text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from lc_health.domain.errors import Invalid, Problem, check
from lc_health.domain.schemas import clean_comment
from lc_health.metrics import agenda as agenda_metrics
from lc_health.services import actions as action_service
from lc_health.store import agenda as agenda_store
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store.models import Action, AgendaItem, MeetingSummary

MAX_DOTS = 99
MAX_NOTE = 500
MAX_SUMMARY = 4000
MAX_FACTOR = 999
ACTION = "action"
NO_ACTION = "no_action"


def clean_text(text: str, *, field: str, limit: int, required: bool) -> str:
    """Free text as it is stored: line breaks made plain, control characters dropped, trimmed
    (as survey comments are); raises Invalid when it is missing or longer than `limit`."""
    cleaned = clean_comment(text).strip()
    if required and not cleaned:
        raise Invalid([Problem(field, "error.required")])
    if len(cleaned) > limit:
        raise Invalid([Problem(field, "error.too_long", {"max": limit})])
    return cleaned


def _community_of_round(session: Session, community_id: int, round_id: int) -> str:
    """The community's name, after checking the round is one of its rounds."""
    name = cstore.known_community(session=session, community_id=community_id).name
    rnd = agenda_store.round_of(session=session, round_id=round_id)
    if rnd is None or rnd.community_id != community_id:
        raise Invalid([Problem("round", "error.agenda_round", {"id": round_id})])
    return name


def _check_factor(factor_id: object) -> int:
    if not isinstance(factor_id, int) or isinstance(factor_id, bool):
        raise Invalid([Problem("factor", "error.agenda_factor", {"id": factor_id})])
    if not 1 <= factor_id <= MAX_FACTOR:
        raise Invalid([Problem("factor", "error.agenda_factor", {"id": factor_id})])
    return factor_id


def agenda_frame(session: Session, *, round_id: int, proposed: Sequence[int]) -> pd.DataFrame:
    """The round's agenda as the page shows it (metrics.agenda.agenda)."""
    stored = agenda_store.agenda_frame(session=session, round_id=round_id)
    return agenda_metrics.agenda(proposed, stored)


def _save(
    session: Session,
    *,
    actor: str,
    round_id: int,
    factor_id: int,
    proposed: Sequence[int],
    changes: dict[str, Any],
) -> AgendaItem:
    """Save changes to one factor's row; a factor new to the stored agenda gets its place:
    its proposal position, or after all others when the group brings it in."""
    stored = agenda_store.agenda_frame(session=session, round_id=round_id)
    if factor_id not in set(stored["factor_id"]):
        if factor_id in proposed:
            changes = {"position": list(proposed).index(factor_id)} | changes
        else:
            position = agenda_metrics.next_position(proposed, stored)
            changes = {"position": position, "added_by_group": True} | changes
    return agenda_store.save_item(
        session=session, round_id=round_id, factor_id=factor_id, updated_by=actor, changes=changes
    )


def _check_dots(dots: Mapping[int, object]) -> dict[int, int]:
    problems = []
    out: dict[int, int] = {}
    for factor_id, value in dots.items():
        _check_factor(factor_id)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DOTS:
            problems.append(
                Problem("dots", "error.agenda_dots", {"id": factor_id, "max": MAX_DOTS})
            )
        else:
            out[factor_id] = value
    check(problems)
    return out


def vote(
    session: Session,
    *,
    actor: str,
    community_id: int,
    round_id: int,
    proposed: Sequence[int],
    dots: Mapping[int, object],
) -> pd.DataFrame:
    """Store the dots the facilitator counted per factor (0..MAX_DOTS; all or nothing) and
    return the agenda in its new order: most dots first, ties in the proposal order."""
    name = _community_of_round(session, community_id, round_id)
    counted = _check_dots(dots)
    for factor_id, value in counted.items():
        _save(
            session,
            actor=actor,
            round_id=round_id,
            factor_id=factor_id,
            proposed=proposed,
            changes={"dots": value},
        )
    audit.record(
        session=session,
        actor=actor,
        action="agenda.vote",
        target=name,
        round=round_id,
        dots={str(f): d for f, d in sorted(counted.items())},
    )
    return agenda_frame(session, round_id=round_id, proposed=proposed)


def set_on_agenda(
    session: Session,
    *,
    actor: str,
    community_id: int,
    round_id: int,
    factor_id: int,
    proposed: Sequence[int],
    on_agenda: bool,
) -> AgendaItem:
    """Add a factor to the agenda (a factor the figures did not propose becomes the group's
    own) or drop it; dropping keeps the row, so adding it back keeps its dots."""
    name = _community_of_round(session, community_id, round_id)
    factor_id = _check_factor(factor_id)
    item = _save(
        session,
        actor=actor,
        round_id=round_id,
        factor_id=factor_id,
        proposed=proposed,
        changes={"dropped": not on_agenda},
    )
    audit.record(
        session=session,
        actor=actor,
        action="agenda.add" if on_agenda else "agenda.drop",
        target=name,
        round=round_id,
        factor=factor_id,
    )
    return item


def record_no_action(
    session: Session,
    *,
    actor: str,
    community_id: int,
    round_id: int,
    factor_id: int,
    proposed: Sequence[int],
    note: str,
) -> AgendaItem:
    """Record that the group discussed the factor and agreed no action, with a short note
    (why; at most MAX_NOTE characters, may be empty)."""
    name = _community_of_round(session, community_id, round_id)
    factor_id = _check_factor(factor_id)
    text = clean_text(note, field="note", limit=MAX_NOTE, required=False)
    item = _save(
        session,
        actor=actor,
        round_id=round_id,
        factor_id=factor_id,
        proposed=proposed,
        changes={"outcome": NO_ACTION, "note": text, "dropped": False},
    )
    audit.record(
        session=session,
        actor=actor,
        action="agenda.no_action",
        target=name,
        round=round_id,
        factor=factor_id,
    )
    return item


def agree_action(
    session: Session,
    *,
    actor: str,
    community_id: int,
    round_id: int,
    factor_id: int,
    proposed: Sequence[int],
    what: str,
    owner: str,
    due_on: date | None,
) -> Action:
    """Record an agreed action (services.actions) and mark the factor's outcome as an action,
    in one transaction."""
    _community_of_round(session, community_id, round_id)
    factor_id = _check_factor(factor_id)
    action = action_service.record_action(
        session=session,
        actor=actor,
        community_id=community_id,
        round_id=round_id,
        factor_id=factor_id,
        what=what,
        owner=owner,
        due_on=due_on,
    )
    _save(
        session,
        actor=actor,
        round_id=round_id,
        factor_id=factor_id,
        proposed=proposed,
        changes={"outcome": ACTION, "dropped": False},
    )
    return action


def close_meeting(
    session: Session, *, actor: str, community_id: int, round_id: int, text: str
) -> MeetingSummary:
    """Close the round's conversation with a summary (required, at most MAX_SUMMARY characters;
    control characters dropped as in survey comments). Closing again replaces the summary."""
    name = _community_of_round(session, community_id, round_id)
    cleaned = clean_text(text, field="summary", limit=MAX_SUMMARY, required=True)
    row = agenda_store.save_summary(
        session=session, round_id=round_id, text=cleaned, closed_by=actor
    )
    audit.record(session=session, actor=actor, action="agenda.close", target=name, round=round_id)
    return row


def meeting_summary(session: Session, *, round_id: int) -> MeetingSummary | None:
    """The round's closing summary, if the group closed the meeting."""
    return agenda_store.summary(session=session, round_id=round_id)
