"""The round export straight from small frames: one tidy CSV with CRLF rows and a table column,
an Excel file with one sheet per table whose cells are never formulas, and a report page where
every text is escaped and the actions appear (or the note that there are none)."""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import partial

import openpyxl
import pandas as pd

from lc_health.documents.report import ReportTables, quarter_report, table_html, to_csv, to_excel
from lc_health.domain.i18n import translate

FACTORS = pd.DataFrame({"factor": ["=Trust", "Goals"], "mean": [3.4, 4.1], "n": [8, 8]})
ACTIONS = pd.DataFrame({"what": ["@invite the alderman", "<b>plan</b>"], "who": ["lead", "-"]})


def _sheets() -> dict[str, pd.DataFrame]:
    return {"Factors": FACTORS, "Actions": ACTIONS, "Empty": pd.DataFrame({"x": []})}


def test_csv_is_one_tidy_table_with_crlf_rows_and_inert_text() -> None:
    data = to_csv(_sheets())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 5 and "\n" not in text.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == ["table", "factor", "mean", "n", "what", "who"]
    assert [row["table"] for row in rows] == ["Factors", "Factors", "Actions", "Actions"]
    assert rows[0]["factor"] == "'=Trust" and rows[1]["mean"] == "4.1"
    assert rows[2]["what"] == "'@invite the alderman" and rows[3]["who"] == "'-"


def test_csv_of_nothing_is_just_the_header() -> None:
    assert to_csv({"Empty": pd.DataFrame({"x": []})}) == "table\n".encode("utf-8-sig")


def test_excel_has_a_sheet_per_table_and_no_formula_cells() -> None:
    sheets = {**_sheets(), "A sheet name longer than thirty-one characters": FACTORS}
    book = openpyxl.load_workbook(io.BytesIO(to_excel(sheets)))
    assert book.sheetnames == ["Factors", "Actions", "Empty", "A sheet name longer than thirty"]
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    factors = book["Factors"]
    assert [c.value for c in factors[1]] == ["factor", "mean", "n"]
    assert [c.value for c in factors[2]] == ["'=Trust", 3.4, 8]  # numbers stay numbers
    assert book["Actions"]["A2"].value == "'@invite the alderman"


def test_report_tables_name_their_sheets_in_the_page_language() -> None:
    empty = pd.DataFrame()
    tables = ReportTables(FACTORS, empty, empty, empty, empty, ACTIONS)
    nl = tables.sheets(partial(translate, "nl"))
    en = tables.sheets(partial(translate, "en"))
    assert list(nl) == [
        "Factoren",
        "Factoren x lagen",
        "Lagen",
        "Verandering",
        "Krachtenveld",
        "Acties",
    ]
    assert list(en)[0] == "Factors" and en["Actions"] is ACTIONS


def test_table_html_escapes_text_and_leaves_missing_values_empty() -> None:
    frame = pd.DataFrame({"<col>": ["<script>x</script>", None], "n": [1, 2]})
    out = table_html(frame)
    assert "<script>" not in out and "&lt;script&gt;x&lt;/script&gt;" in out
    assert "<th>&lt;col&gt;</th>" in out
    assert out.count("<tr>") == 3 and "<td></td>" in out


def _report(lang: str, actions: pd.DataFrame) -> str:
    return quarter_report(
        title="Lab <Noord>",
        subtitle="Q2 2026",
        headline={"Responses": "12", "Health": "3.8"},
        sections=[("Factors & layers", "Each cell is a mean.", "<svg id='chart'></svg>")],
        actions=actions,
        tr=partial(translate, lang),
        lang=lang,
        made_on=date(2026, 7, 1),
    )


def test_report_page_escapes_texts_keeps_the_chart_and_lists_actions() -> None:
    page = _report("en", ACTIONS)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "<title>Lab &lt;Noord&gt; · Q2 2026</title>" in page
    assert "<h2>Factors &amp; layers</h2>" in page
    assert "<svg id='chart'></svg>" in page  # the chart is inline SVG, not escaped
    assert '<div class="label">Responses</div><div class="value">12</div>' in page
    assert "Agreed actions" in page and "&lt;b&gt;plan&lt;/b&gt;" in page
    assert "<b>plan</b>" not in page
    assert "01-07-2026" in page


def test_report_page_without_actions_says_so_in_dutch() -> None:
    page = _report("nl", pd.DataFrame())
    assert '<html lang="nl">' in page
    assert translate("nl", "report.no_actions") in page and "Afgesproken acties" in page
    assert "<table>" not in page
