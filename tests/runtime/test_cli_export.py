"""`lc-health export`: exactly what a lead or a policy maker can see of a published round, in
JSON (full precision, the same bytes every time), CSV, Excel or HTML; nothing of an open round;
no live formula in any spreadsheet cell."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from lc_health.documents.round_export import to_json
from lc_health.domain.disclosure import Audience
from lc_health.domain.instrument import Instrument, Registry
from lc_health.runtime import cli
from lc_health.store.db import read_session, write_session
from lc_health.store.models import AuditEvent
from tests import publishing as pub

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "gewoon"]


@dataclass(frozen=True)
class Done:
    code: int
    out: bytes
    err: str


Run = Callable[..., Done]


@pytest.fixture
def run(
    sqlite_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> Run:
    monkeypatch.setenv(
        "LC_HEALTH_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )

    def _run(*args: str) -> Done:
        capsysbinary.readouterr()
        code = cli.main(list(args))
        captured = capsysbinary.readouterr()
        return Done(code, captured.out, captured.err.decode())

    return _run


def _published(engine: Engine, instrument: Instrument, registry: Registry) -> int:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=6, name=HOSTILE[0])
        for i, link in enumerate(rnd.links):
            pub.answer(
                session,
                instrument,
                rnd,
                pub.all_items(instrument, 2 + i % 4),
                link=link,
                comment=HOSTILE[i % len(HOSTILE)],
            )
    pub.publish(engine, registry)
    return rnd.round_id


def test_json_is_what_the_lead_sees_and_the_same_bytes_every_time(
    run: Run, sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    round_id = _published(sqlite_engine, instrument, registry)
    first = run("export", "--round", str(round_id), "--as", "lead")
    again = run("export", "--round", str(round_id), "--as", "lead")
    assert first.code == 0 and first.err == ""
    assert first.out == again.out
    expected = to_json(pub.document(sqlite_engine, registry, round_id, Audience.lead))
    assert first.out == expected
    doc = json.loads(first.out)
    assert sorted(doc["comments"]) == sorted(HOSTILE[i % len(HOSTILE)] for i in range(6))
    assert doc["health"]["respondents"] == 6


def test_a_policy_maker_gets_no_comments_and_no_actions(
    run: Run, sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    round_id = _published(sqlite_engine, instrument, registry)
    done = run("export", "--round", str(round_id), "--as", "policy")
    doc = json.loads(done.out)
    assert "comments" not in doc and "actions" not in doc
    assert doc["factors"]


def _looks_like_formula(cell: str) -> bool:
    if cell.startswith(("=", "+", "@", "\t", "\r")):
        return True
    if cell.startswith("-"):
        try:
            float(cell)  # a negative number is a number, not a formula
        except ValueError:
            return True
    return False


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheets_carry_no_live_formula(
    run: Run,
    sqlite_engine: Engine,
    instrument: Instrument,
    registry: Registry,
    tmp_path: Path,
    fmt: str,
) -> None:
    round_id = _published(sqlite_engine, instrument, registry)
    target = tmp_path / f"round.{fmt}"
    done = run(
        "export", "--round", str(round_id), "--as", "lead", "--format", fmt, "-o", str(target)
    )
    assert done.code == 0 and done.out == b""
    if fmt == "csv":
        rows = csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline=""))
        cells = [cell for row in rows for cell in row]
    else:
        book = openpyxl.load_workbook(io.BytesIO(target.read_bytes()))
        every = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in every if cell.data_type == "f"]
        cells = [cell.value for cell in every if isinstance(cell.value, str)]
    assert not [cell for cell in cells if _looks_like_formula(cell)]
    # Each comment is there, made inert (Excel keeps a carriage return as a line feed).
    normalised = [cell.replace("\r", "\n") for cell in cells]
    for hostile in HOSTILE[:6]:
        assert "'" + hostile.replace("\r", "\n") in normalised
    assert "'" + HOSTILE[0] in cells  # the community's name too


def test_html_escapes_every_text(
    run: Run, sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(sqlite_engine) as session:
        rnd = pub.make(session, instrument, personal=5, name="<script>alert(1)</script>")
        for link in rnd.links:
            pub.answer(
                session,
                instrument,
                rnd,
                pub.all_items(instrument, 4),
                link=link,
                comment="<b>vet</b>",
            )
    pub.publish(sqlite_engine, registry)
    done = run("export", "--round", str(rnd.round_id), "--as", "lead", "--format", "html")
    assert done.code == 0
    page = done.out.decode()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;vet&lt;/b&gt;" in page


def test_an_open_round_or_an_unknown_round_is_a_one_line_error(
    run: Run, sqlite_engine: Engine, instrument: Instrument
) -> None:
    with write_session(sqlite_engine) as session:
        rnd = pub.make(session, instrument, personal=6, closes_on=date(2099, 12, 31))
        for link in rnd.links:
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 3), link=link)
    for round_id in (rnd.round_id, 999):
        done = run("export", "--round", str(round_id), "--as", "lead")
        assert done.code == 1 and done.out == b""
        assert len(done.err.strip().splitlines()) == 1 and "Traceback" not in done.err
        assert done.err.startswith("lc-health: ")


def test_export_help_names_every_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["export", "--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    for option in ("--round", "--as", "--format", "--output"):
        assert option in text


def test_export_lists_the_registry_and_writes_the_lead_report(
    run: Run, sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    listed = run("export", "--list")
    assert listed.code == 0
    names = [line[2:].split()[0] for line in listed.out.decode().splitlines()]
    assert "round" in names and "round-report" in names and "portfolio" in names
    round_id = _published(sqlite_engine, instrument, registry)
    report = run(
        "export",
        "--round",
        str(round_id),
        "--as",
        "lead",
        "--export",
        "round-report",
        "--format",
        "html",
    )
    assert report.code == 0 and report.out.startswith(b"<!DOCTYPE html>")
    refused = run(
        "export",
        "--round",
        str(round_id),
        "--as",
        "policy",
        "--export",
        "round-report",
        "--format",
        "html",
    )
    assert refused.code == 1 and refused.out == b"" and "policy" in refused.err


def test_export_offers_what_the_registry_makes_from_a_round(run: Run) -> None:
    """The command's exports are the registry's round exports: a new registry line is
    available here without touching the command."""
    from lc_health.documents.registry import EXPORTS, for_round

    from_a_round = [e.name for e in for_round()]
    assert "round" in from_a_round and "round-report" in from_a_round
    not_from_a_round = next(name for name in EXPORTS if name not in from_a_round)
    done = run("export", "--round", "1", "--as", "lead", "--export", not_from_a_round)
    assert done.code == 1
    assert all(name in done.err for name in from_a_round)
    assert set(cli.EXPORT_FORMATS) == {f for e in for_round() for f in e.formats}


def test_csv_for_dutch_excel_is_the_csv_with_semicolons_and_decimal_commas(
    run: Run, sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    round_id = _published(sqlite_engine, instrument, registry)
    plain = run("export", "--round", str(round_id), "--as", "lead", "--format", "csv")
    nl = run("export", "--round", str(round_id), "--as", "lead", "--format", "csv-nl")
    assert nl.code == 0 and nl.err == "" and nl.out.startswith(b"\xef\xbb\xbf")

    def rows(data: bytes, sep: str) -> list[list[str]]:
        text = data.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))

    commas, semicolons = rows(plain.out, ","), rows(nl.out, ";")
    assert [len(r) for r in semicolons] == [len(r) for r in commas] and len(commas) > 10
    decimals = 0
    for comma_row, nl_row in zip(commas, semicolons, strict=True):
        for a, b in zip(comma_row, nl_row, strict=True):
            try:
                number = float(a)
            except ValueError:
                assert b == a  # text is the same text
                continue
            assert float(b.replace(",", ".")) == number and "." not in b
            decimals += "," in b
    assert decimals > 10


def test_every_export_written_is_in_the_audit_log_without_its_content(
    run: Run, sqlite_engine: Engine, instrument: Instrument, registry: Registry, tmp_path: Path
) -> None:
    round_id = _published(sqlite_engine, instrument, registry)
    for fmt in ("json", "csv-nl"):
        done = run(
            "export",
            "--round",
            str(round_id),
            "--as",
            "lead",
            "--format",
            fmt,
            "-o",
            str(tmp_path / f"x.{fmt}"),
        )
        assert done.code == 0
    refused = run("export", "--round", "999", "--as", "lead")
    assert refused.code == 1
    with read_session(sqlite_engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.target, AuditEvent.detail)
            .where(AuditEvent.action == "export")
            .order_by(AuditEvent.id)
        ).all()
    assert [(actor, json.loads(detail)) for actor, _, detail in rows] == [
        ("lc-health export", {"audience": "lead", "export": "round", "format": fmt})
        for fmt in ("json", "csv-nl")
    ]
    assert all(f"(round {round_id})" in target for _, target, _ in rows)
    assert not [h for h in HOSTILE[1:] for _, _, detail in rows if h.strip() in detail]
