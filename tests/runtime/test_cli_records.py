"""The writing commands for scripts: community create, round open and close, import. Run in
this process (as `main(argv)`) on a real SQLite file; one test runs the real command."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from lc_health.documents import import_template
from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Instrument, load_registry
from lc_health.runtime import cli
from lc_health.services import communities as csvc
from lc_health.services import importing
from lc_health.services import rounds as rsvc
from lc_health.services.imports import import_responses
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store.models import AuditEvent, Community, ImportBatch, Response, Round
from tests.factories import make_community, make_round

COMMANDS = (
    ["community", "create"],
    ["round", "open"],
    ["round", "close"],
    ["import"],
)
TEMPLATE_ROWS = "language,role,organisation,ind_f01,ind_f02,fac_good_communication\n"


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str


Run = Callable[..., Done]


@pytest.fixture
def run(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Run:
    """`run("round", "close", "--round", "1")` against the sqlite_engine's database."""
    url = sqlite_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)

    def _run(*args: str) -> Done:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return _run


def _user_error(done: Done, *fragments: str) -> None:
    """Exit 1, nothing on stdout, one line on stderr that says what is wrong."""
    assert done.code == 1, done
    assert done.out == ""
    assert done.err.startswith("lc-health: ") and done.err.count("\n") == 1, done.err
    for fragment in fragments:
        assert fragment in done.err


def _setup(engine: Engine, instrument: Instrument, *, archived: bool = False) -> tuple[int, int]:
    """A community with one organisation and a 2026-Q3 round; (community id, round id)."""
    with db.write_session(engine) as session:
        community = make_community(session, name="Kas van Morgen")
        assert community.id is not None
        org = cstore.create_organisation(session=session, name="ROC Kustland", type="school")
        assert org.id is not None
        cstore.add_member(session=session, community_id=community.id, organisation_id=org.id)
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        if archived:
            cstore.set_archived(session=session, community_id=community.id, archived=True)
        return community.id, rnd.id


def _events(engine: Engine) -> list[tuple[str, str, str, str]]:
    with db.read_session(engine) as session:
        rows = session.execute(
            select(
                AuditEvent.actor, AuditEvent.action, AuditEvent.target, AuditEvent.detail
            ).order_by(AuditEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def _count(engine: Engine, model: type) -> int:
    with db.read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_explains_every_option(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*command, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: lc-health {' '.join(command)} ")
    parser = cli.build_parser()
    for word in command:
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = subs.choices[word]
    for action in parser._actions:
        assert action.help, f"{' '.join(command)}: {action.option_strings or action.dest}"


# --- community create ---------------------------------------------------------------------


def test_community_create_prints_only_the_id(run: Run, sqlite_engine: Engine) -> None:
    done = run(
        "community",
        "create",
        "--name",
        " Kas van Morgen ",
        "--sector",
        "Horticulture",
        "--region",
        "Westland",
    )
    assert done.code == 0 and done.err == ""
    with db.read_session(sqlite_engine) as session:
        row = session.execute(select(Community)).scalar_one()
    assert done.out == f"{row.id}\n"
    assert (row.name, row.sector, row.region) == ("Kas van Morgen", "Horticulture", "Westland")
    assert _events(sqlite_engine) == [
        ("lc-health community create", "community.create", "Kas van Morgen", "")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "   "], "--name: This field is required."),
        (["--name", "kas van morgen"], "--name: That name already exists."),
        (["--name", "x" * 121], "--name: This can be at most 120 characters."),
        (["--name", "Nieuw", "--sector", "s" * 81], "--sector: This can be at most 80"),
    ],
    ids=["empty", "taken", "name too long", "sector too long"],
)
def test_community_create_user_errors(
    args: list[str], message: str, run: Run, sqlite_engine: Engine, instrument: Instrument
) -> None:
    _setup(sqlite_engine, instrument)
    _user_error(run("community", "create", *args), "community not created", message)
    assert _count(sqlite_engine, Community) == 1
    assert _events(sqlite_engine) == []


# --- round open ----------------------------------------------------------------------------


def test_round_open_plans_the_quarter_with_the_newest_instrument(
    run: Run, sqlite_engine: Engine, instrument: Instrument
) -> None:
    community_id, _ = _setup(sqlite_engine, instrument)
    done = run("round", "open", "--community", str(community_id), "--period", "2026-q4")
    assert done.code == 0 and done.err == ""
    with db.read_session(sqlite_engine) as session:
        rnd = session.execute(select(Round).where(Round.period == "2026-Q4")).scalar_one()
    assert done.out == f"{rnd.id}\n"
    assert (rnd.opens_on, rnd.closes_on) == (date(2026, 10, 1), date(2026, 12, 31))
    assert (rnd.instrument_id, rnd.instrument_version) == instrument.key
    [event] = _events(sqlite_engine)
    assert event[:3] == ("lc-health round open", "round.plan", "2026-Q4")
    assert json.loads(event[3]) == {
        "communities": 1,
        "opens_on": "2026-10-01",
        "closes_on": "2026-12-31",
    }


@pytest.mark.parametrize(
    ("community", "period", "message"),
    [
        ("999", "2026-Q4", "There is no community with id 999."),
        ("archived", "2026-Q4", "The community Kas van Morgen is archived."),
        ("ok", "2026Q4", "Write the period as year-quarter"),
        ("ok", "2026-Q5", "Write the period as year-quarter"),
        ("ok", "2026-Q3", "There is already a round for 2026-Q3."),
    ],
    ids=["unknown", "archived", "format", "no such quarter", "taken"],
)
def test_round_open_user_errors(
    community: str,
    period: str,
    message: str,
    run: Run,
    sqlite_engine: Engine,
    instrument: Instrument,
) -> None:
    community_id, _ = _setup(sqlite_engine, instrument, archived=community == "archived")
    cid = community if community.isdigit() else str(community_id)
    _user_error(run("round", "open", "--community", cid, "--period", period), message)
    assert _count(sqlite_engine, Round) == 1
    assert _events(sqlite_engine) == []


def test_round_open_refuses_an_overlap(
    run: Run, sqlite_engine: Engine, instrument: Instrument
) -> None:
    community_id, _ = _setup(sqlite_engine, instrument)
    with db.write_session(sqlite_engine) as session:  # a round running into the next quarter
        make_round(
            session,
            instrument,
            community_id=community_id,
            period="2026-Q4",
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 1, 15),
        )
    done = run("round", "open", "--community", str(community_id), "--period", "2027-Q1")
    _user_error(done, "These dates overlap with the 2026-Q4 round")


# --- round close ---------------------------------------------------------------------------


def test_round_close_prints_nothing_and_closes(
    run: Run, sqlite_engine: Engine, instrument: Instrument
) -> None:
    _, round_id = _setup(sqlite_engine, instrument)
    assert run("round", "close", "--round", str(round_id)) == Done(0, "", "")
    with db.read_session(sqlite_engine) as session:
        rnd = session.get(Round, round_id)
        assert rnd is not None and rnd.closed_manually
    assert _events(sqlite_engine) == [
        ("lc-health round close", "round.close", "Kas van Morgen 2026-Q3", ""),
        # Closing publishes the round's figures (store.publication), recorded as well.
        ("lc-health round close", "round.published", "Kas van Morgen 2026-Q3", ""),
    ]


def test_round_close_unknown_round(run: Run, sqlite_engine: Engine) -> None:
    _user_error(run("round", "close", "--round", "42"), "There is no round with id 42.")
    assert _events(sqlite_engine) == []


# --- import --------------------------------------------------------------------------------


def test_import_stores_all_rows_and_prints_the_count(
    run: Run, sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    _, round_id = _setup(sqlite_engine, instrument)
    path = tmp_path / "juni.csv"
    path.write_text(TEMPLATE_ROWS + "en,student,ROC Kustland,4,dk,x\nnl,,,2,5,\n\n")
    done = run("import", str(path), "--round", str(round_id))
    assert done == Done(0, "2\n", "")
    assert _count(sqlite_engine, Response) == 2
    [event] = _events(sqlite_engine)
    assert event[:3] == ("lc-health import", "responses.import", "Kas van Morgen 2026-Q3")
    assert json.loads(event[3])["rows"] == 2 and json.loads(event[3])["source"] == "juni.csv"


def test_import_of_the_excel_template(
    run: Run, sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    import io

    from openpyxl import load_workbook

    _, round_id = _setup(sqlite_engine, instrument)
    book = load_workbook(io.BytesIO(import_template.template_xlsx(instrument, "en")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    sheet.append(["4" if name == "ind_f01" else None for name in header])
    path = tmp_path / "template.xlsx"
    book.save(path)
    done = run("import", str(path), "--round", str(round_id), "--source", "Paper, June")
    assert done == Done(0, "1\n", "")
    with db.read_session(sqlite_engine) as session:
        batch = session.execute(select(ImportBatch)).scalar_one()
    assert (batch.source, batch.imported_by) == ("Paper, June", "lc-health import")


def test_import_names_every_problem_and_stores_nothing(
    run: Run, sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    _, round_id = _setup(sqlite_engine, instrument)
    path = tmp_path / "bad.csv"
    path.write_text(
        "language,role,ind_f01,ind_f02,ind_f99\n"
        "en,student,4,5,\n"  # fine, but the file as a whole is not
        "xx,student,7,5,\n"
        "nl,wizard,3,4,\n"
    )
    done = run("import", str(path), "--round", str(round_id))
    assert done.code == 1 and done.out == ""
    assert done.err.splitlines() == [
        f"lc-health: {path}: row 1, column 'ind_f99': This column is not in the import "
        "template of this round's questionnaire. Give it the template's name or remove it.",
        f"lc-health: {path}: row 3, column 'ind_f01': '7' is not a score. Use 1 to 5, 'dk' "
        "(don't know) or leave the cell empty.",
        f"lc-health: {path}: row 3, column 'language': 'xx' is not a language we know. "
        "Use nl or en.",
        f"lc-health: {path}: row 4, column 'role': 'wizard' is not a role of the "
        "questionnaire. See the 'help' sheet in the Excel template.",
    ]
    assert _count(sqlite_engine, Response) == _count(sqlite_engine, ImportBatch) == 0
    assert _events(sqlite_engine) == []


@pytest.mark.parametrize(
    ("name", "content", "round_id", "message"),
    [
        ("missing.csv", None, "ok", "cannot read"),
        ("data.txt", b"a,b\n1,2\n", "ok", "This is not a CSV or Excel file."),
        ("empty.csv", b"", "ok", "The file is empty"),
        ("header.csv", TEMPLATE_ROWS.encode(), "ok", "no rows with responses"),
        ("ok.csv", (TEMPLATE_ROWS + "en,,,4,4,\n").encode(), "7", "There is no round with id 7."),
        ("broken.xlsx", b"PK\x03\x04 not really", "ok", "This file cannot be read."),
    ],
)
def test_import_user_errors(
    name: str,
    content: bytes | None,
    round_id: str,
    message: str,
    run: Run,
    sqlite_engine: Engine,
    instrument: Instrument,
    tmp_path: Path,
) -> None:
    _, real_round = _setup(sqlite_engine, instrument)
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    rid = str(real_round) if round_id == "ok" else round_id
    _user_error(run("import", str(path), "--round", rid), message)
    assert _count(sqlite_engine, Response) == 0


JUNK_CELLS = st.one_of(
    st.sampled_from(["", "4", "dk", "x", "en", "student", "7", "4,0", "\x00", '"', ";", ","]),
    st.text(max_size=8),
)


JUNK = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@JUNK
@given(
    name=st.sampled_from(["f.csv", "f.xlsx", "f.CSV", "f", "f.txt"]),
    header=st.lists(
        st.sampled_from(
            ["language", "role", "ind_f01", "ind_f02", "fac_good_communication", "", "ind_f01", "x"]
        ),
        max_size=5,
    ),
    rows=st.lists(st.lists(JUNK_CELLS, max_size=6), max_size=4),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
    round_id=st.sampled_from(["1", "0", "-1", "999999999999"]),
)
def test_import_survives_junk(
    name: str,
    header: list[str],
    rows: list[list[str]],
    raw: bytes | None,
    round_id: str,
    run: Run,
    sqlite_engine: Engine,
    instrument: Instrument,
    tmp_path: Path,
) -> None:
    if not _count(sqlite_engine, Round):
        _setup(sqlite_engine, instrument)
    path = tmp_path / name
    if raw is None:
        text = "\n".join(",".join(r) for r in [header, *rows])
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(raw)
    done = run("import", str(path), "--round", round_id)  # an exception would fail the test
    assert done.code in {0, 1}
    assert "Traceback" not in done.err
    if done.code == 0:
        assert done.out.strip().isdigit()
    else:
        assert done.out == "" and done.err.startswith("lc-health: ")


# --- the same audit record from the command line and from the service a page calls --------


def _service_write(
    kind: str, session: Session, instrument: Instrument, ids: tuple[int, int]
) -> None:
    """What the pages do, with the command line's actor."""
    community_id, round_id = ids
    if kind == "community":
        csvc.create_community(
            session=session,
            name="Bijenlint",
            sector="Nature",
            region="",
            actor="lc-health community create",
        )
    elif kind == "open":
        rsvc.open_round(
            session=session,
            community_id=community_id,
            period="2026-Q4",
            instrument=instrument,
            actor="lc-health round open",
        )
    elif kind == "close":
        rsvc.close_round(
            session=session,
            round_id=round_id,
            actor="lc-health round close",
            registry=load_registry(),
            policy=Policy(),
        )
    else:
        read = importing.read_file("juni.csv", (TEMPLATE_ROWS + "en,,,4,4,\n").encode())
        mapping = importing.suggest_mapping(list(read.frame.columns), instrument)
        preview = importing.validate(read.frame, mapping, instrument, {})
        import_responses(
            session=session,
            round_id=round_id,
            preview=preview,
            instrument=instrument,
            source="juni.csv",
            actor="lc-health import",
            content_sha256=read.sha256,
        )


@pytest.mark.parametrize("kind", ["community", "open", "close", "import"])
def test_cli_and_service_write_the_same_audit_record(
    kind: str, run: Run, sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    ids = _setup(sqlite_engine, instrument)
    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        db.upgrade(other)
        assert _setup(other, instrument) == ids
        with db.write_session(other) as session:
            _service_write(kind, session, instrument, ids)
        expected = _events(other)
    finally:
        other.dispose()
    csv_path = tmp_path / "juni.csv"
    csv_path.write_text(TEMPLATE_ROWS + "en,,,4,4,\n")
    args = {
        "community": ["community", "create", "--name", "Bijenlint", "--sector", "Nature"],
        "open": ["round", "open", "--community", str(ids[0]), "--period", "2026-Q4"],
        "close": ["round", "close", "--round", str(ids[1])],
        "import": ["import", str(csv_path), "--round", str(ids[1])],
    }[kind]
    assert run(*args).code == 0
    # Closing a round also publishes it: two records for close, one for the others.
    assert len(expected) == (2 if kind == "close" else 1)
    assert _events(sqlite_engine) == expected


def test_the_real_command(tmp_path: Path) -> None:
    """As a script runs it: exit codes, stdout and stderr of a separate process."""
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lc_health.runtime.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    made = call("community", "create", "--name", "Noordzeevis")
    assert (made.returncode, made.stderr) == (0, "") and made.stdout.strip().isdigit()
    again = call("community", "create", "--name", "Noordzeevis")
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr == (
        "lc-health: community not created: --name: That name already exists. Choose another one.\n"
    )


def test_import_refuses_the_same_file_twice_unless_forced(
    run: Run, sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    _, round_id = _setup(sqlite_engine, instrument)
    path = tmp_path / "juni.csv"
    path.write_text(TEMPLATE_ROWS + "en,student,ROC Kustland,4,dk,x\n")
    assert run("import", str(path), "--round", str(round_id)) == Done(0, "1\n", "")
    copy = tmp_path / "kopie.csv"
    copy.write_bytes(path.read_bytes())  # another name, the same contents
    again = run("import", str(copy), "--round", str(round_id))
    _user_error(again, "nothing imported", "exactly this file was imported on", "--force")
    assert _count(sqlite_engine, Response) == 1
    assert run("import", str(copy), "--round", str(round_id), "--force") == Done(0, "1\n", "")
    with db.read_session(sqlite_engine) as session:
        hashes = session.execute(select(ImportBatch.content_sha256)).scalars().all()
    assert len(hashes) == 2 and hashes[0] == hashes[1] and len(hashes[0] or "") == 64
    events = _events(sqlite_engine)
    assert [json.loads(e[3])["sha256"] for e in events] == hashes


def test_import_names_formula_cells_without_a_result(
    run: Run, sqlite_engine: Engine, instrument: Instrument, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    _, round_id = _setup(sqlite_engine, instrument)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["language", "ind_f01", "ind_f02"])
    sheet.append(["en", 4, "=B2"])
    path = tmp_path / "formules.xlsx"
    book.save(path)
    done = run("import", str(path), "--round", str(round_id))
    assert done.code == 0 and done.out == "1\n"
    assert "formula cells without a saved result: C2" in done.err
