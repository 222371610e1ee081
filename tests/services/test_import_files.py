"""Import files as other tools and people make them: UTF-16 text, formulas without a saved
result, oversized sheets and cells, answers in words or codes (a value mapping), and the same
file imported twice. Reading is pure; storing runs on real databases."""

from __future__ import annotations

import ast
import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from lc_health.domain import import_format
from lc_health.domain.errors import Invalid
from lc_health.domain.i18n import messages
from lc_health.domain.instrument import Instrument
from lc_health.services import import_values, import_xlsx, importing
from lc_health.services.import_values import BLANK, DONT_KNOW
from lc_health.services.imports import import_responses
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Answer, ImportBatch, Response
from tests.factories import make_community, make_round

CSV = "role;ind_f01;ind_f02;comment\nstudent;4;dk;Één opmerking ✓\nteacher;2;5;\n"


def _codes(info: pytest.ExceptionInfo[Invalid]) -> list[tuple[str, dict[str, object]]]:
    return [(p.code, p.params) for p in info.value.problems]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read(encoding: str) -> None:
    data = CSV.encode(encoding)
    if encoding == "utf-16":
        assert data[:2] in (b"\xff\xfe", b"\xfe\xff")  # with a byte order mark
    frame = importing.read_table("export.csv", data)
    assert list(frame.columns) == ["role", "ind_f01", "ind_f02", "comment"]
    assert frame.to_dict("records")[0] == {
        "role": "student",
        "ind_f01": "4",
        "ind_f02": "dk",
        "comment": "Één opmerking ✓",
    }


def _workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_saved_results(data: bytes) -> bytes:
    """The workbook as Excel saves it: every formula with its result (here 8)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = content.replace(b"<v />", b"<v>4</v>")
            target.writestr(info, content)
    return out.getvalue()


def test_formula_cells_without_a_saved_result_are_named() -> None:
    data = _workbook(
        [["role", "ind_f01", "ind_f02"], ["student", 4, "=B2*1"], ["teacher", "=B2", 3]]
    )
    read = importing.read_file("export.xlsx", data)
    assert read.formula_cells == ["C2", "B3"]
    assert read.frame.to_dict("records") == [
        {"role": "student", "ind_f01": "4", "ind_f02": ""},
        {"role": "teacher", "ind_f01": "", "ind_f02": "3"},
    ]
    saved = importing.read_file("export.xlsx", _with_saved_results(data))
    assert saved.formula_cells == []
    assert saved.frame["ind_f02"].tolist() == ["4", "3"]


@pytest.mark.parametrize("dimension", [True, False])
def test_a_huge_workbook_is_refused_before_it_is_read_whole(dimension: bool) -> None:
    """Excel writes the sheet's size (its dimension) into the file; some programs do not."""
    book = openpyxl.Workbook(write_only=not dimension)
    sheet = book.active if dimension else book.create_sheet()
    assert sheet is not None
    sheet.append(["role", "ind_f01", "ind_f02"])
    for n in range(60_000):
        sheet.append(["student", n % 5 + 1, 3])
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    assert len(data) < importing.MAX_FILE_BYTES
    started = time.process_time()
    with pytest.raises(Invalid) as info:
        importing.read_file("groot.xlsx", data)
    cpu = time.process_time() - started
    max_rows = import_format.MAX_ROWS
    assert _codes(info) == (
        [("import.too_many_rows", {"max": max_rows, "rows": 60_000})]
        if dimension
        else [("import.more_rows_than", {"max": max_rows})]
    )
    assert cpu < 10  # it stops after MAX_ROWS rows (was 30 s of CPU for the whole sheet)


def test_reading_stops_after_the_allowed_rows() -> None:
    rows: list[list[object]] = [["a"]] + [[n] for n in range(20)]
    with pytest.raises(import_xlsx.TooManyRows) as info:
        import_xlsx.read_sheet(_workbook(rows), max_filled_rows=5)
    assert info.value.rows == 20  # from the sheet's dimension
    assert len(import_xlsx.read_sheet(_workbook(rows), max_filled_rows=20).rows) == 21


@pytest.mark.parametrize(
    ("data", "row"),
    [
        (b"ind_f01,comment\n4,ok\n5," + b"x" * 3_000_000 + b"\n", 3),
        (b'ind_f01,comment\n4,"never closed\n' + b"5,more\n" * 30_000, 2),
    ],
)
def test_a_huge_cell_gets_a_clear_message(data: bytes, row: int) -> None:
    with pytest.raises(Invalid) as info:
        importing.read_table("x.csv", data)
    assert _codes(info) == [("import.cell_too_big", {"row": row, "max": importing.MAX_CELL_CHARS})]


def test_an_oversized_file_is_refused_before_parsing() -> None:
    data = b"ind_f01\n" + b"4\n" * (importing.MAX_FILE_BYTES // 2 + 1)
    started = time.process_time()
    with pytest.raises(Invalid) as info:
        importing.read_file("x.xlsx", data)  # not even a workbook: never opened
    assert _codes(info) == [("import.file_too_big", {"max_mb": 10})]
    assert time.process_time() - started < 1


# --- value mapping --------------------------------------------------------------------------


def test_suggestions_for_words(instrument: Instrument) -> None:
    words = ["helemaal mee eens", "mee eens", "neutraal", "oneens", "weet niet", "agree"]
    assert import_values.suggest_values(words, instrument) == {
        "helemaal mee eens": 5,
        "mee eens": 4,
        "neutraal": 3,
        "oneens": 2,
        "weet niet": DONT_KNOW,
        "agree": 4,
    }
    own = [import_values.key(p.label.en) for p in instrument.scale.points]
    assert import_values.suggest_values(own, instrument) == dict(zip(own, range(1, 6), strict=True))
    assert import_values.suggest_values(["misschien"], instrument) == {"misschien": None}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1", "2", "3", "4", "5"], {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}),
        (["0", "1", "2", "3", "4"], {"0": 1, "1": 2, "2": 3, "3": 4, "4": 5}),
        (
            ["1", "2", "3", "4", "5", "6", "7"],
            {"1": 1, "2": 2, "3": 2, "4": 3, "5": 4, "6": 4, "7": 5},
        ),
        (["3", "4", "7"], {"3": 3, "4": 4, "7": None}),  # a lone 7 is a typing error, not 1-7
        (["a", "b", "c", "d", "e"], {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}),
    ],
)
def test_suggestions_for_codes(
    values: list[str], expected: dict[str, int | None], instrument: Instrument
) -> None:
    assert import_values.suggest_values(values, instrument) == expected


def test_plain_scores_need_no_mapping() -> None:
    assert not import_values.needs_mapping(["1", "4", "5", "4,0", "dk", "n.v.t."])
    assert import_values.needs_mapping(["1", "4", "agree"])
    assert import_values.needs_mapping(["0", "1"])


TEXT_EXPORT = (
    "Rol,ind_f01,ind_f02,ind_f06\n"
    "student,Helemaal mee eens,Mee eens,Geen antwoord\n"
    "teacher,  oneens ,Weet niet,Mee eens\n"
)


def _text_frame_and_map(
    instrument: Instrument,
) -> tuple[object, dict[str, str | None], dict[str, int]]:
    frame = importing.read_table("forms.csv", TEXT_EXPORT.encode())
    mapping = importing.suggest_mapping(list(frame.columns), instrument)
    counts = import_values.distinct_values(frame, mapping, instrument)
    assert counts == {
        "helemaal mee eens": 1,
        "mee eens": 2,
        "geen antwoord": 1,
        "oneens": 1,
        "weet niet": 1,
    }
    suggested = import_values.suggest_values(sorted(counts), instrument)
    assert suggested["geen antwoord"] is None  # the person chooses
    chosen = {k: v for k, v in suggested.items() if v is not None} | {"geen antwoord": BLANK}
    return frame, mapping, chosen


def test_text_answers_are_rejected_without_and_read_with_a_value_mapping(
    instrument: Instrument,
) -> None:
    frame, mapping, chosen = _text_frame_and_map(instrument)
    assert isinstance(frame, importing.pd.DataFrame)
    plain = importing.validate(frame, mapping, instrument, {})
    assert {p.code for p in plain.problems} == {"import.bad_score"}
    mapped = importing.validate(frame, mapping, instrument, {}, chosen)
    assert mapped.problems == []
    assert [r.answers for r in mapped.rows] == [
        {"ind_f01": 5, "ind_f02": 4},  # "Geen antwoord" is blank: not answered
        {"ind_f01": 2, "ind_f02": None, "ind_f06": 4},
    ]


def _round(engine: Engine, instrument: Instrument) -> int:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return rnd.id


def _import(
    engine: Engine, instrument: Instrument, read: importing.ReadFile, round_id: int, **kw: object
) -> ImportBatch:
    frame = read.frame
    mapping = importing.suggest_mapping(list(frame.columns), instrument)
    preview = importing.validate(frame, mapping, instrument, {})
    with write_session(engine) as session:
        return import_responses(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source="export.csv",
            actor="beheer@example.org",
            content_sha256=read.sha256,
            **kw,  # type: ignore[arg-type]
        )


def test_the_same_file_twice_needs_confirmation(engine: Engine, instrument: Instrument) -> None:
    round_id = _round(engine, instrument)
    read = importing.read_file("export.csv", CSV.encode())
    assert read.sha256 == importing.file_sha256(CSV.encode()) and len(read.sha256) == 64
    first = _import(engine, instrument, read, round_id)
    with pytest.raises(Invalid) as info:
        _import(engine, instrument, read, round_id)
    [problem] = info.value.problems
    assert (problem.field, problem.code, problem.params["rows"]) == ("file", "import.same_file", 2)
    # Another round, the same file: still noticed (it names the round it went into).
    with pytest.raises(Invalid):
        _import(engine, instrument, read, _round(engine, instrument))
    # A different file (one byte) is no repeat; a confirmed repeat is stored.
    other = importing.read_file("export.csv", (CSV + "\n").encode())
    _import(engine, instrument, other, round_id)
    _import(engine, instrument, read, round_id, same_file_confirmed=True)
    with read_session(engine) as session:
        hashes = session.execute(select(ImportBatch.content_sha256).order_by(ImportBatch.id))
        assert list(hashes.scalars()) == [read.sha256, other.sha256, read.sha256]
        assert session.execute(select(func.count()).select_from(Response)).scalar_one() == 6
    assert first.content_sha256 == read.sha256


def test_a_value_mapped_import_is_stored(engine: Engine, instrument: Instrument) -> None:
    round_id = _round(engine, instrument)
    frame, mapping, chosen = _text_frame_and_map(instrument)
    assert isinstance(frame, importing.pd.DataFrame)
    preview = importing.validate(frame, mapping, instrument, {}, chosen)
    with write_session(engine) as session:
        import_responses(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source="forms.csv",
            actor="beheer@example.org",
        )
    with read_session(engine) as session:
        stored = session.execute(
            select(Answer.item_id, Answer.value).order_by(Answer.response_id, Answer.item_id)
        ).all()
    assert [tuple(r) for r in stored] == [
        ("ind_f01", 5),
        ("ind_f02", 4),
        ("ind_f01", 2),
        ("ind_f02", None),
        ("ind_f06", 4),
    ]


def test_every_new_problem_code_has_a_text() -> None:
    codes: set[str] = set()
    for module in (importing, import_values, import_xlsx):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        codes |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and n.value.startswith("import.")
        }
    assert {"import.cell_too_big", "import.same_file"} <= set(messages())
    assert sorted(c for c in codes if c not in messages()) == []
