"""Charts are checked against the Vega-Lite schema in the tests and not on page views: with
the check on, a malformed chart is refused; with it off, the same chart goes to Streamlit
unchecked (and a good chart's JSON is the same either way)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from altair.utils.schemapi import SchemaValidationError

from lc_health.ui import widgets

FRAME = pd.DataFrame({"x": [1, 2, 3], "y": [2.0, 3.5, 4.0]})


def _malformed() -> alt.Chart:
    return alt.Chart(FRAME).mark_point().encode(x=alt.X("x", type="quantity"), y="y:Q")


def test_the_check_refuses_a_malformed_chart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(widgets, "CHECK_CHARTS", True)
    with pytest.raises(SchemaValidationError):
        widgets.show_chart(_malformed(), description="A malformed chart.")


def test_pages_skip_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(widgets, "CHECK_CHARTS", False)
    # Drawn without the check: no error.
    widgets.show_chart(_malformed(), description="A malformed chart.")


def test_skipping_the_check_changes_nothing_in_a_good_chart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = alt.Chart(FRAME).mark_line().encode(x="x:Q", y="y:Q")
    checked = good.to_dict()
    monkeypatch.setattr(widgets, "CHECK_CHARTS", False)
    widgets.show_chart(good, description="A line.")
    assert good.to_dict() == checked
