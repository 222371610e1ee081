"""Property-based tests (Hypothesis) on every way data gets in: instrument files, CSV import,
paper entry, survey submission and survey links. Whatever comes in gets a clear answer (a
value, or a named problem) and never a crash, and nothing is ever stored half."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import Engine, func, select

from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import InstrumentError, load_registry, parse_instrument
from lc_health.domain.schemas import MAX_COMMENT_CHARS, ResponseIn
from lc_health.services import importing, paper
from lc_health.store import communities as cstore
from lc_health.store import db, tallies
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store.invitations import LinkStatus
from lc_health.store.models import Answer, Comment, ForceMark, Response
from lc_health.store.rounds import create_round

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = tomllib.loads((ROOT / "surveys" / "lc_health-v1.toml").read_text(encoding="utf-8"))
# Module-level rather than a fixture, so Hypothesis' failure reports stay readable.
INSTRUMENT = load_registry(ROOT / "surveys").latest()
EXAMPLES = 150
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Text that has broken systems before: SQL, markup, right-to-left, emoji, control characters.
NASTY = st.sampled_from(
    [
        "'; DROP TABLE response; --",
        '" OR 1=1 --',
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "**bold** [link](javascript:alert(1))",
        "{{7*7}}",
        "مرحبا بالعالم",
        "שלום עולם",
        "\u202eevil\u202c",
        "🌱🔥👩‍👩‍👧‍👦",
        "\x00\x01\x07\x1b[31m",
        "Ω" * 3000,
        "\r\n\t",
        "NULL",
        "None",
        "nan",
        "",
        " ",
    ]
)
TEXT = st.one_of(NASTY, st.text(max_size=300))


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data[:3]):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


PATHS = list(_paths(SHIPPED))


@FAST
@given(
    path=st.sampled_from(PATHS),
    change=st.sampled_from(["delete", "replace", "add_key"]),
    value=st.one_of(TEXT, st.integers(), st.none(), st.lists(st.integers(), max_size=3)),
)
def test_any_damaged_instrument_is_either_valid_or_explained(
    path: tuple[Any, ...], change: str, value: Any
) -> None:
    data = copy.deepcopy(SHIPPED)
    parent: Any = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if change == "delete":
        del parent[last]
    elif change == "replace":
        parent[last] = value
    elif isinstance(parent[last], dict):
        parent[last]["surprise_key"] = value
    else:
        parent[last] = {"surprise_key": value}
    try:
        parse_instrument(data, source="damaged.toml")
    except InstrumentError as exc:
        assert exc.problems and all(isinstance(p, str) and p.strip() for p in exc.problems)
        assert str(exc).startswith("damaged.toml: ")


@FAST
@given(
    data=st.one_of(st.binary(max_size=2000), TEXT.map(lambda s: s.encode("utf-8"))),
    name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x.CSV"]),
)
def test_any_uploaded_file_is_read_or_refused_clearly(data: bytes, name: str) -> None:
    try:
        frame = importing.read_table(name, data)
    except Invalid as exc:
        assert exc.problems and all(p.code.startswith("import.") for p in exc.problems)
    else:
        assert frame.columns.is_unique


CELL = st.one_of(
    NASTY,
    st.sampled_from(
        ["1", "2", "5", "6", "0", "-1", "3.5", "4,0", "dk", "?", "x", "ja", "seven", ""]
    ),
)


@FAST
@given(cells=st.lists(st.tuples(CELL, CELL, CELL, CELL), min_size=1, max_size=6))
def test_any_import_rows_are_validated_cell_by_cell(cells: list[tuple[str, ...]]) -> None:
    instrument = INSTRUMENT
    import pandas as pd

    frame = pd.DataFrame(cells, columns=["role", "ind_f01", "fac_good_communication", "comment"])
    preview = importing.validate(
        frame, importing.suggest_mapping(list(frame.columns), instrument), instrument, {}
    )
    for problem in preview.problems:
        assert problem.row >= 2 and problem.code.startswith("import.")
    for row in preview.rows:
        value = row.answers.get("ind_f01")
        assert value is None or 1 <= value <= 5


@FAST
@given(
    cells=st.lists(
        st.tuples(st.one_of(st.none(), st.integers(-3, 10**6)), CELL, CELL),
        min_size=1,
        max_size=5,
    )
)
def test_any_paper_grid_is_checked_without_crashing(
    cells: list[tuple[int | None, str, str]],
) -> None:
    instrument = INSTRUMENT
    grid = paper.empty_grid(instrument, len(cells))
    for index, (sheet, role, answer) in enumerate(cells):
        grid.iloc[index, 0] = sheet  # a number column in the editor: only numbers get here
        grid.loc[grid.index[index], "role"] = role
        grid.loc[grid.index[index], instrument.items[0].id] = answer
    preview = paper.check(grid, instrument, language="nl")
    assert all(problem.code for problem in preview.problems)


@pytest.fixture(scope="module")
def survey_db(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Engine, int, dict[str, str]]]:
    instrument = INSTRUMENT
    path = tmp_path_factory.mktemp("props") / "props.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.write_session(engine) as session:
        one = cstore.create_community(session=session, name="Een")
        two = cstore.create_community(session=session, name="Twee")
        assert one.id and two.id
        kw = {"instrument_id": instrument.id, "instrument_version": instrument.version}
        rnd = create_round(
            session=session,
            community_id=one.id,
            period="2026-Q3",
            opens_on=date(2026, 7, 1),
            closes_on=date(2026, 9, 30),
            **kw,
        )
        create_round(
            session=session,
            community_id=two.id,
            period="2026-Q2",
            opens_on=date(2026, 4, 1),
            closes_on=date(2026, 6, 30),
            **kw,
        )
        (good,) = istore.create_personal_links(session=session, community_id=one.id, count=1)
        (other,) = istore.create_personal_links(session=session, community_id=two.id, count=1)
        (gone,) = istore.create_personal_links(session=session, community_id=one.id, count=1)
        istore.revoke(session=session, invitation_id=gone.invitation_id)
        assert rnd.id is not None
    tokens = {"good": good.token, "other": other.token, "revoked": gone.token}
    yield engine, rnd.id, tokens
    engine.dispose()


def _consistent(engine: Engine, round_id: int) -> None:
    """Nothing half: every response has all its rows, and the tallies count exactly them."""
    with db.read_session(engine) as session:
        responses = session.execute(
            select(func.count()).select_from(Response).where(Response.round_id == round_id)
        ).scalar_one()
        orphans = session.execute(
            select(func.count())
            .select_from(Answer)
            .where(
                ~Answer.response_id.in_(select(Response.id))  # type: ignore[attr-defined]
            )
        ).scalar_one()
        counted = tallies.round_counts(session=session, round_ids=[round_id])
    assert orphans == 0
    assert (counted["responses"].tolist() or [0]) == [responses]


@FAST
@given(
    values=st.dictionaries(
        st.sampled_from(["ind_f01", "org_f09", "lc_f03", "nope", "'; --"]),
        st.one_of(st.none(), st.integers(-5, 10)),
        max_size=5,
    ),
    forces=st.one_of(
        st.none(),
        st.frozensets(st.sampled_from(["fac_good_communication", "hin_too_fast", "<b>x</b>"])),
    ),
    comment=st.one_of(st.none(), TEXT, st.text(min_size=1900, max_size=2100)),
    role=st.one_of(st.none(), st.sampled_from(["student", "astronaut", "'; DROP"])),
    key=st.text(min_size=1, max_size=70),
)
def test_any_submission_is_stored_whole_or_refused(
    survey_db: tuple[Engine, int, dict[str, str]],
    values: dict[str, int | None],
    forces: frozenset[str] | None,
    comment: str | None,
    role: str | None,
    key: str,
) -> None:
    engine, round_id, _ = survey_db
    instrument = INSTRUMENT
    try:
        response = ResponseIn(
            round_id=round_id,
            submission_key=key,
            answers=values,
            forces=forces,
            comment=comment,
            role=role,
        )
    except ValidationError as exc:
        assert exc.errors()  # e.g. a comment over 2,000 characters or an empty key
        assert len(comment or "") > MAX_COMMENT_CHARS or not key or len(key) > 64
        return
    try:
        with db.write_session(engine) as session:
            result = response_store.save_response(
                session=session, response_in=response, instrument=instrument
            )
    except response_store.InvalidResponse as exc:
        assert exc.problems
    else:
        with db.read_session(engine) as session:
            stored = response_store.stored_comment(session=session, response_id=result.response_id)
            marks = session.execute(
                select(func.count())
                .select_from(ForceMark)
                .where(ForceMark.response_id == result.response_id)
            ).scalar_one()
        kept = comment if comment and comment.strip() else None
        if result.created:
            assert stored == kept  # exactly as typed: no escaping, no trimming
            assert marks == len(forces or ())
    _consistent(engine, round_id)
    with db.read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Comment)).scalar_one() >= 0


@FAST
@given(
    token=st.one_of(
        st.text(max_size=80),
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            min_size=43,
            max_size=43,
        ),
        NASTY,
    )
)
def test_random_tokens_lead_nowhere(
    survey_db: tuple[Engine, int, dict[str, str]], token: str
) -> None:
    engine, _, tokens = survey_db
    with db.read_session(engine) as session:
        resolved = istore.resolve(session=session, token=token, today=date(2026, 8, 1))
    if token in tokens.values():
        return
    assert resolved.status == LinkStatus.unknown and resolved.community is None


@pytest.mark.parametrize(
    ("which", "today", "expected"),
    [
        ("good", date(2026, 8, 1), LinkStatus.ok),
        ("good", date(2026, 10, 2), LinkStatus.closed),  # expired: the round closed
        ("good", date(2026, 6, 1), LinkStatus.not_open),
        ("revoked", date(2026, 8, 1), LinkStatus.revoked),
        ("other", date(2026, 8, 1), LinkStatus.closed),  # another community: its own round
        ("truncated", date(2026, 8, 1), LinkStatus.unknown),
        ("extended", date(2026, 8, 1), LinkStatus.unknown),
    ],
)
def test_known_bad_tokens(
    survey_db: tuple[Engine, int, dict[str, str]],
    which: str,
    today: date,
    expected: LinkStatus,
) -> None:
    engine, _, tokens = survey_db
    token = {
        "truncated": tokens["good"][:-1],
        "extended": tokens["good"] + "A",
    }.get(which, tokens.get(which, ""))
    with db.read_session(engine) as session:
        resolved = istore.resolve(session=session, token=token, today=today)
    assert resolved.status == expected
    if which == "other":
        assert resolved.community is not None and resolved.community.name == "Twee"
