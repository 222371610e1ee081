""" "You said, we did": what a participant may see of a published round, in one structure. The
community's published picture (only what passed the disclosure rules: the Published* tables),
what the group discussed in its meeting, the actions it agreed and what became of them.

Nothing here reads a raw answer or an open round: a round that was not published has no
YouSaid at all. The structure serialises to bytes (YouSaid.to_json), which the privacy tests
compare across databases that differ only in what must stay hidden.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.domain.disclosure import shown
from lc_health.services.round_record import read_round_record
from lc_health.store import you_said as store
from lc_health.store.db import read_session


@dataclass(frozen=True)
class FactorPicture:
    """One factor as published: respondents, mean (one decimal, as pages show it), the middle
    half and median of the respondents' scores, and the change verdict since the previous
    published round (None: no comparison was published)."""

    factor_id: int
    n: int
    mean: float | None
    q1: float | None
    median: float | None
    q3: float | None
    change: str | None


@dataclass(frozen=True)
class AgreedAction:
    """An action the group agreed on for a factor: what, by when, and how far it got (status:
    open, in_progress, done, dropped). Not shown to participants: who owns it (a name the
    group typed; a link can be forwarded) and the lead's follow-up note (a working note that
    may name people), as in services.conversation's round record."""

    factor_id: int
    what: str
    status: str
    due_on: date | None


@dataclass(frozen=True)
class YouSaid:
    round_id: int
    community_id: int
    period: str
    instrument_id: str
    instrument_version: int
    responses: int
    factors: tuple[FactorPicture, ...]
    forces_respondents: int
    forces: tuple[tuple[str, int], ...]  # (force id, respondents recognising it), most first
    actions: tuple[AgreedAction, ...]
    # From the meeting record: (factor id, outcome "action" / "no_action", note) per agenda
    # item discussed, and the meeting's summary.
    discussed: tuple[tuple[int, str, str], ...]
    summary: str | None

    @property
    def has_picture(self) -> bool:
        return bool(self.factors)

    def to_json(self) -> bytes:
        """The whole structure as canonical JSON bytes."""
        return json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False).encode()


def _meeting(session: Session, round_id: int) -> tuple[list[tuple[int, str, str]], str | None]:
    """What the group discussed in the round's meeting and the meeting's summary: the part of
    the round's record (services.round_record) that participants may read."""
    record = read_round_record(session, round_id=round_id)
    return [(d.factor_id, d.outcome, d.note) for d in record.discussed], record.summary


def _factors(session: Session, round_id: int) -> tuple[FactorPicture, ...]:
    changes = store.factor_changes(session, round_id=round_id)
    return tuple(
        FactorPicture(
            factor_id=factor,
            n=n,
            mean=shown(total / n) if n else None,
            q1=q1,
            median=median,
            q3=q3,
            change=changes.get(factor),
        )
        for factor, n, total, q1, median, q3 in store.factor_scores(session, round_id=round_id)
    )


def you_said(engine: Engine, *, round_id: int) -> YouSaid | None:
    """What participants may see of a round; None when the round was not published."""
    with read_session(engine) as session:
        facts = store.publication_facts(session, round_id=round_id)
        if facts is None:
            return None
        discussed, summary = _meeting(session, round_id)
        return YouSaid(
            round_id=round_id,
            community_id=facts.community_id,
            period=facts.period,
            instrument_id=facts.instrument_id,
            instrument_version=facts.instrument_version,
            responses=facts.responses,
            factors=_factors(session, round_id),
            forces_respondents=facts.forces_respondents,
            forces=tuple(store.published_forces(session, round_id=round_id))
            if facts.forces_respondents
            else (),
            actions=tuple(
                AgreedAction(factor_id=f, what=what, status=status, due_on=due)
                for f, what, status, due in store.round_actions(session, round_id=round_id)
            ),
            discussed=tuple((int(f), str(o), str(n)) for f, o, n in discussed),
            summary=summary,
        )


def published_rounds(engine: Engine, *, community_id: int) -> list[tuple[int, str]]:
    """(round id, period) of the community's published rounds, newest first: the rounds a
    participant's "You said, we did" can show."""
    with read_session(engine) as session:
        return store.published_rounds(session, community_id=community_id)
