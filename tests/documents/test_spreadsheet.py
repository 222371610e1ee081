"""Text bound for a spreadsheet never starts a formula: the cells, and the invitation-link CSV
(community names and link labels are typed by people)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from lc_health.documents.linksheet import LinkCard, links_csv
from lc_health.documents.spreadsheet import safe_cell, safe_frame


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-dit", "'-dit"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("gewoon", "gewoon"),
        ("", ""),
        (-2.5, -2.5),  # numbers stay numbers
        (None, None),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_safe_frame_covers_text_columns_and_names() -> None:
    frame = pd.DataFrame({"=kop": ["=a", "b"], "n": [-1, 2]})
    out = safe_frame(frame)
    assert list(out.columns) == ["'=kop", "n"]
    assert out["'=kop"].tolist() == ["'=a", "b"] and out["n"].tolist() == [-1, 2]


def test_link_csv_makes_typed_text_inert() -> None:
    data = links_csv(
        [LinkCard("http://localhost/?t=abc", '=HYPERLINK("x")'), LinkCard("http://x", "ok")],
        community="@Lab\rNoord",
        period="2026-Q3",
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("x")' in cells and "'@Lab\rNoord" in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
