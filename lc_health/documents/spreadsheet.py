"""Text bound for a spreadsheet (CSV or Excel) never becomes a live formula: a cell that starts
with a formula character gets a leading apostrophe, which spreadsheets read as "this is text".
Every file the app writes for a spreadsheet goes through safe_frame."""

from __future__ import annotations

import pandas as pd

# A spreadsheet reads a cell that starts with one of these as a formula (or, for tab and carriage
# return, as the start of one after its own trimming).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe;
    everything else as it is (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """safe_cell on every text cell and column name."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out
