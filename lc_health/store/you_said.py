"""What a participant's "You said, we did" page reads of a round: only what was published
(Publication and the Published* tables) and the actions the community agreed on for it; never
a raw answer, never an open round's running tallies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store.models import (
    Action,
    Publication,
    PublishedChange,
    PublishedForce,
    PublishedScore,
    Round,
)

FACTOR_SCOPE = "factor"


def published_rounds(session: Session, *, community_id: int) -> list[tuple[int, str]]:
    """(round id, period) of the community's published rounds that had responses, newest
    period first (a round nobody answered has nothing to tell)."""
    rows = session.execute(
        sa_select(col(Round.id), col(Round.period))
        .join(Publication, col(Publication.round_id) == col(Round.id))
        .where(col(Round.community_id) == community_id, col(Publication.responses) > 0)
        .order_by(col(Round.period).desc())
    ).all()
    return [(int(round_id), str(period)) for round_id, period in rows]


@dataclass(frozen=True)
class Facts:
    """A published round: whose, when, which instrument, and what its figures rest on."""

    community_id: int
    period: str
    instrument_id: str
    instrument_version: int
    responses: int
    forces_respondents: int


def publication_facts(session: Session, *, round_id: int) -> Facts | None:
    """The facts of a published round; None when the round was not published."""
    row = session.execute(
        sa_select(
            col(Round.community_id),
            col(Round.period),
            col(Round.instrument_id),
            col(Round.instrument_version),
            col(Publication.responses),
            col(Publication.forces_respondents),
        )
        .join(Publication, col(Publication.round_id) == col(Round.id))
        .where(col(Round.id) == round_id)
    ).first()
    if row is None:
        return None
    community_id, period, instrument_id, version, responses, forces = row
    return Facts(
        int(community_id),
        str(period),
        str(instrument_id),
        int(version),
        int(responses),
        int(forces),
    )


def factor_scores(
    session: Session, *, round_id: int
) -> list[tuple[int, int, float, float | None, float | None, float | None]]:
    """(factor id, n, total, q1, median, q3) of the round's published factor scores."""
    rows = session.execute(
        sa_select(
            col(PublishedScore.key),
            col(PublishedScore.n),
            col(PublishedScore.total),
            col(PublishedScore.q1),
            col(PublishedScore.median),
            col(PublishedScore.q3),
        ).where(col(PublishedScore.round_id) == round_id, col(PublishedScore.scope) == FACTOR_SCOPE)
    ).all()
    return sorted(
        (int(key), int(n), float(total), q1, median, q3) for key, n, total, q1, median, q3 in rows
    )


def factor_changes(session: Session, *, round_id: int) -> dict[int, str]:
    """Factor id -> the published change verdict since the previous published round."""
    rows = session.execute(
        sa_select(col(PublishedChange.key), col(PublishedChange.status)).where(
            col(PublishedChange.round_id) == round_id,
            col(PublishedChange.scope) == FACTOR_SCOPE,
        )
    ).all()
    return {int(key): str(status) for key, status in rows}


def published_forces(session: Session, *, round_id: int) -> list[tuple[str, int]]:
    """(force id, respondents recognising it) as published, most recognised first."""
    rows = session.execute(
        sa_select(col(PublishedForce.force_id), col(PublishedForce.n)).where(
            col(PublishedForce.round_id) == round_id, col(PublishedForce.n) > 0
        )
    ).all()
    return sorted(((str(f), int(n)) for f, n in rows), key=lambda r: (-r[1], r[0]))


def round_actions(session: Session, *, round_id: int) -> list[tuple[int, str, str, date | None]]:
    """(factor id, what, status, due date) of the actions agreed for the round, in the order
    they were recorded (never who owns or recorded them, nor the lead's follow-up note)."""
    rows = session.execute(
        sa_select(
            col(Action.factor_id),
            col(Action.what),
            col(Action.status),
            col(Action.due_on),
        )
        .where(col(Action.round_id) == round_id)
        .order_by(col(Action.id))
    ).all()
    return [(int(f), str(what), str(status), due) for f, what, status, due in rows]
