"""metrics.agenda: the agenda sorts by dots, ties keep the proposal order, dropped factors go
last; the overview lists every unfinished action with overdue ones first."""

from __future__ import annotations

from datetime import date

import pandas as pd

from lc_health.metrics import agenda

STORED_COLUMNS = [*agenda.AGENDA_COLUMNS, "updated_at"]


def _stored(rows: list[dict[str, object]]) -> pd.DataFrame:
    defaults = {"added_by_group": False, "dropped": False, "outcome": None, "note": ""}
    return pd.DataFrame([defaults | r for r in rows], columns=agenda.AGENDA_COLUMNS)


def test_without_votes_the_agenda_is_the_proposal() -> None:
    frame = agenda.agenda([9, 3, 5], _stored([]))
    assert agenda.order(frame) == [9, 3, 5]
    assert frame["dots"].tolist() == [0, 0, 0] and frame["outcome"].isna().all()


def test_dots_first_then_the_proposal_order_and_dropped_last() -> None:
    stored = _stored(
        [
            {"factor_id": 5, "position": 2, "dots": 3},
            {"factor_id": 3, "position": 1, "dots": 1},
            {"factor_id": 9, "position": 0, "dots": 1},
            {"factor_id": 11, "position": 3, "dots": 3, "added_by_group": True},
            {"factor_id": 1, "position": 4, "dots": 9, "added_by_group": True, "dropped": True},
        ]
    )
    frame = agenda.agenda([9, 3, 5], stored)
    assert agenda.order(frame) == [5, 11, 9, 3]
    assert frame["factor_id"].tolist()[-1] == 1 and bool(frame["dropped"].iloc[-1])
    assert agenda.next_position([9, 3, 5], stored) == 5
    assert agenda.next_position([9, 3, 5], _stored([])) == 3


def test_a_stored_row_replaces_the_proposed_one() -> None:
    stored = _stored([{"factor_id": 3, "position": 1, "dots": 0, "outcome": "no_action"}])
    frame = agenda.agenda([9, 3], stored)
    assert frame["factor_id"].tolist() == [9, 3]
    assert frame.set_index("factor_id").loc[3, "outcome"] == "no_action"


def test_open_actions_any_round_overdue_first() -> None:
    actions = pd.DataFrame(
        {
            "action_id": [1, 2, 3, 4, 5],
            "round_id": [1, 1, 2, 2, 2],
            "factor_id": [7, 9, 3, 9, 1],
            "due_on": [date(2026, 9, 1), None, date(2027, 3, 1), date(2026, 11, 1), None],
            "status": ["open", "in_progress", "open", "done", "dropped"],
        }
    )
    out = agenda.open_actions(actions, date(2026, 12, 6))
    assert out["action_id"].tolist() == [1, 3, 2]
    assert out["overdue"].tolist() == [True, False, False]
    assert agenda.open_actions(actions.iloc[0:0], date(2026, 12, 6)).empty
