"""The shape of an import file (another survey tool's export, a spreadsheet, typed-in paper
sheets): its columns in order and its limits. The template (documents.import_template) and the
import itself (services.importing) both follow it."""

from __future__ import annotations

from lc_health.domain.instrument import Instrument

COMMENT_COLUMN = "comment"
PROFILE_COLUMNS = ("language", "role", "organisation", "organisation_type")
MAX_ROWS = 5000
HEADER_ROW = 1  # spreadsheet row of the column names; the first respondent is on row 2
TEMPLATE_ROWS = MAX_ROWS + HEADER_ROW  # how far the Excel template's drop-down lists reach


def template_columns(instrument: Instrument) -> list[str]:
    return [
        *PROFILE_COLUMNS,
        *(i.id for i in instrument.items),
        *(f.id for f in instrument.forces),
        COMMENT_COLUMN,
    ]
