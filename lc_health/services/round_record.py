"""What a round's conversation came to, as it may be shown to the community's participants
("you said, we did"): the factors discussed and their outcome, the actions agreed, and the
closing summary.

Left out on purpose: who edited anything (accounts' e-mail addresses and names), the
facilitator's dot counts and dropped factors (working material of the meeting), and of each
action its owner and follow-up note. Owners are names the group typed, often of people who
never agreed to have their name shown to everyone holding a survey link (an open link can be
forwarded), and the note is the lead's working note that may name people as well; the action
itself, its factor, due date and status are what participants need to see that something was
done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.services.agenda import ACTION, NO_ACTION
from lc_health.store import agenda as agenda_store
from lc_health.store.db import read_session


@dataclass(frozen=True)
class DiscussedFactor:
    """A factor the group discussed: outcome is "action" or "no_action"; note is the group's
    short reason when it agreed no action ("" otherwise)."""

    factor_id: int
    outcome: str
    note: str


@dataclass(frozen=True)
class AgreedAction:
    """An action agreed in the round's conversation and how far it got (status: open,
    in_progress, done, dropped)."""

    factor_id: int
    what: str
    due_on: date | None
    status: str


@dataclass(frozen=True)
class RoundRecord:
    """A round's conversation for participants. summary and closed_on are None until the
    group closed the meeting; discussed is in agenda order, actions oldest first."""

    round_id: int
    community_id: int
    period: str
    discussed: tuple[DiscussedFactor, ...]
    actions: tuple[AgreedAction, ...]
    summary: str | None
    closed_on: date | None

    @property
    def is_empty(self) -> bool:
        return not (self.discussed or self.actions or self.summary)


def round_record(engine: Engine, *, round_id: int) -> RoundRecord:
    """The round's record for participants (raises KeyError for an unknown round)."""
    with read_session(engine) as session:
        return read_round_record(session, round_id=round_id)


def read_round_record(session: Session, *, round_id: int) -> RoundRecord:
    """round_record inside a session the caller holds (the round's documents)."""
    rnd = agenda_store.round_of(session=session, round_id=round_id)
    if rnd is None or rnd.id is None:
        raise KeyError(round_id)
    items = agenda_store.agenda_frame(session=session, round_id=round_id)
    actions = agenda_store.round_actions(session=session, round_id=round_id)
    summary = agenda_store.summary(session=session, round_id=round_id)
    items = items[items["outcome"].isin([ACTION, NO_ACTION])].sort_values(
        ["dots", "position", "factor_id"], ascending=[False, True, True]
    )
    discussed = tuple(
        DiscussedFactor(
            factor_id=int(factor_id),
            outcome=str(outcome),
            note=str(note) if outcome == NO_ACTION else "",
        )
        for factor_id, outcome, note in zip(
            items["factor_id"], items["outcome"], items["note"], strict=True
        )
    )
    agreed = tuple(
        AgreedAction(factor_id=a.factor_id, what=a.what, due_on=a.due_on, status=a.status)
        for a in actions
    )
    return RoundRecord(
        round_id=rnd.id,
        community_id=rnd.community_id,
        period=rnd.period,
        discussed=discussed,
        actions=agreed,
        summary=summary.text if summary is not None else None,
        closed_on=summary.closed_at.date() if summary is not None else None,
    )
