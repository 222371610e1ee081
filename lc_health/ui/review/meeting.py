"""The conversation in progress on the page: whose meeting, which round, who is at the keyboard,
and which factors the figures proposed; and the agenda as stored so far."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lc_health.services import agenda
from lc_health.store.db import read_session
from lc_health.ui.context import app


@dataclass(frozen=True)
class Meeting:
    community_id: int
    round_id: int
    actor: str
    proposed: tuple[int, ...]


def agenda_frame(meeting: Meeting) -> pd.DataFrame:
    """The round's agenda (metrics.agenda.agenda), read fresh: the group edits it live."""
    with read_session(app().engine) as session:
        return agenda.agenda_frame(
            session, round_id=meeting.round_id, proposed=list(meeting.proposed)
        )
