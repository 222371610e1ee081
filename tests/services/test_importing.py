"""Importing responses from a file: the template, reading CSV and Excel, matching columns,
naming every bad cell, and an all-or-nothing commit on real databases."""

from __future__ import annotations

import ast
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from lc_health.documents import import_template
from lc_health.domain import import_format
from lc_health.domain.errors import Invalid
from lc_health.domain.i18n import messages, translate
from lc_health.domain.instrument import Instrument
from lc_health.services import importing
from lc_health.services.importing import CellProblem, ImportRow, Preview
from lc_health.services.imports import import_responses
from lc_health.store import communities as cstore
from lc_health.store import imports
from lc_health.store import responses as response_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import AuditEvent, ImportBatch, Response, RoundTally
from lc_health.store.tallies import round_counts
from tests.factories import make_community, make_round

ORGS = {"Kas van Morgen BV": 11, "ROC Kustland": 12}


def _file_codes(info: pytest.ExceptionInfo[Invalid]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in info.value.problems]


def _frame(columns: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(columns, dtype=str)


def _check(instrument: Instrument, columns: dict[str, list[str]], **mapping: str | None) -> Preview:
    """Validate a frame; columns map to the template column of the same name unless given."""
    frame = _frame(columns)
    chosen = {c: c for c in columns if c in import_format.template_columns(instrument)}
    chosen.update(mapping)
    return importing.validate(frame, chosen, instrument, ORGS)


def _problems(preview: Preview) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.code) for p in preview.problems]


def test_template_columns_follow_the_instrument(instrument: Instrument) -> None:
    columns = import_format.template_columns(instrument)
    items = [i.id for i in instrument.items]
    forces = [f.id for f in instrument.forces]
    assert columns == ["language", "role", "organisation", "organisation_type"] + items + [
        *forces,
        "comment",
    ]
    assert len(columns) == 4 + len(items) + len(forces) + 1
    assert import_template.template_frame(instrument).empty
    assert list(import_template.template_frame(instrument).columns) == columns


def test_template_csv_has_a_bom_and_reads_back(instrument: Instrument) -> None:
    data = import_template.template_csv(instrument)
    assert data.startswith(b"\xef\xbb\xbf")
    items, forces = len(instrument.items), len(instrument.forces)
    filled = data + b"nl,student,,mbo," + b"4," * items + b"," * forces + b"prima\r\n"
    frame = importing.read_table("template.csv", filled)
    assert list(frame.columns) == import_format.template_columns(instrument)
    assert frame.loc[0, "ind_f01"] == "4" and frame.loc[0, "comment"] == "prima"
    with pytest.raises(Invalid) as info:
        importing.read_table("template.csv", data)
    assert _file_codes(info) == [("file", "import.no_rows")]


@pytest.mark.parametrize(
    ("lang", "data_sheet", "help_sheet"),
    [("nl", "antwoorden", "uitleg"), ("en", "responses", "help")],
)
def test_template_xlsx_round_trip(
    instrument: Instrument, lang: str, data_sheet: str, help_sheet: str
) -> None:
    data = import_template.template_xlsx(instrument, lang, organisations=["ROC Kustland"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [data_sheet, help_sheet]
    explained = {row[0]: row[1:] for row in book[help_sheet].iter_rows(values_only=True)}
    assert set(import_format.template_columns(instrument)) < set(explained)
    assert explained["organisation"][1] == "ROC Kustland"
    assert explained["ind_f01"][0] == instrument.item_by_id["ind_f01"].text.get(lang)
    assert "teacher" in str(explained["role"][1])
    # Someone fills in the first sheet in Excel; Excel stores whole numbers as numbers.
    sheet = book[data_sheet]
    columns = import_format.template_columns(instrument)
    sheet.cell(row=2, column=columns.index("ind_f01") + 1, value=4)
    sheet.cell(row=2, column=columns.index("ind_f02") + 1, value="dk")
    sheet.cell(row=2, column=columns.index("fac_good_communication") + 1, value="x")
    sheet.cell(row=4, column=columns.index("ind_f01") + 1, value=2.0)
    out = io.BytesIO()
    book.save(out)
    frame = importing.read_table("ingevuld.XLSX", out.getvalue())
    assert list(frame.columns) == columns
    preview = importing.validate(
        frame, importing.suggest_mapping(columns, instrument), instrument, ORGS
    )
    assert preview.problems == []
    assert [(r.row, r.answers) for r in preview.rows] == [
        (2, {"ind_f01": 4, "ind_f02": None}),
        (4, {"ind_f01": 2}),
    ]
    assert preview.rows[0].forces == {"fac_good_communication"}
    assert preview.skipped_empty == 1


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("a;b;c\n1;2;3\n", "utf-8"),
        ("a,b,c\n1,2,3\n", "utf-8"),
        ("a\tb\tc\n1\t2\t3\n", "utf-8"),
        ("\ufeffa;b;c\r\n1;2;3\r\n", "utf-8"),
        ("a,b,c\n1,2,3", "cp1252"),
    ],
)
def test_read_csv_detects_the_delimiter(data: str, encoding: str) -> None:
    frame = importing.read_table("export.csv", data.encode(encoding))
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame.to_dict("records") == [{"a": "1", "b": "2", "c": "3"}]


def test_read_csv_keeps_text_rows_and_numbers_as_written() -> None:
    text = (
        "Taal;Opmerking;ind_f01;ind_f02\n"
        'nl;"Fijn; echt waar,\nen een tweede regel";4,0;007\n'
        "\n"
        "en;Café Ümlaut;;\n"
        "nl\n"  # a short row: the missing cells are empty
    )
    frame = importing.read_table("x.csv", text.encode("cp1252"))
    assert frame["Opmerking"].tolist() == [
        "Fijn; echt waar,\nen een tweede regel",
        "",
        "Café Ümlaut",
        "",
    ]
    assert frame["ind_f01"].tolist() == ["4,0", "", "", ""]
    assert frame["ind_f02"].tolist() == ["007", "", "", ""]  # text, not the number 7
    assert len(frame) == 4  # the blank line stays a row, so row numbers match the spreadsheet


def test_read_xlsx_with_numbers_and_booleans_in_the_header_and_cells() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ind_f01", 2024, "fac_good_communication", "ind_f01"])
    sheet.append([5, None, True, 3])
    out = io.BytesIO()
    book.save(out)
    frame = importing.read_table("export.xlsx", out.getvalue())
    assert list(frame.columns) == ["ind_f01", "2024", "fac_good_communication", "ind_f01 (2)"]
    assert frame.iloc[0].tolist() == ["5", "", "True", "3"]


def test_columns_without_a_name_are_named_by_letter_or_dropped_when_empty() -> None:
    frame = importing.read_table("x.csv", b"ind_f01,,ind_f02,,\n1,,2,x,\n3,,,,\n")
    assert list(frame.columns) == ["ind_f01", "ind_f02", "(D)"]
    assert frame["(D)"].tolist() == ["x", ""]


def _rows(n: int) -> bytes:
    return ("ind_f01\n" + "4\n" * n).encode()


@pytest.mark.parametrize(
    ("name", "data", "code", "params"),
    [
        ("x.csv", b"", "import.empty", {}),
        ("x.csv", b"\n\n", "import.empty", {}),
        ("x.csv", b"ind_f01,ind_f02\n,\n", "import.no_rows", {}),
        ("x.txt", b"ind_f01\n4\n", "import.unsupported_type", {}),
        ("x", b"ind_f01\n4\n", "import.unsupported_type", {}),
        ("x.xlsx", b"not a zip file", "import.unreadable", {}),
        ("x.xlsx", b"PK\x03\x04broken", "import.unreadable", {}),
        ("x.csv", b"a,b\n1,2\n3,4,5\n", "import.extra_cells", {"row": 3}),
        (
            "x.csv",
            _rows(import_format.MAX_ROWS + 1),
            "import.too_many_rows",
            {"max": import_format.MAX_ROWS, "rows": import_format.MAX_ROWS + 1},
        ),
        ("x.csv", b"a" * (importing.MAX_FILE_BYTES + 1), "import.file_too_big", {"max_mb": 10}),
    ],
)
def test_read_table_refuses_unusable_files(
    name: str, data: bytes, code: str, params: dict[str, Any]
) -> None:
    with pytest.raises(Invalid) as info:
        importing.read_table(name, data)
    [problem] = info.value.problems
    assert (problem.field, problem.code, problem.params) == ("file", code, params)


def test_read_table_takes_the_maximum_and_trailing_commas() -> None:
    assert (
        len(importing.read_table("x.csv", _rows(import_format.MAX_ROWS))) == import_format.MAX_ROWS
    )
    # Empty trailing cells (a spreadsheet's trailing separators) are not "extra cells".
    assert importing.read_table("x.csv", b"a,b\n1,2,,\n").to_dict("records") == [
        {"a": "1", "b": "2"}
    ]


def test_suggest_mapping(instrument: Instrument) -> None:
    item_text = instrument.item_by_id["ind_f02"].text.nl
    columns = [
        "Tijdstempel",
        "IND_F01",
        f"  {item_text.upper()} ",
        "Organisation Type",
        "organisation",
        "Rol",
        "opmerking",
        "fac-good-communication",
        "fac_good_communication",
    ]
    mapping = importing.suggest_mapping(columns, instrument)
    assert list(mapping) == import_format.template_columns(instrument)
    assert {k: v for k, v in mapping.items() if v is not None} == {
        "role": "Rol",
        "organisation": "organisation",
        "organisation_type": "Organisation Type",
        "ind_f01": "IND_F01",
        "ind_f02": f"  {item_text.upper()} ",
        "fac_good_communication": "fac_good_communication",  # the exact match wins
        "comment": "opmerking",
    }
    assert importing.unmapped_columns(columns, mapping) == [
        "Tijdstempel",
        "fac-good-communication",
    ]


def test_suggest_mapping_uses_a_file_column_once(instrument: Instrument) -> None:
    mapping = importing.suggest_mapping(["Organisation"], instrument)
    assert mapping["organisation"] == "Organisation"
    assert mapping["organisation_type"] is None
    assert set(mapping.values()) == {"Organisation", None}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1", 1),
        ("5", 5),
        (" 3 ", 3),
        ("1.0", 1),
        ("4,0", 4),
        ("2.00", 2),
        ("dk", None),
        ("DK", None),
        ("Weet niet", None),
        ("weet ik niet", None),
        ("n.v.t.", None),
        ("NVT", None),
        ("na", None),
        ("N/A", None),
        ("?", None),
    ],
)
def test_item_cells_that_are_accepted(
    instrument: Instrument, cell: str, expected: int | None
) -> None:
    preview = _check(instrument, {"ind_f01": [cell], "ind_f02": [""]})
    assert preview.problems == []
    [row] = preview.rows
    assert row.answers == {"ind_f01": expected}  # the empty cell is simply unanswered


@pytest.mark.parametrize("cell", ["0", "6", "3.5", "seven", "4,5", "-1", "1e0", "nan", "04"])
def test_item_cells_that_are_refused(instrument: Instrument, cell: str) -> None:
    preview = _check(instrument, {"Vraag 1": ["4", cell], "ind_f02": ["3", "3"]}, ind_f01="Vraag 1")
    assert preview.problems == [
        CellProblem(3, "Vraag 1", "import.bad_score", {"value": cell}, cell)
    ]
    assert [r.row for r in preview.rows] == [2]


@pytest.mark.parametrize(
    ("cell", "marked"),
    [
        ("1", True),
        ("x", True),
        ("X", True),
        ("yes", True),
        ("Ja", True),
        ("TRUE", True),
        ("0", False),
        ("no", False),
        ("Nee", False),
        ("false", False),
        ("", False),
    ],
)
def test_force_cells(instrument: Instrument, cell: str, marked: bool) -> None:
    preview = _check(
        instrument, {"ind_f01": ["4"], "fac_good_communication": [cell], "hin_too_fast": [""]}
    )
    assert preview.problems == []
    assert preview.rows[0].forces == ({"fac_good_communication"} if marked else set())


@pytest.mark.parametrize("cell", ["maybe", "2", "-"])
def test_force_cells_that_are_refused(instrument: Instrument, cell: str) -> None:
    preview = _check(
        instrument,
        {"ind_f01": ["4"], "Goede communicatie": [cell]},
        fac_good_communication="Goede communicatie",
    )
    assert _problems(preview) == [(2, "Goede communicatie", "import.bad_mark")]
    assert preview.rows == []


def test_forces_are_not_asked_without_a_force_column(instrument: Instrument) -> None:
    preview = _check(instrument, {"ind_f01": ["4"]})
    assert preview.rows[0].forces is None


@pytest.mark.parametrize(
    ("column", "cell", "field", "expected"),
    [
        ("role", "student", "role", "student"),
        ("role", "Docent", "role", "teacher"),
        ("role", "TEACHER", "role", "teacher"),
        ("role", "Professional uit een bedrijf", "role", "company"),
        ("role", "professional from a company", "role", "company"),
        ("role", "", "role", None),
        ("organisation_type", "mbo", "organisation_type", "mbo"),
        ("organisation_type", "Hogeschool of universiteit", "organisation_type", "hbo"),
        (
            "organisation_type",
            "university of applied sciences or university",
            "organisation_type",
            "hbo",
        ),
        ("organisation_type", "Bedrijf", "organisation_type", "company"),
        ("organisation_type", "", "organisation_type", None),
        ("organisation", "kas van morgen bv", "organisation_id", 11),
        ("organisation", "ROC Kustland", "organisation_id", 12),
        ("organisation", "", "organisation_id", None),
        ("language", "EN", "language", "en"),
        ("language", "Nederlands", "language", "nl"),
        ("language", "Dutch", "language", "nl"),
        ("language", "English", "language", "en"),
        ("language", "", "language", "nl"),
        ("comment", "x" * 2000, "comment", "x" * 2000),
        ("comment", "", "comment", None),
    ],
)
def test_profile_cells_that_are_accepted(
    instrument: Instrument, column: str, cell: str, field: str, expected: object
) -> None:
    preview = _check(instrument, {"ind_f01": ["4"], column: [cell]})
    assert preview.problems == []
    assert getattr(preview.rows[0], field) == expected


@pytest.mark.parametrize(
    ("column", "cell", "code", "params"),
    [
        ("role", "Boss", "import.unknown_role", {"value": "Boss"}),
        ("role", "mbo", "import.unknown_role", {"value": "mbo"}),
        ("organisation_type", "school", "import.unknown_type", {"value": "school"}),
        ("organisation", "Elders BV", "import.unknown_organisation", {"value": "Elders BV"}),
        ("language", "fr", "import.unknown_language", {"value": "fr"}),
        ("comment", "x" * 2001, "import.comment_too_long", {"max": 2000}),
        ("comment", "nul\x00byte", "import.control_characters", {}),
    ],
)
def test_profile_cells_that_are_refused(
    instrument: Instrument, column: str, cell: str, code: str, params: dict[str, Any]
) -> None:
    preview = _check(
        instrument,
        {"Antwoord": ["4"], "Kolom X": [cell]},
        ind_f01="Antwoord",
        **{column: "Kolom X"},
    )
    [problem] = preview.problems
    assert (problem.row, problem.column, problem.code, problem.params) == (
        2,
        "Kolom X",
        code,
        params,
    )
    assert len(problem.value) <= importing.MAX_SHOWN_CHARS
    assert preview.rows == [] and not preview.ok


def test_every_bad_cell_is_named_with_its_spreadsheet_row(instrument: Instrument) -> None:
    preview = _check(
        instrument,
        {
            "ind_f01": ["4", "", "9", "", "2"],
            "ind_f02": ["dk", "", "", "", "x"],
            "role": ["student", "", "Baas", "teacher", ""],
            "Notes": ["", "", "", "", ""],
        },
    )
    # Row 3 is empty and skipped; row 5 has a role but no score.
    assert _problems(preview) == [
        (4, "ind_f01", "import.bad_score"),
        (4, "role", "import.unknown_role"),
        (5, "", "import.no_answers"),
        (6, "ind_f02", "import.bad_score"),
    ]
    assert [r.row for r in preview.rows] == [2]
    assert preview.skipped_empty == 1
    assert not preview.ok


def test_problems_with_the_mapping_are_reported_on_the_header_row(
    instrument: Instrument,
) -> None:
    frame = _frame({"A": ["4"], "role": ["student"]})
    twice = importing.validate(frame, {"ind_f01": "A", "ind_f02": "A"}, instrument, ORGS)
    assert twice.problems == [
        CellProblem(1, "A", "import.column_twice", {"targets": "ind_f01, ind_f02"})
    ]
    gone = importing.validate(frame, {"ind_f01": "B"}, instrument, ORGS)
    assert _problems(gone) == [(1, "B", "import.column_missing")]
    no_items = importing.validate(frame, {"role": "role"}, instrument, ORGS)
    assert _problems(no_items) == [(1, "", "import.no_item_columns")]
    assert twice.rows == gone.rows == no_items.rows == []


def test_every_problem_code_has_a_text_in_both_languages() -> None:
    source = Path(importing.__file__).read_text(encoding="utf-8")
    codes = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(("import.", "error."))
    }
    assert len(codes) > 25
    assert sorted(c for c in codes if c not in messages()) == []
    for code in codes:
        assert translate("nl", code) != translate("en", code)


def _setup(
    engine: Engine, instrument: Instrument, **round_overrides: Any
) -> tuple[int, dict[str, int]]:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        org = cstore.create_organisation(session=session, name="Kas van Morgen BV", type="company")
        assert org.id is not None
        cstore.add_member(session=session, community_id=community.id, organisation_id=org.id)
        rnd = make_round(
            session,
            instrument,
            community_id=community.id,
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 3, 31),
            period="2026-Q1",
            **round_overrides,
        )
        assert rnd.id is not None
        return rnd.id, {org.name: org.id}


EXPORT = (
    "Rol;Organisatie;ind_f01;ind_f02;ind_f06;Goede communicatie;hin_too_fast;Opmerking\n"
    "Docent;kas van morgen bv;4;5;dk;x;;Goed bezig\n"
    ";;;;;;;\n"
    "student;;2;;3;;ja;\n"
    "Onderzoeker;;1,0;n.v.t.;;;;\n"
).encode("utf-8-sig")


def _count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_file_is_imported_into_a_round(engine: Engine, instrument: Instrument) -> None:
    round_id, orgs = _setup(engine, instrument)
    frame = importing.read_table("forms-export.csv", EXPORT)
    mapping = importing.suggest_mapping(list(frame.columns), instrument)
    assert mapping["fac_good_communication"] == "Goede communicatie"
    preview = importing.validate(frame, mapping, instrument, orgs)
    assert preview.ok and [r.row for r in preview.rows] == [2, 4, 5]

    with write_session(engine) as session:
        batch = import_responses(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source=" Forms, juni ",
            actor="beheer@example.org",
        )
    assert (batch.source, batch.rows, batch.imported_by) == ("Forms, juni", 3, "beheer@example.org")

    with read_session(engine) as session:
        stored = session.execute(select(Response).order_by(Response.id)).scalars().all()
        assert [r.submission_key for r in stored] == [f"import-{batch.id}-{n}" for n in (2, 4, 5)]
        assert {(r.source, r.import_batch_id, r.round_id) for r in stored} == {
            ("import", batch.id, round_id)
        }
        assert [(r.role, r.organisation_id, r.language) for r in stored] == [
            ("teacher", orgs["Kas van Morgen BV"], "nl"),
            ("student", None, "nl"),
            ("researcher", None, "nl"),
        ]
        first = stored[0].id
        assert first is not None
        assert response_store.stored_answers(session=session, response_id=first) == {
            "ind_f01": 4,
            "ind_f02": 5,
            "ind_f06": None,
        }
        assert response_store.stored_forces(session=session, response_id=first) == {
            "fac_good_communication"
        }
        assert response_store.stored_comment(session=session, response_id=first) == "Goed bezig"
        counts = round_counts(session, round_ids=[round_id])
        assert counts[["responses", "forces_respondents"]].values.tolist() == [[3, 3]]
        [event] = session.execute(select(AuditEvent)).scalars().all()
    assert event.action == "responses.import" and event.actor == "beheer@example.org"
    assert event.target.endswith(" 2026-Q1")
    assert json.loads(event.detail) == {"batch": batch.id, "rows": 3, "source": "Forms, juni"}

    # Importing the same file again is a new batch (the page warns about it), never a clash.
    with read_session(engine) as session:
        earlier = imports.earlier_imports(session=session, round_id=round_id)
    assert earlier[["source", "rows"]].values.tolist() == [["Forms, juni", 3]]


@pytest.mark.parametrize(
    ("preview", "source", "expected"),
    [
        (
            Preview(rows=[], problems=[CellProblem(2, "ind_f01", "import.bad_score")]),
            "f.csv",
            [("preview", "import.has_problems")],
        ),
        (Preview(rows=[], problems=[]), "f.csv", [("preview", "import.nothing_to_import")]),
        (
            Preview(rows=[ImportRow(row=2, answers={"ind_f01": 4})], problems=[]),
            "  ",
            [("source", "error.required")],
        ),
        (
            Preview(rows=[ImportRow(row=2, answers={"ind_f01": 4})], problems=[]),
            "s" * 201,
            [("source", "error.too_long")],
        ),
    ],
)
def test_commit_refuses_before_writing(
    engine: Engine,
    instrument: Instrument,
    preview: Preview,
    source: str,
    expected: list[tuple[str, str]],
) -> None:
    round_id, _ = _setup(engine, instrument)
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        importing.commit(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source=source,
            actor="a@example.org",
        )
    assert _file_codes(info) == expected
    assert _count(engine, ImportBatch) == 0


def test_commit_refuses_a_round_of_another_instrument(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, _ = _setup(engine, instrument, instrument_version=instrument.version + 1)
    preview = Preview(rows=[ImportRow(row=2, answers={"ind_f01": 4})], problems=[])
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        importing.commit(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source="f.csv",
            actor="a@example.org",
        )
    assert _file_codes(info) == [("round", "import.wrong_instrument")]
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        importing.commit(
            session=session,
            round_id=round_id + 99,
            preview=preview,
            instrument=instrument,
            source="f.csv",
            actor="a@example.org",
        )
    assert _file_codes(info) == [("round", "import.no_round")]


def test_a_failure_midway_leaves_nothing_behind(engine: Engine, instrument: Instrument) -> None:
    round_id, orgs = _setup(engine, instrument)
    good = ImportRow(
        row=2,
        answers={"ind_f01": 4},
        forces=frozenset({"hin_too_fast"}),
        organisation_id=orgs["Kas van Morgen BV"],
        comment="eerste",
    )
    # An organisation deleted between the preview and the import: the database refuses row 3.
    gone = ImportRow(row=3, answers={"ind_f01": 2}, organisation_id=987654)
    later = ImportRow(row=4, answers={"ind_f01": 5})
    preview = Preview(rows=[good, gone, later], problems=[])
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        importing.commit(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source="f.csv",
            actor="a@example.org",
        )
    [problem] = info.value.problems
    assert (problem.code, problem.params) == ("import.row_failed", {"row": 3})
    for model in (Response, ImportBatch, AuditEvent):
        assert _count(engine, model) == 0, model
    with read_session(engine) as session:
        responses = session.execute(
            select(func.coalesce(func.sum(RoundTally.responses), 0))
        ).scalar_one()
        assert responses == 0
        assert round_counts(session, round_ids=[round_id])["responses"].sum() == 0


def test_an_invalid_row_in_a_crafted_preview_is_refused_whole(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, _ = _setup(engine, instrument)
    rows = [ImportRow(row=2, answers={"ind_f01": 4}), ImportRow(row=3, answers={"nope": 4})]
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        importing.commit(
            session=session,
            round_id=round_id,
            preview=Preview(rows, []),
            instrument=instrument,
            source="f.csv",
            actor="a@example.org",
        )
    assert info.value.problems[0].params == {"row": 3}
    assert _count(engine, Response) == 0 and _count(engine, ImportBatch) == 0
