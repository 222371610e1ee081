"""The conversation's agenda and its overview, as plain frames: which factors the group talks
about in which order (dots first, then the order the figures proposed them), and which earlier
actions are still open or overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from lc_health.domain.enums import ActionStatus

AGENDA_COLUMNS = [
    "factor_id",
    "position",
    "dots",
    "added_by_group",
    "dropped",
    "outcome",
    "note",
]
UNFINISHED = (ActionStatus.open.value, ActionStatus.in_progress.value)


def agenda(proposed: Sequence[int], stored: pd.DataFrame) -> pd.DataFrame:
    """The round's agenda (AGENDA_COLUMNS): the proposed factors (in proposal order, no dots
    yet) with what the group stored over them, plus the factors the group added; sorted by dots
    (most first), ties by position. Dropped factors are kept, flagged, at the end."""
    base = pd.DataFrame(
        {
            "factor_id": [int(f) for f in proposed],
            "position": range(len(proposed)),
            "dots": 0,
            "added_by_group": False,
            "dropped": False,
            "outcome": None,
            "note": "",
        },
        columns=AGENDA_COLUMNS,
    )
    kept = stored[AGENDA_COLUMNS] if not stored.empty else stored.reindex(columns=AGENDA_COLUMNS)
    base = base[~base["factor_id"].isin(kept["factor_id"])]
    frames = [f for f in (base, kept) if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else base
    out = out.astype({"factor_id": int, "position": int, "dots": int})
    out["added_by_group"] = out["added_by_group"].astype(bool)
    out["dropped"] = out["dropped"].astype(bool)
    out["outcome"] = out["outcome"].astype(object).where(out["outcome"].notna(), None)
    out["note"] = out["note"].fillna("").astype(str)
    out = out.sort_values(
        ["dropped", "dots", "position", "factor_id"], ascending=[True, False, True, True]
    )
    return out.reset_index(drop=True)


def order(frame: pd.DataFrame) -> list[int]:
    """The factors still on the agenda (not dropped), in the order to discuss them."""
    return [int(f) for f in frame.loc[~frame["dropped"], "factor_id"]]


def next_position(proposed: Sequence[int], stored: pd.DataFrame) -> int:
    """The position of a factor the group adds: after every proposed and stored one."""
    last = int(stored["position"].max()) if not stored.empty else -1
    return max(len(proposed), last + 1)


def open_actions(actions: pd.DataFrame, today: date) -> pd.DataFrame:
    """The community's actions (any round, any factor) that are not done or dropped, with an
    `overdue` flag (a due date before today); overdue ones first, then by due date."""
    out = actions[actions["status"].isin(UNFINISHED)].copy()
    due = pd.to_datetime(out["due_on"], errors="coerce")
    out["overdue"] = (due < pd.Timestamp(today)).fillna(False).astype(bool)
    out["_due"] = due
    out = out.sort_values(["overdue", "_due", "action_id"], ascending=[False, True, True])
    return out.drop(columns="_due").reset_index(drop=True)
