"""The open-link audit trail: one row per open-link submission (when, a salted hash of the
browser session, two signs of a made-up response), deliberately not linked to the response, and
the per-database salt of that hash.

Reads never return anything a response contains; the hashes are only for counting distinct
sessions and repeats (lc_health.services.open_link_audit), never for showing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store import ids
from lc_health.store.models import AppMeta, Community, OpenLinkSubmission, Round

SALT_KEY = "open_link_salt"
TRAIL_COLUMNS = ["round_id", "at", "session_hash", "straightlined", "seconds"]
SUMMARY_COLUMNS = ["round_id", "community_id", "community", "period", "submissions"]


def stored_salt(*, session: Session) -> str | None:
    """This database's salt for session hashes, if it has one yet. Never log it."""
    row = session.get(AppMeta, SALT_KEY)
    return row.value if row is not None else None


def add_salt(*, session: Session, salt: str) -> None:
    """Store the salt (fails on commit with IntegrityError when another process was first)."""
    session.add(AppMeta(key=SALT_KEY, value=salt))


def record_open_link_submission(
    *,
    session: Session,
    round_id: int,
    session_hash: str,
    straightlined: bool,
    seconds: int | None,
) -> None:
    """Add one open-link submission to the trail, in the caller's transaction."""
    session.add(
        OpenLinkSubmission(
            round_id=round_id,
            session_hash=session_hash,
            straightlined=straightlined,
            seconds=seconds,
        )
    )


def _trail(session: Session, round_ids: list[int]) -> pd.DataFrame:
    stmt = (
        sa_select(
            col(OpenLinkSubmission.round_id),
            col(OpenLinkSubmission.at),
            col(OpenLinkSubmission.session_hash),
            col(OpenLinkSubmission.straightlined),
            col(OpenLinkSubmission.seconds),
        )
        .where(col(OpenLinkSubmission.round_id).in_(round_ids))
        .order_by(col(OpenLinkSubmission.round_id), col(OpenLinkSubmission.at))
    )
    rows = session.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=TRAIL_COLUMNS)
    return frame.astype({"round_id": "int64", "straightlined": "bool", "seconds": "Int64"})


def open_link_trail(*, session: Session, round_id: int) -> pd.DataFrame:
    """Columns: round_id, at, session_hash, straightlined, seconds (oldest first)."""
    return _trail(session, [round_id])


def open_link_trails(*, session: Session, round_ids: Iterable[int]) -> pd.DataFrame:
    """The trails of several rounds, as open_link_trail (by round, oldest first)."""
    return _trail(session, ids(round_ids))


def open_link_rounds_summary(
    *, session: Session, community_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Rounds with open-link submissions. Columns: round_id, community_id, community, period,
    submissions (newest period first)."""
    stmt = (
        sa_select(
            col(Round.id),
            col(Community.id),
            col(Community.name),
            col(Round.period),
            func.count(col(OpenLinkSubmission.id)),
        )
        .select_from(OpenLinkSubmission)
        .join(Round, col(Round.id) == col(OpenLinkSubmission.round_id))
        .join(Community, col(Community.id) == col(Round.community_id))
        .group_by(col(Round.id), col(Community.id), col(Community.name), col(Round.period))
        .order_by(col(Round.period).desc(), col(Community.name))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    rows = session.execute(stmt).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=SUMMARY_COLUMNS)
    return frame.astype({"round_id": "int64", "community_id": "int64", "submissions": "int64"})
