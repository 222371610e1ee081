"""Paper sessions: turning the entry grid into checked rows (pure), and the lead's page on the
demo database, from typed sheets to paper responses stored in the chosen round."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col
from streamlit.testing.v1 import AppTest

from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.services import paper
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.models import ImportBatch, Response, UserCommunity
from lc_health.store.tallies import round_counts
from lc_health.store.users import users_frame
from tests.apptest import page_app, page_text

LEAD = "trekker@demo.lc-health.nl"
ADMIN = "beheer@demo.lc-health.nl"
POLICY = "beleid@demo.lc-health.nl"
COMMUNITY = "Robotica Fieldlab Westland"


# -- the grid, without Streamlit ------------------------------------------------------------


def _grid(instrument: Instrument, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """An entry grid as st.data_editor returns it: blank rows with some cells typed."""
    grid = paper.empty_grid(instrument, len(rows))
    for index, cells in enumerate(rows):
        for column, value in cells.items():
            grid.at[grid.index[index], column] = value
    return grid


def test_empty_grid_has_a_column_per_statement(instrument: Instrument) -> None:
    grid = paper.empty_grid(instrument, 3)
    assert list(grid.columns) == ["sheet", "role", "organisation_type"] + [
        i.id for i in instrument.items
    ]
    assert len(grid) == 3 and grid.isna().all().all()
    assert list(grid.index) == [1, 2, 3]  # the row numbers shown on screen


def test_problems_name_the_row_number_shown_after_a_deletion(instrument: Instrument) -> None:
    grid = _grid(instrument, [{"ind_f01": "3"}, {"ind_f01": "4"}, {"role": "student"}])
    grid = grid.drop(index=2)  # the lead deleted the second row
    preview = paper.check(grid, instrument, language="nl")
    assert [(paper.grid_row(p), paper.row_label(grid, p)) for p in preview.problems] == [(2, 3)]
    assert str(grid["sheet"].dtype) == "Int64"


def test_rows_to_frame_gives_the_import_shape(instrument: Instrument) -> None:
    grid = _grid(
        instrument,
        [{"sheet": 3, "role": "student", "ind_f01": "4", "lc_f01": "?"}, {}, {"eco_f12": "1"}],
    )
    frame = paper.rows_to_frame(grid, instrument, language="en")
    assert list(frame.columns)[:4] == ["sheet", "language", "role", "organisation_type"]
    assert list(frame.loc[0, ["sheet", "language", "role", "ind_f01", "lc_f01", "ind_f02"]]) == [
        "3",
        "en",
        "student",
        "4",
        "?",
        "",
    ]
    assert (frame.loc[1] == "").all()  # an untouched row stays empty, so it is skipped
    assert frame.loc[2, "language"] == "en" and frame.loc[2, "eco_f12"] == "1"
    # A float sheet number, as a NumberColumn may hold it, reads as a whole number.
    floaty = pd.DataFrame({"sheet": [7.0], "ind_f01": ["2"]})
    assert paper.rows_to_frame(floaty, instrument, language="nl").loc[0, "sheet"] == "7"


def test_check_uses_the_import_rules_and_checks_sheet_numbers(instrument: Instrument) -> None:
    grid = _grid(
        instrument,
        [
            {"sheet": 1, "role": "teacher", "ind_f01": "5", "org_f09": "?"},
            {"sheet": 1, "ind_f01": "7"},  # repeated number, score off the scale
            {},
            {"role": "student"},  # no score at all
            {"sheet": 4, "organisation_type": "ministry", "ind_f02": "3"},
        ],
    )
    preview = paper.check(grid, instrument, language="nl")
    assert [(paper.grid_row(p), p.column, p.code) for p in preview.problems] == [
        (1, "sheet", "paper.duplicate_sheet"),
        (2, "sheet", "paper.duplicate_sheet"),
        (2, "ind_f01", "import.bad_score"),
        (4, "", "import.no_answers"),
        (5, "organisation_type", "import.unknown_type"),
    ]
    assert [r.row for r in preview.rows] == [2]  # the first sheet itself is fine
    assert preview.rows[0].answers == {"ind_f01": 5, "org_f09": None}
    assert preview.rows[0].role == "teacher" and preview.rows[0].language == "nl"
    assert preview.rows[0].forces is None  # the paper sheet does not ask the forces
    assert preview.skipped_empty == 1 and not preview.ok


def test_sheet_numbers_in_the_batch_source(instrument: Instrument) -> None:
    grid = _grid(instrument, [{"sheet": n, "ind_f01": "3"} for n in (5, 1, 2, 3, 9)])
    assert paper.sheet_numbers(grid) == [5, 1, 2, 3, 9]
    source = paper.source_text("  papieren  sessie 01-10-2026 ", paper.sheet_numbers(grid))
    assert source == "paper: papieren sessie 01-10-2026 · #1-3, 5, 9"
    assert paper.parse_sheets(source) == {1, 2, 3, 5, 9}
    assert paper.label_of(source) == "papieren sessie 01-10-2026"
    assert paper.source_text("x" * 300, [1]).startswith("paper: xxx")
    assert len(paper.source_text("x" * 300, [1])) == 200
    assert paper.parse_sheets("forms-export.csv") == set()
    assert paper.label_of("paper: sessie") == "sessie"


# -- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    url: str
    engine: Engine
    users: dict[str, int]
    community_id: int
    names: dict[int, str]  # every community by id
    rounds: list[int]  # the community's rounds, oldest first
    periods: dict[int, str]  # round id -> 'Q3 2026'


@pytest.fixture
def demo(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with read_session(engine) as session:
        users = users_frame(session=session)
        communities = cstore.communities_frame(session=session)
        names = dict(zip(communities["community_id"].astype(int), communities["name"], strict=True))
        community_id = next(c for c, name in names.items() if name == COMMUNITY)
        rounds = round_store.community_rounds(session=session, community_id=community_id)
    yield Demo(
        url=demo_db,
        engine=engine,
        users=dict(zip(users["email"], users["user_id"].astype(int), strict=True)),
        community_id=community_id,
        names=names,
        rounds=[r.id for r in rounds if r.id is not None],
        periods={r.id: period_label(r.period) for r in rounds if r.id is not None},
    )
    engine.dispose()


def _open(demo: Demo, email: str = LEAD, lang: str = "nl", page: str = "lead_paper") -> AppTest:
    at = page_app(page)
    at.session_state["user_id"] = demo.users[email]
    at.query_params["lang"] = lang
    at.query_params["community"] = str(demo.community_id)
    at.run()
    assert not at.exception, at.exception
    return at


def _responses(demo: Demo, round_id: int) -> int:
    with read_session(demo.engine) as session:
        counts = round_counts(session, round_ids=[round_id])
    return int(counts["responses"].sum())


def _paper(demo: Demo, round_id: int) -> int:
    with read_session(demo.engine) as session:
        stmt = select(func.count()).where(
            col(Response.round_id) == round_id, col(Response.source) == "paper"
        )
        return int(session.execute(stmt).scalar_one())


def _type(at: AppTest, edited: dict[int, dict[str, Any]], added: list[dict[str, Any]]) -> None:
    """Type into the grid the way Streamlit stores a data editor's edits."""
    key = at.data_editor[0].key
    assert key is not None
    at.session_state[key] = {"edited_rows": edited, "added_rows": added, "deleted_rows": []}


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_a_lead_sees_only_their_communities_and_any_round(demo: Demo) -> None:
    at = _open(demo, lang="en")
    with read_session(demo.engine) as session:
        own = session.execute(
            select(col(UserCommunity.community_id)).where(
                col(UserCommunity.user_id) == demo.users[LEAD]
            )
        ).scalars()
        own_ids = set(own)
    offered = set(at.selectbox(key="_community_pick").options)
    assert offered == {demo.names[c] for c in own_ids} and own_ids < set(demo.names)
    text = page_text(at)
    assert "Paper session" in text and "1. Print" in text and "2. Type in the sheets" in text
    assert [b.label for b in at.download_button] == ["Poster (A3)", "Scoring sheets (A4)"]
    rounds = at.selectbox(key=f"paper_round_{demo.community_id}")
    assert len(rounds.options) == len(demo.rounds)  # every round, open or closed
    assert rounds.options[0].startswith("Q4 2026 · ")  # newest first
    editor = at.data_editor[0]
    assert editor.editing_mode == "dynamic"
    assert list(editor.value.columns)[:4] == ["sheet", "role", "organisation_type", "ind_f01"]


def test_two_sheets_are_saved_as_paper_responses_of_a_closed_round(demo: Demo) -> None:
    closed = demo.rounds[-2]  # an earlier quarter, closed by now
    before, paper_before = _responses(demo, closed), _paper(demo, closed)
    at = _open(demo)
    at.selectbox(key=f"paper_round_{demo.community_id}").select(closed).run()
    closed_notice = at.warning[0].value
    assert closed_notice.startswith("Deze ronde is gesloten. Papieren antwoorden die je hier")
    assert f"Deze ronde heeft {before} antwoorden, waarvan {paper_before} van papier." in (
        page_text(at)
    )
    _type(
        at,
        {
            0: {"sheet": 1, "role": "student", "ind_f01": "4", "ind_f02": "5", "lc_f01": "?"},
            1: {"sheet": 2, "organisation_type": "company", "eco_f12": "2"},
        },
        [],
    )
    _button(at, "Controleren").click().run()
    assert not at.exception
    assert at.success[0].value == "Alles klopt: 2 formulieren klaar om op te slaan."
    assert _responses(demo, closed) == before  # checking stores nothing

    _button(at, "Opslaan").click().run()
    assert not at.exception
    period = demo.periods[closed]
    assert at.success[0].value == f"Opgeslagen in {period}: 2 papieren formulieren."
    assert _responses(demo, closed) == before + 2
    assert _paper(demo, closed) == paper_before + 2
    today = date.today().strftime("%d-%m-%Y")
    with read_session(demo.engine) as session:
        batches = session.execute(
            select(
                col(ImportBatch.source), col(ImportBatch.rows), col(ImportBatch.imported_by)
            ).where(col(ImportBatch.round_id) == closed)
        ).all()
        stored = session.execute(
            select(col(Response.role), col(Response.organisation_type), col(Response.language))
            .where(col(Response.round_id) == closed, col(Response.source) == "paper")
            .order_by(col(Response.id))
        ).all()
    assert [tuple(b) for b in batches] == [(f"paper: papieren sessie {today} · #1-2", 2, LEAD)]
    assert [tuple(r) for r in stored][-2:] == [("student", None, "nl"), (None, "company", "nl")]
    # The grid is empty again, the counts are up to date, and the session is listed.
    assert at.data_editor[0].value.isna().all().all()
    assert f"Deze ronde heeft {before + 2} antwoorden, waarvan {paper_before + 2} van papier." in (
        page_text(at)
    )
    assert at.dataframe[0].value.values.tolist()[0][:3] == [f"papieren sessie {today}", 2, LEAD]
    # Typing sheet 2 again warns that it was typed in before, and numbers the next sheets from 3.
    assert next(n for n in at.number_input if n.label == "Eerste nummer").value == 3
    _type(at, {0: {"sheet": 2, "ind_f01": "3"}}, [])
    _button(at, "Controleren").click().run()
    assert at.warning[-1].value.startswith("Deze formuliernummers zijn al eerder in deze ronde")


def test_the_review_shows_paper_answers_at_once(demo: Demo) -> None:
    newest = demo.rounds[-1]  # open now: the page's default round and the review's
    review = _open(demo, lang="en", page="lead_review")

    def responses_so_far() -> int:
        # The open round's participation panel comes first; its figures wait for the close.
        return int(next(m.value for m in review.metric if m.label == "Responses"))

    assert "Round Q4 2026 is open" in [h.value for h in review.subheader]
    before = responses_so_far()
    at = _open(demo, lang="en")
    assert at.selectbox(key=f"paper_round_{demo.community_id}").value == newest
    _type(at, {0: {"ind_f01": "4"}}, [{"ind_f01": "2", "lc_f05": "5"}])
    _button(at, "Save").click().run()
    assert not at.exception
    assert at.success[0].value.endswith(": 2 paper sheets.")
    review.run()  # the review's cached data was cleared by the save
    assert responses_so_far() == before + 2


def test_problems_are_listed_by_row_and_nothing_is_stored(demo: Demo) -> None:
    newest = demo.rounds[-1]
    before = _responses(demo, newest)
    at = _open(demo, lang="en")
    edits = {0: {"sheet": 1, "ind_f01": "4"}, 1: {"sheet": 2, "role": "teacher"}}
    added = [{"sheet": 3, "ind_f01": "7", "lc_f05": "5"}]
    _type(at, edits, added)
    _button(at, "Save").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Problems found: 2.")
    problems = at.dataframe[-1].value
    assert list(problems.columns) == ["Row", "No.", "Column", "Value", "What is wrong"]
    assert problems.values.tolist() == [
        [2, "2", "(whole row)", "", "This row has no score at all."],
        [
            11,
            "3",
            "ind 1 · I am motivated to put my energy into this learning community.",
            "7",
            "'7' is not a score. Use 1 to 5, 'dk' (don't know) or leave the cell empty.",
        ],
    ]
    assert _responses(demo, newest) == before and not at.success
    with read_session(demo.engine) as session:
        batches = session.execute(
            select(func.count()).where(col(ImportBatch.round_id) == newest)
        ).scalar_one()
    assert batches == 0
    # The grid keeps what was typed, so the lead corrects only the two cells.
    key = at.data_editor[0].key
    assert key is not None
    state = at.session_state[key]
    assert state["added_rows"] == added and state["edited_rows"][1] == edits[1]
    _type(at, {0: edits[0], 1: {**edits[1], "ind_f02": "3"}}, [{**added[0], "ind_f01": "5"}])
    _button(at, "Save").click().run()
    assert not at.exception and not at.error
    assert _responses(demo, newest) == before + 3


def test_nothing_typed_is_said_plainly(demo: Demo) -> None:
    at = _open(demo, lang="en")
    _button(at, "Check").click().run()
    assert at.info[-1].value == "No sheet has been typed in yet."


def test_an_administrator_may_enter_paper_sheets(demo: Demo) -> None:
    at = _open(demo, email=ADMIN, lang="en")
    assert at.data_editor and "Paper session" in page_text(at)


def test_a_policy_maker_is_refused(demo: Demo) -> None:
    at = _open(demo, email=POLICY, lang="en")
    assert "This page is not available for your role." in page_text(at)
    assert not at.data_editor and not at.download_button
