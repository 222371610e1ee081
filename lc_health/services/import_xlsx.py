"""The first sheet of an Excel workbook for an import, streamed (openpyxl read-only): a sheet
with too many rows is refused after reading at most the allowed number of filled rows, and
formula cells whose result was never saved (a workbook written by a program, not by Excel) are
named instead of being read as blanks."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter


class UnreadableWorkbook(Exception):
    """Not a workbook openpyxl can open (not a zip, broken, encrypted, ...)."""


class TooManyRows(Exception):
    """More filled rows than allowed; `rows` is how many the sheet says it has (its dimension,
    without the header), None when it does not say."""

    def __init__(self, rows: int | None) -> None:
        super().__init__(rows)
        self.rows = rows


@dataclass(frozen=True)
class Sheet:
    rows: list[list[str]]  # the header row first; every row as wide as the widest
    formula_cells: list[str]  # e.g. "D5": a formula without a saved result, read as empty


def _text(value: Any) -> str:
    """A cell as the import reads it: 4.0 is "4", empty is ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open(data: bytes, *, data_only: bool) -> Any:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; they do not matter here.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # zipfile, XML and openpyxl errors all mean "unreadable"
        raise UnreadableWorkbook from exc


def _rows(book: Any, limit: int) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows, values only; at most `limit` rows."""
    sheet = book.worksheets[0]
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > limit:
            return
        yield row


def read_sheet(data: bytes, *, max_filled_rows: int) -> Sheet:
    """The first sheet as text cells; raises UnreadableWorkbook, or TooManyRows as soon as more
    than max_filled_rows rows after the header hold something."""
    book = _open(data, data_only=True)
    try:
        declared = book.worksheets[0].max_row
        rows: list[list[str]] = []
        filled = 0
        for row in _rows(book, limit=2**31):
            cells = [_text(v) for v in row]
            if rows and any(c.strip() for c in cells):
                filled += 1
                if filled > max_filled_rows:
                    raise TooManyRows(declared - 1 if declared and declared > filled else None)
            rows.append(cells)
    except (UnreadableWorkbook, TooManyRows):
        raise
    except Exception as exc:  # a broken sheet inside a valid zip
        raise UnreadableWorkbook from exc
    finally:
        book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return Sheet(rows=rows, formula_cells=_unsaved_formulas(data, rows))


def _unsaved_formulas(data: bytes, rows: list[list[str]]) -> list[str]:
    """Cells that hold a formula but were read as empty: the file has no saved result."""
    book = _open(data, data_only=False)
    found: list[str] = []
    try:
        for number, row in enumerate(_rows(book, limit=len(rows)), start=1):
            for column, value in enumerate(row, start=1):
                formula = isinstance(value, str) and value.startswith("=")
                if formula and column <= len(rows[number - 1]) and not rows[number - 1][column - 1]:
                    found.append(f"{get_column_letter(column)}{number}")
    finally:
        book.close()
    return found
