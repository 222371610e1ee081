"""Importing responses gathered elsewhere (another survey tool's export, a spreadsheet).

The flow is: a template to fill in -> `read_table` -> `suggest_mapping` (file columns to template
columns) -> `validate` (every bad cell named by spreadsheet row and column) -> `commit`, which
stores every row or none. Reading and checking are pure; only `commit` touches the database
(the template is in import_template.py, earlier batches in store/imports.py; pages and the
command line store through services.imports, which adds the audit event). Problems are
message keys (`import.*`) the UI translates.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from lc_health.domain.enums import Source
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.import_format import (
    COMMENT_COLUMN,
    HEADER_ROW,
    MAX_ROWS,
    template_columns,
)
from lc_health.domain.instrument import Instrument, Option
from lc_health.domain.schemas import MAX_COMMENT_CHARS, ResponseIn
from lc_health.services import import_values, import_xlsx
from lc_health.store import imports as import_store
from lc_health.store import rounds as round_store
from lc_health.store.models import ImportBatch
from lc_health.store.responses import InvalidResponse, save_response

MAX_FILE_BYTES = 10 * 1024 * 1024  # far above 5,000 rows; stops a huge file before parsing
MAX_SOURCE_CHARS = 200  # ImportBatch.source
MAX_SHOWN_CHARS = 60
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_FORMULA_CELLS_SHOWN = 20

DONT_KNOW = frozenset({"dk", "weet niet", "weet ik niet", "n.v.t.", "nvt", "na", "n/a", "?"})
MARKED = frozenset({"1", "x", "yes", "ja", "true"})
NOT_MARKED = frozenset({"", "0", "no", "nee", "false"})
# How a spreadsheet may spell a language: its code or its name in Dutch or English.
LANGUAGE_ALIASES = {
    "nl": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "english": "en",
    "engels": "en",
}
# Column names other tools (or people) commonly use for the profile and comment columns.
ALIASES: dict[str, tuple[str, ...]] = {
    "language": ("taal", "lang"),
    "role": ("rol",),
    "organisation": ("organisatie", "organization", "organisatienaam"),
    "organisation_type": ("organisatietype", "type organisatie", "organization type"),
    "comment": ("opmerking", "opmerkingen", "toelichting", "comments", "remarks"),
}
_SCORE = re.compile(r"^([1-5])(?:[.,]0+)?$")  # 4, 4.0 and 4,0 (Dutch spreadsheets)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # PostgreSQL text cannot hold NUL


@dataclass(frozen=True)
class CellProblem:
    """One thing wrong in the file: spreadsheet row (header = 1), source column ('' for the
    whole row), a message key with its parameters, and the cell as read."""

    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    value: str = ""


@dataclass(frozen=True)
class ImportRow:
    """One respondent, checked; everything a ResponseIn needs but the round and keys."""

    row: int
    answers: dict[str, int | None]
    forces: frozenset[str] | None = None
    language: str = "nl"
    role: str | None = None
    organisation_id: int | None = None
    organisation_type: str | None = None
    comment: str | None = None

    def response_in(self, *, round_id: int, submission_key: str, batch_id: int) -> ResponseIn:
        return ResponseIn(
            round_id=round_id,
            submission_key=submission_key,
            language="en" if self.language == "en" else "nl",
            role=self.role,
            organisation_id=self.organisation_id,
            organisation_type=self.organisation_type,
            answers=self.answers,
            forces=self.forces,
            comment=self.comment,
            source=Source.imported,
            import_batch_id=batch_id,
        )


@dataclass(frozen=True)
class Preview:
    """The outcome of validate: the usable rows and every problem; import only when ok."""

    rows: list[ImportRow]
    problems: list[CellProblem]
    skipped_empty: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _file_problem(code: str, **params: Any) -> Invalid:
    return Invalid([Problem("file", code, params)])


def _unique(names: Sequence[object]) -> list[str]:
    """Column names as distinct strings: Excel headers can be numbers, empty or repeated. An
    empty name becomes the spreadsheet column letter, so people can find it."""
    seen: set[str] = set()
    out: list[str] = []
    for index, raw in enumerate(names, start=1):
        name = _cell(raw) or f"({get_column_letter(index)})"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name)
        out.append(name)
    return out


def _utf16(data: bytes) -> str | None:
    """The encoding of UTF-16 text (Excel's "Unicode text", some survey tools' exports): by its
    byte order mark, or without one by the zero bytes of mostly-ASCII text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:2000]
    if len(sample) >= 4 and len(sample) % 2 == 0:
        if sample[1::2].count(0) > 0.9 * len(sample) / 2:
            return "utf-16-le"
        if sample[0::2].count(0) > 0.9 * len(sample) / 2:
            return "utf-16-be"
    return None


def _decode(data: bytes) -> str:
    # Excel on Windows saves "CSV" in the ANSI code page, so try that when UTF-8 fails.
    wide = _utf16(data)
    for encoding in (wide,) if wide else ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_problem("import.unreadable")


def _delimiter(text: str) -> str:
    """The delimiter that splits the header into the most fields; comma on a tie."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=lambda d: len(next(csv.reader([first], delimiter=d))))


def _read_csv(data: bytes) -> pd.DataFrame:
    text = _decode(data)
    records: list[list[str]] = []
    try:
        delimiter = _delimiter(text)
        records.extend(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # Mostly a quote that is never closed: the rest of the file became one cell.
            row = len(records) + HEADER_ROW
            raise _file_problem("import.cell_too_big", row=row, max=MAX_CELL_CHARS) from exc
        raise _file_problem("import.unreadable") from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise _file_problem("import.empty")
    header, body = records[0], records[1:]
    rows: list[list[str]] = []
    for number, record in enumerate(body, start=HEADER_ROW + 1):
        extra = record[len(header) :]
        if any(cell.strip() for cell in extra):
            # More cells than column names: the row is shifted, or a comma is unquoted.
            raise _file_problem("import.extra_cells", row=number)
        rows.append((record + [""] * len(header))[: len(header)])
    return pd.DataFrame(rows, columns=_unique(header), dtype=str)


def _read_xlsx(data: bytes) -> tuple[pd.DataFrame, list[str]]:
    """The first sheet, and the formula cells without a saved result (read as empty)."""
    try:
        sheet = import_xlsx.read_sheet(data, max_filled_rows=MAX_ROWS)
    except import_xlsx.UnreadableWorkbook as exc:
        raise _file_problem("import.unreadable") from exc
    except import_xlsx.TooManyRows as exc:  # refused before the rest of the sheet is read
        if exc.rows is None:
            raise _file_problem("import.more_rows_than", max=MAX_ROWS) from exc
        raise _file_problem("import.too_many_rows", max=MAX_ROWS, rows=exc.rows) from exc
    # The first row holds the names; read here rather than by pandas, which renames repeats.
    if not sheet.rows or not any(_cell(v) for v in sheet.rows[0]):
        raise _file_problem("import.empty")
    frame = pd.DataFrame(sheet.rows[1:], columns=_unique(sheet.rows[0]), dtype=str)
    return frame, sheet.formula_cells


@dataclass(frozen=True)
class ReadFile:
    """A file read for an import: its cells, what to warn about, and its fingerprint."""

    frame: pd.DataFrame
    sha256: str  # of the file's bytes: the same file imported twice is noticed by it
    formula_cells: list[str] = field(default_factory=list)  # "D5": a formula read as empty


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _too_big_cell(frame: pd.DataFrame) -> None:
    for column in frame.columns:
        lengths = frame[column].str.len()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            row = int(lengths.to_numpy().argmax()) + HEADER_ROW + 1
            raise _file_problem("import.cell_too_big", row=row, max=MAX_CELL_CHARS)


def read_table(filename: str, data: bytes) -> pd.DataFrame:
    """A .csv (comma or semicolon) or .xlsx file as text cells, one row per spreadsheet row
    after the header; raises Invalid (field "file") when it cannot be used."""
    return read_file(filename, data).frame


def read_file(filename: str, data: bytes) -> ReadFile:
    """read_table, with the formula cells that have no saved result and the file's SHA-256.
    Size and row limits are checked before the whole file is parsed."""
    if len(data) > MAX_FILE_BYTES:
        raise _file_problem("import.file_too_big", max_mb=MAX_FILE_BYTES // (1024 * 1024))
    suffix = PurePath(filename).suffix.lower()
    formulas: list[str] = []
    if suffix == ".csv":
        frame = _read_csv(data)
    elif suffix == ".xlsx":
        frame, formulas = _read_xlsx(data)
    else:
        raise _file_problem("import.unsupported_type")
    frame = frame.fillna("").astype(str)
    _too_big_cell(frame)
    # Columns without a name or any value (formatted but empty spreadsheet columns) are noise.
    auto_named = frame.columns.str.fullmatch(r"\([A-Z]+\)( \(\d+\))?")
    has_text = frame.map(lambda v: bool(v.strip())).astype(bool)
    frame = frame.loc[:, ~(auto_named & ~has_text.any(axis=0).to_numpy())]
    filled = int(has_text.any(axis=1).sum())
    if filled == 0:
        raise _file_problem("import.no_rows")
    if filled > MAX_ROWS:
        raise _file_problem("import.too_many_rows", max=MAX_ROWS, rows=filled)
    return ReadFile(frame.reset_index(drop=True), file_sha256(data), formulas)


def _norm(name: str) -> str:
    """'Organisation Type ' and 'organisation_type' compare equal."""
    return re.sub(r"[\W_]+", "", name.casefold())


def _names(target: str, instrument: Instrument) -> list[str]:
    """Every name a file may use for a template column: its id, aliases and texts."""
    names = [target, *ALIASES.get(target, ())]
    item = instrument.item_by_id.get(target)
    if item is not None:
        names += [item.text.nl, item.text.en]
    force = instrument.force_by_id.get(target)
    if force is not None:
        names += [force.name.nl, force.name.en]
    return names


def suggest_mapping(columns: Sequence[str], instrument: Instrument) -> dict[str, str | None]:
    """For every template column, the file column that is most likely it (or None): an exact
    match first, then one that differs only in case, spaces or punctuation. A file column is
    used once."""
    targets = template_columns(instrument)
    mapping: dict[str, str | None] = {t: (t if t in columns else None) for t in targets}
    used = {c for c in mapping.values() if c is not None}
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(_norm(column), column)
    for target in targets:
        if mapping[target] is not None:
            continue
        for name in _names(target, instrument):
            found = by_norm.get(_norm(name))
            if found is not None and found not in used:
                mapping[target] = found
                used.add(found)
                break
    return mapping


def unmapped_columns(columns: Sequence[str], mapping: Mapping[str, str | None]) -> list[str]:
    """The file's columns that no template column takes (they are ignored)."""
    used = set(mapping.values())
    return [c for c in columns if c not in used]


def _cell(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""  # frames from read_table hold only text; others may hold NaN or NA
    return str(value).strip()


def _shown(text: str) -> str:
    """A cell as quoted in a problem: long enough to recognise, short enough for a table."""
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def _lookup(options: Sequence[Option]) -> dict[str, str]:
    """Option id and both labels, case-insensitive -> option id."""
    out: dict[str, str] = {}
    for o in options:
        for name in (o.id, o.label.nl, o.label.en):
            out.setdefault(name.casefold(), o.id)
    return out


def _mapping_problems(
    frame: pd.DataFrame, mapping: Mapping[str, str | None], instrument: Instrument
) -> list[CellProblem]:
    problems: list[CellProblem] = []
    targets: dict[str, list[str]] = {}
    for target, source in mapping.items():
        if source is None:
            continue
        if source not in frame.columns:
            problems.append(CellProblem(HEADER_ROW, source, "import.column_missing"))
        targets.setdefault(source, []).append(target)
    for source, chosen in targets.items():
        if len(chosen) > 1:
            params = {"targets": ", ".join(chosen)}
            problems.append(CellProblem(HEADER_ROW, source, "import.column_twice", params))
    if not any(mapping.get(i.id) for i in instrument.items):
        problems.append(CellProblem(HEADER_ROW, "", "import.no_item_columns"))
    return problems


@dataclass
class _RowReader:
    """Checks one spreadsheet row's cells, collecting problems."""

    number: int
    cells: dict[str, str]  # template column -> cell text
    sources: Mapping[str, str | None]
    problems: list[CellProblem] = field(default_factory=list)

    def bad(self, target: str, code: str, **params: Any) -> None:
        value = _shown(self.cells[target])
        source = self.sources[target] or target
        self.problems.append(CellProblem(self.number, source, code, params, value))

    def choice(self, target: str, lookup: Mapping[str, Any], code: str) -> Any:
        text = self.cells.get(target, "")
        if not text:
            return None
        found = lookup.get(text.casefold())
        if found is None:
            self.bad(target, code, value=_shown(text))
        return found


def _read_row(
    reader: _RowReader,
    instrument: Instrument,
    lookups: Mapping[str, Mapping[str, Any]],
    forces_asked: bool,
) -> ImportRow | None:
    cells = reader.cells
    values = lookups["values"]
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        text = cells.get(item.id, "")
        if not text:
            continue
        target = values.get(import_values.key(text))
        if target == import_values.BLANK:
            continue
        if target is not None:
            answers[item.id] = None if target == import_values.DONT_KNOW else int(target)
        elif text.casefold() in DONT_KNOW:
            answers[item.id] = None
        elif match := _SCORE.match(text):
            answers[item.id] = int(match.group(1))
        else:
            reader.bad(item.id, "import.bad_score", value=_shown(text))
    forces: set[str] = set()
    for force in instrument.forces:
        text = cells.get(force.id, "").casefold()
        if text in MARKED:
            forces.add(force.id)
        elif force.id in cells and text not in NOT_MARKED:
            reader.bad(force.id, "import.bad_mark", value=_shown(cells[force.id]))
    language = reader.choice("language", LANGUAGE_ALIASES, "import.unknown_language")
    role = reader.choice("role", lookups["role"], "import.unknown_role")
    org_type = reader.choice("organisation_type", lookups["type"], "import.unknown_type")
    org_id = reader.choice("organisation", lookups["organisation"], "import.unknown_organisation")
    comment = cells.get(COMMENT_COLUMN, "")
    if len(comment) > MAX_COMMENT_CHARS:
        reader.bad(COMMENT_COLUMN, "import.comment_too_long", max=MAX_COMMENT_CHARS)
    elif _CONTROL.search(comment):
        reader.bad(COMMENT_COLUMN, "import.control_characters")
    if not answers and not any(p.code == "import.bad_score" for p in reader.problems):
        reader.problems.append(CellProblem(reader.number, "", "import.no_answers"))
    if reader.problems:
        return None
    return ImportRow(
        row=reader.number,
        answers=answers,
        forces=frozenset(forces) if forces_asked else None,
        language=language or "nl",
        role=role,
        organisation_id=org_id,
        organisation_type=org_type,
        comment=comment or None,
    )


def validate(
    frame: pd.DataFrame,
    mapping: Mapping[str, str | None],
    instrument: Instrument,
    organisations: Mapping[str, int],
    value_map: Mapping[str, int] | None = None,
) -> Preview:
    """Check every row; `organisations` are the community's, by name. Rows whose cells are all
    empty are skipped; any other row becomes an ImportRow or one or more CellProblems.
    `value_map` maps statement cells (by import_values.key) to a scale point, DONT_KNOW or BLANK:
    another tool's words or codes; cells it does not name are read as usual."""
    # Only template columns count; anything else in the mapping is not ours to read.
    mapping = {t: mapping.get(t) for t in template_columns(instrument)}
    header = _mapping_problems(frame, mapping, instrument)
    if header:
        return Preview(rows=[], problems=header)
    sources = {t: s for t, s in mapping.items() if s is not None}
    forces_asked = any(f.id in sources for f in instrument.forces)
    lookups: dict[str, Mapping[str, Any]] = {
        "role": _lookup(instrument.profile.roles),
        "type": _lookup(instrument.profile.organisation_types),
        "organisation": {name.strip().casefold(): oid for name, oid in organisations.items()},
        "values": {k: v for k, v in (value_map or {}).items() if v in import_values.TARGETS},
    }
    columns = {t: frame[s].tolist() for t, s in sources.items()}
    rows: list[ImportRow] = []
    problems: list[CellProblem] = []
    skipped = 0
    for index, values in enumerate(frame.itertuples(index=False, name=None)):
        if not any(_cell(v) for v in values):
            skipped += 1
            continue
        cells = {t: _cell(column[index]) for t, column in columns.items()}
        reader = _RowReader(index + HEADER_ROW + 1, cells, sources)
        row = _read_row(reader, instrument, lookups, forces_asked)
        problems.extend(reader.problems)
        if row is not None:
            rows.append(row)
    return Preview(rows=rows, problems=problems, skipped_empty=skipped)


def commit(
    *,
    session: Session,
    round_id: int,
    preview: Preview,
    instrument: Instrument,
    source: str,
    actor: str,
    source_kind: Source = Source.imported,
    content_sha256: str | None = None,
) -> ImportBatch:
    """Store every row of a clean preview as one batch, in the caller's transaction, so that a
    failure on any row leaves nothing behind. Raises Invalid before writing when the preview
    has problems, no rows, or does not fit the round. `source_kind` marks the responses
    (Source.paper for sheets typed in after a paper session). `actor` is kept as the batch's
    importer; the audit event is services.imports' job."""
    source = source.strip()
    problems: list[Problem] = []
    if preview.problems:
        problems.append(Problem("preview", "import.has_problems", {"count": len(preview.problems)}))
    elif not preview.rows:
        problems.append(Problem("preview", "import.nothing_to_import"))
    if not source:
        problems.append(Problem("source", "error.required"))
    elif len(source) > MAX_SOURCE_CHARS:
        problems.append(Problem("source", "error.too_long", {"max": MAX_SOURCE_CHARS}))
    rnd = round_store.get_round(session=session, round_id=round_id)
    if rnd is None:
        problems.append(Problem("round", "import.no_round"))
    elif (rnd.instrument_id, rnd.instrument_version) != instrument.key:
        problems.append(Problem("round", "import.wrong_instrument"))
    if problems:
        raise Invalid(problems)
    assert rnd is not None
    batch = import_store.add_batch(
        session,
        round_id=round_id,
        source=source,
        rows=len(preview.rows),
        imported_by=actor[:200],
        content_sha256=content_sha256,
    )
    assert batch.id is not None
    row = preview.rows[0]
    try:
        for row in preview.rows:
            save_response(
                session=session,
                response_in=row.response_in(
                    round_id=round_id,
                    submission_key=f"import-{batch.id}-{row.row}",
                    batch_id=batch.id,
                ).model_copy(update={"source": source_kind}),
                instrument=instrument,
            )
    except (InvalidResponse, ValidationError, IntegrityError) as exc:
        # The caller's transaction rolls back on this exception: nothing of the batch stays.
        raise Invalid([Problem("preview", "import.row_failed", {"row": row.row})]) from exc
    return batch
