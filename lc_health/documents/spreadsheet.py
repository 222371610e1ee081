"""Every file the app writes for a spreadsheet (CSV, CSV for Dutch Excel, Excel) is written here,
and text in it never becomes a live formula.

The rule (OWASP, "CSV injection"): a text cell that a spreadsheet would read as a formula gets a
leading apostrophe, which spreadsheets read as "this is text"; the text is otherwise unchanged,
and numbers stay numbers (-2.5 is a number, not a formula). In Excel files every text cell is
moreover written as a string cell, so that nothing in it is ever a formula, an error code or a
number. Builders hand over tables (a frame, named frames, or an openpyxl workbook) and the
export registry writes them with `write`; a builder cannot hand over spreadsheet bytes.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Mapping
from typing import TypeAlias

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet reads a cell that starts with one of these as a formula (or, for tab, carriage
# return and line feed, as the start of one after its own trimming).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Full-width and small forms, and the minus sign, that an input method or a spreadsheet may turn
# into the characters above.
LOOKALIKES = ("\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63", "\u2212")

# The spreadsheet formats and what they are written as.
CSV, CSV_NL, XLSX = "csv", "csv-nl", "xlsx"
FORMATS = frozenset({CSV, CSV_NL, XLSX})

Sheets: TypeAlias = Mapping[str, pd.DataFrame]
# What a builder hands over for a spreadsheet format: one table (a CSV without a table column),
# named tables (one CSV with a `table` column, or one sheet each), or a workbook (Excel only).
Spreadsheet: TypeAlias = pd.DataFrame | Sheets | Workbook


def _hidden(char: str) -> bool:
    """Blank or invisible (zero-width, byte-order mark): a spreadsheet may skip it."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet could read as a formula: it starts with a formula character,
    or with one after blanks or invisible characters, or with a look-alike of one."""
    if text.startswith(FORMULA_STARTS):
        return True
    start = next((c for c in text if not _hidden(c)), "")
    return start != "" and start in FORMULA_STARTS + LOOKALIKES


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe;
    everything else as it is (numbers stay numbers). Applying it twice changes nothing."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def original_text(value: str) -> str:
    """The text before safe_cell (for readers of our files)."""
    if value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """safe_cell on every text cell and column name."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


# -- CSV -----------------------------------------------------------------------------------------


def _decimal_comma(value: object) -> object:
    if isinstance(value, float) and not math.isnan(value):
        return str(value).replace(".", ",")
    return value


def _csv_text(frame: pd.DataFrame, *, nl: bool) -> str:
    frame = safe_frame(frame)
    if nl:  # numbers among text (a key/value table) get their decimal comma here
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(_decimal_comma)
    # CRLF rows (RFC 4180): a carriage return inside a text is then quoted like a line feed.
    return str(
        frame.to_csv(
            index=False,
            sep=";" if nl else ",",
            decimal="," if nl else ".",
            lineterminator="\r\n",
        )
    )


def table_csv(frame: pd.DataFrame, *, nl: bool = False) -> bytes:
    """One table as CSV, UTF-8 with a BOM so that Excel reads accents. `nl`: for Excel with Dutch
    settings (`;` between cells, a decimal comma)."""
    return _csv_text(frame, nl=nl).encode("utf-8-sig")


def sheets_csv(sheets: Sheets, *, nl: bool = False) -> bytes:
    """All tables in one tidy CSV (a `table` column says which), as table_csv."""
    parts = [frame.assign(table=name) for name, frame in sheets.items() if len(frame)]
    if not parts:
        return "table\n".encode("utf-8-sig")
    combined = pd.concat(parts, ignore_index=True)
    columns = ["table", *[c for c in combined.columns if c != "table"]]
    return table_csv(combined[columns], nl=nl)


# -- Excel ---------------------------------------------------------------------------------------


def inert_workbook(book: Workbook) -> Workbook:
    """Every text cell (and any formula a builder set) becomes a string cell, made inert."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", cell.value)
                    cell.value = safe_cell(text)
                    cell.data_type = "s"
    return book


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    inert_workbook(book).save(out)
    return out.getvalue()


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    # openpyxl refuses control characters; they cannot be in an Excel file at all.
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v
            )
    return out


def sheets_xlsx(sheets: Sheets) -> bytes:
    """One sheet per table (names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _excel_safe(frame).to_excel(writer, sheet_name=name[:31], index=False)
        inert_workbook(writer.book)
    return buffer.getvalue()


def write(made: Spreadsheet | bytes, fmt: str) -> bytes:
    """A builder's tables as the spreadsheet format `fmt` (csv, csv-nl or xlsx)."""
    if isinstance(made, bytes):
        raise TypeError(f"a {fmt} export is handed over as tables, so that its text is made inert")
    if isinstance(made, Workbook):
        if fmt != XLSX:
            raise TypeError(f"a workbook is not a {fmt} file")
        return workbook_bytes(made)
    if fmt == XLSX:
        return sheets_xlsx({"data": made} if isinstance(made, pd.DataFrame) else made)
    if fmt not in (CSV, CSV_NL):
        raise ValueError(f"{fmt} is not a spreadsheet format")
    if isinstance(made, pd.DataFrame):
        return table_csv(made, nl=fmt == CSV_NL)
    return sheets_csv(made, nl=fmt == CSV_NL)
