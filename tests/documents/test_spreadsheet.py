"""Text bound for a spreadsheet never starts a formula: the cells, and the invitation-link CSV
(community names and link labels are typed by people)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from lc_health.documents.linksheet import LinkCard, links_csv
from lc_health.documents.spreadsheet import original_text, safe_cell, safe_frame, table_csv


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


def test_csv_for_dutch_excel_has_semicolons_decimal_commas_and_reads_back() -> None:
    frame = pd.DataFrame(
        {
            "name": ["Lab; Noord", "=1+1", "-2+3", "3.5"],
            "mean": [3.25, -0.5, 4.0, None],
            "n": [8, -2, 0, 5],
            "value": ["tekst", 2.75, -1.5, 7],  # numbers among text (a key/value table)
        }
    )
    data = table_csv(frame, nl=True)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["name", "mean", "n", "value"]
    assert rows[1] == ["Lab; Noord", "3,25", "8", "tekst"]
    assert rows[2] == ["'=1+1", "-0,5", "-2", "2,75"]  # a negative number stays a number
    assert rows[3][0] == "'-2+3" and rows[4] == ["3.5", "", "5", "7"]  # text is left as it is
    # The same table as the plain CSV, read with ; and the decimal comma.
    nl = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    plain = pd.read_csv(io.BytesIO(table_csv(frame)), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(nl.drop(columns="value"), plain.drop(columns="value"))
    assert [v.replace(",", ".") for v in nl["value"]] == plain["value"].tolist()
    assert nl["mean"].tolist()[:3] == [3.25, -0.5, 4.0]
    assert [original_text(v) for v in nl["name"]] == frame["name"].tolist()
