"""The import template: the columns an import file may have, as CSV and as an Excel workbook with
drop-down suggestions and a help sheet."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from lc_health.documents.spreadsheet import table_csv, workbook_bytes
from lc_health.domain.i18n import translate
from lc_health.domain.import_format import (
    COMMENT_COLUMN,
    HEADER_ROW,
    TEMPLATE_ROWS,
    template_columns,
)
from lc_health.domain.instrument import Instrument, Option
from lc_health.domain.schemas import MAX_COMMENT_CHARS


def template_frame(instrument: Instrument) -> pd.DataFrame:
    return pd.DataFrame(columns=template_columns(instrument), dtype=str)


def template_csv(instrument: Instrument) -> bytes:
    """The header row as CSV, UTF-8 with a BOM so that Excel reads accents correctly."""
    return table_csv(template_frame(instrument))


def _choices(options: Sequence[Option], lang: str) -> str:
    return ", ".join(f"{o.id} ({o.label.get(lang)})" for o in options)


def _help_rows(
    instrument: Instrument, lang: str, organisations: Sequence[str]
) -> list[tuple[str, str, str]]:
    def tr(key: str, **values: Any) -> str:
        return translate(lang, key, **values)

    orgs = ", ".join(organisations) or tr("import.help.organisation_none")
    rows = [
        ("language", tr("import.help.language"), "nl, en"),
        ("role", tr("import.help.role"), _choices(instrument.profile.roles, lang)),
        ("organisation", tr("import.help.organisation"), orgs),
        (
            "organisation_type",
            tr("import.help.organisation_type"),
            _choices(instrument.profile.organisation_types, lang),
        ),
    ]
    score = tr("import.help.score_values")
    rows += [(i.id, i.text.get(lang), score) for i in instrument.items]
    mark = tr("import.help.force_values")
    rows += [(f.id, f.name.get(lang), mark) for f in instrument.forces]
    rows.append(
        (
            COMMENT_COLUMN,
            tr("import.help.comment"),
            tr("import.help.comment_values", max=MAX_COMMENT_CHARS),
        )
    )
    return rows


def template_xlsx(instrument: Instrument, lang: str, *, organisations: Sequence[str] = ()) -> bytes:
    """template_workbook as an Excel file (documents.spreadsheet: no cell is a formula)."""
    return workbook_bytes(template_workbook(instrument, lang, organisations=organisations))


def template_workbook(
    instrument: Instrument, lang: str, *, organisations: Sequence[str] = ()
) -> Workbook:
    """The template: the columns on the first sheet (with drop-down lists), and a second sheet
    explaining each column and its allowed values (organisation names among them)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = translate(lang, "import.help.sheet_data")
    columns = template_columns(instrument)
    sheet.append(columns)
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    lists = {
        "language": "nl,en",
        "role": ",".join(o.id for o in instrument.profile.roles),
        "organisation_type": ",".join(o.id for o in instrument.profile.organisation_types),
        **dict.fromkeys((i.id for i in instrument.items), "1,2,3,4,5,dk"),
        **dict.fromkeys((f.id for f in instrument.forces), "x,0"),
    }
    for index, name in enumerate(columns, start=1):
        letter = sheet.cell(row=HEADER_ROW, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(name) + 2)
        if name in lists:
            # A suggestion only: labels and the other accepted spellings must stay possible.
            check = DataValidation(
                type="list", formula1=f'"{lists[name]}"', allow_blank=True, showErrorMessage=False
            )
            check.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            sheet.add_data_validation(check)
    help_sheet = book.create_sheet(translate(lang, "import.help.sheet_help"))
    help_sheet.append(
        [
            translate(lang, "import.help.column"),
            translate(lang, "import.help.meaning"),
            translate(lang, "import.help.allowed"),
        ]
    )
    for cell in help_sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
    for row in _help_rows(instrument, lang, organisations):
        help_sheet.append(list(row))
    for letter, width in (("A", 28), ("B", 80), ("C", 60)):
        help_sheet.column_dimensions[letter].width = width
    return book
