"""Typing in paper scoring sheets: from the entry grid (one row per sheet) to the checked rows
that importing.commit stores, plus the sheet numbers that help a lead skip duplicates.

The grid is turned into the shape importing.validate reads (template column names, text cells),
so paper answers are checked by exactly the same rules as an imported file. Everything here is
pure except the two small queries at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlmodel import Session

from lc_health.domain.import_format import HEADER_ROW, template_columns
from lc_health.domain.instrument import Instrument
from lc_health.services import importing
from lc_health.services.importing import CellProblem, Preview
from lc_health.store import imports

SHEET = "sheet"  # the grid's sheet-number column; not a template column, so never stored
PROFILE = ("role", "organisation_type")
LANGUAGE = "language"
SCORE_OPTIONS = ("1", "2", "3", "4", "5", "?")
SOURCE_PREFIX = "paper: "
SHEETS_MARK = " · #"
MAX_SHEET = 99_999
_WHOLE = re.compile(r"^\d+$")


def grid_columns(instrument: Instrument) -> list[str]:
    """The entry grid's columns: sheet number, role, organisation type, one per statement."""
    return [SHEET, *PROFILE, *(i.id for i in instrument.items)]


def empty_grid(instrument: Instrument, rows: int) -> pd.DataFrame:
    """A grid of blank rows to type into (blank rows are skipped when checking), numbered
    from 1 so that the row numbers on screen are the ones problems name."""
    index = pd.RangeIndex(1, rows + 1)
    data: dict[str, pd.Series[Any]] = {SHEET: pd.Series([pd.NA] * rows, dtype="Int64", index=index)}
    for name in grid_columns(instrument)[1:]:
        data[name] = pd.Series([None] * rows, dtype="object", index=index)
    return pd.DataFrame(data, index=index)


def _text(value: object) -> str:
    """A grid cell as the text an imported file would hold: '' when empty, '3' for 3.0."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def rows_to_frame(grid: pd.DataFrame, instrument: Instrument, *, language: str) -> pd.DataFrame:
    """The grid as importing.validate reads it: text cells under template column names, plus the
    sheet column. Rows with anything typed get the language of the paper forms; rows without
    stay fully empty, so validate skips them."""
    columns = grid_columns(instrument)
    frame = pd.DataFrame(
        {
            name: [_text(v) for v in grid[name]] if name in grid.columns else [""] * len(grid)
            for name in columns
        },
        dtype=str,
    ).reset_index(drop=True)
    filled = [any(row) for row in frame.itertuples(index=False, name=None)]
    frame.insert(1, LANGUAGE, [language if f else "" for f in filled])
    return frame


def mapping(instrument: Instrument) -> dict[str, str | None]:
    """Template column -> the frame's column of the same name (or None: not on paper)."""
    on_paper = {LANGUAGE, *PROFILE, *(i.id for i in instrument.items)}
    return {c: (c if c in on_paper else None) for c in template_columns(instrument)}


def _sheet_problems(frame: pd.DataFrame) -> list[CellProblem]:
    """A sheet number must be a whole number and appear once."""
    problems: list[CellProblem] = []
    numbers = frame[SHEET].tolist()
    valid = [n for n in numbers if _WHOLE.match(n) and 1 <= int(n) <= MAX_SHEET]
    seen = Counter(int(n) for n in valid)
    for index, text in enumerate(numbers):
        if not text:
            continue
        row = index + HEADER_ROW + 1
        if text not in valid:
            problems.append(CellProblem(row, SHEET, "paper.bad_sheet", {"value": text}, text))
        elif seen[int(text)] > 1:
            problems.append(
                CellProblem(row, SHEET, "paper.duplicate_sheet", {"number": int(text)}, text)
            )
    return problems


def check(grid: pd.DataFrame, instrument: Instrument, *, language: str) -> Preview:
    """Every typed sheet checked by importing.validate, plus the sheet numbers; problems in
    grid order (row, then column)."""
    frame = rows_to_frame(grid, instrument, language=language)
    preview = importing.validate(frame, mapping(instrument), instrument, {})
    order = {name: n for n, name in enumerate(grid_columns(instrument))}
    problems = sorted(
        [*preview.problems, *_sheet_problems(frame)],
        key=lambda p: (p.row, order.get(p.column, len(order))),
    )
    return Preview(rows=preview.rows, problems=problems, skipped_empty=preview.skipped_empty)


def grid_row(problem: CellProblem) -> int:
    """The grid row (1 = first) a problem is about."""
    return problem.row - HEADER_ROW


def row_label(grid: pd.DataFrame, problem: CellProblem) -> int:
    """The row number the grid shows for a problem's row (rows may have been deleted)."""
    position = grid_row(problem) - 1
    if 0 <= position < len(grid.index):
        label = _text(grid.index[position])
        if _WHOLE.match(label):
            return int(label)
    return position + 1


def sheet_numbers(grid: pd.DataFrame) -> list[int]:
    """The valid sheet numbers typed in the grid, in order, without repeats."""
    if SHEET not in grid.columns:
        return []
    texts = (_text(v) for v in grid[SHEET])
    return list(dict.fromkeys(int(t) for t in texts if _WHOLE.match(t) and int(t) <= MAX_SHEET))


def number_ranges(numbers: Iterable[int]) -> str:
    """[1, 2, 3, 5, 7, 8] -> '1-3, 5, 7-8'."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        parts.append(str(first) if first == last else f"{first}-{last}")
        start = end + 1
    return ", ".join(parts)


def source_text(label: str, sheets: Iterable[int] = ()) -> str:
    """The import batch's source: 'paper: <label>', with the sheet numbers when there are any
    and they fit in the column."""
    base = SOURCE_PREFIX + (" ".join(label.split()) or "-")
    base = base[: importing.MAX_SOURCE_CHARS]
    ranges = number_ranges(sheets)
    with_sheets = f"{base}{SHEETS_MARK}{ranges}" if ranges else base
    return with_sheets if len(with_sheets) <= importing.MAX_SOURCE_CHARS else base


def parse_sheets(source: str) -> set[int]:
    """The sheet numbers a batch source of source_text names (empty for anything else)."""
    if not source.startswith(SOURCE_PREFIX) or SHEETS_MARK not in source:
        return set()
    found: set[int] = set()
    for part in source.rsplit(SHEETS_MARK, 1)[1].split(","):
        bounds = part.strip().split("-")
        if len(bounds) in (1, 2) and all(_WHOLE.match(b) for b in bounds):
            low, high = int(bounds[0]), int(bounds[-1])
            if low <= high <= MAX_SHEET:
                found.update(range(low, high + 1))
    return found


def label_of(source: str) -> str:
    """The label a lead typed, as shown back: without the 'paper: ' prefix and sheet list."""
    text = source.removeprefix(SOURCE_PREFIX.strip()).strip()
    return text.rsplit(SHEETS_MARK, 1)[0] if parse_sheets(source) else text


# -- the two reads the page needs -----------------------------------------------------------


def paper_responses(*, session: Session, round_id: int) -> int:
    """How many of a round's responses came from paper."""
    return imports.paper_count(session, round_id=round_id)


def paper_sessions(*, session: Session, round_id: int) -> pd.DataFrame:
    """A round's earlier paper batches, newest first (columns as imports.earlier_imports)."""
    frame = imports.earlier_imports(session=session, round_id=round_id)
    return frame[frame["source"].str.startswith(SOURCE_PREFIX.strip())].reset_index(drop=True)


def sheets_seen(sessions: pd.DataFrame) -> set[int]:
    """Every sheet number named by earlier paper batches."""
    found: set[int] = set()
    for source in sessions["source"] if "source" in sessions.columns else ():
        found |= parse_sheets(str(source))
    return found
