"""AppTest: the import page on the demo database, from template to a stored batch."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

import openpyxl
import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.models import Answer, ImportBatch, Response
from lc_health.store.tallies import round_counts
from lc_health.store.users import users_frame
from tests.apptest import goto, new_app, page_app, page_text

PAGE = "admin_import"
ADMIN = "beheer@demo.lc-health.nl"
LEAD = "trekker@demo.lc-health.nl"
COMMUNITY = "Robotica Fieldlab Westland"


@dataclass(frozen=True)
class Demo:
    engine: Engine
    users: dict[str, int]
    community_id: int
    round_id: int  # the community's newest round, the page's default


@pytest.fixture
def demo(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with read_session(engine) as session:
        users = users_frame(session=session)
        communities = cstore.communities_frame(session=session)
        community_id = int(communities.set_index("name").loc[COMMUNITY, "community_id"])
        rounds = round_store.community_rounds(session=session, community_id=community_id)
    newest = rounds[-1].id
    assert newest is not None
    yield Demo(
        engine=engine,
        users=dict(zip(users["email"], users["user_id"].astype(int), strict=True)),
        community_id=community_id,
        round_id=newest,
    )
    engine.dispose()


def _open(demo: Demo, lang: str = "nl") -> AppTest:
    """The import page for the admin, showing the demo community COMMUNITY."""
    at = new_app()
    at.session_state["user_id"] = demo.users[ADMIN]
    at.query_params["lang"] = lang
    at.run()
    goto(at, PAGE).run()
    at.selectbox(key="_community_pick").select(demo.community_id).run()
    assert not at.exception
    return at


def _responses(demo: Demo) -> int:
    with read_session(demo.engine) as session:
        counts = round_counts(session, round_ids=[demo.round_id])
    return int(counts["responses"].sum())


def _batches(demo: Demo) -> list[tuple[str, int, str]]:
    with read_session(demo.engine) as session:
        rows = session.execute(
            select(ImportBatch.source, ImportBatch.rows, ImportBatch.imported_by).where(
                ImportBatch.round_id == demo.round_id
            )
        ).all()
    return [tuple(r) for r in rows]


EXPORT = (
    "Tijdstempel;Rol;Organisatie;ind_f01;ind_f02;fac_good_communication;Opmerking\n"
    "2026-10-01;Docent;roc kustland (demo);4;dk;x;Goed bezig\n"
    "2026-10-02;student;;2;5;;\n"
).encode("utf-8-sig")


def test_first_screen_offers_the_templates(demo: Demo) -> None:
    at = _open(demo, lang="en")
    text = page_text(at)
    assert "Import responses" in text
    assert "1. Template" in text and "2. File" in text
    assert [b.label for b in at.download_button] == [
        "Template (CSV)",
        "Template (CSV for Excel NL)",
        "Template (Excel)",
    ]
    assert at.selectbox(key=f"import_round_{demo.community_id}").value == demo.round_id
    assert (
        at.selectbox(key=f"import_round_{demo.community_id}").options[0].startswith("Q4 2026 · ")
    )  # newest first
    assert at.file_uploader[0].allowed_type == [".csv", ".xlsx"]
    assert "3. Match the columns" not in text  # nothing to match before a file is chosen


def test_upload_preview_and_import(demo: Demo) -> None:
    before = _responses(demo)
    at = _open(demo)
    at.file_uploader[0].set_value(("forms-export.csv", EXPORT, "text/csv")).run()
    assert not at.exception
    text = page_text(at)
    assert "Gelezen: 2 rijen en 7 kolommen." in text
    # The template's width depends on the round's instrument version.
    assert re.search(r"6 van de \d+ kolommen van het sjabloon gevonden in je bestand\.", text)
    assert "Rijen die klaar zijn om te importeren: 2." in text
    assert not at.error
    assert [t.value for t in at.text] == ["Tijdstempel"]  # the column that is not used
    assert next(w for w in at.text_input if w.label == "Bron").value == "forms-export.csv"
    button = next(b for b in at.button if b.label == "Alle rijen importeren (2)")
    assert not button.disabled
    button.click().run()
    assert not at.exception
    assert at.success[0].value == "Antwoorden geïmporteerd in Q4 2026: 2."
    assert _batches(demo) == [("forms-export.csv", 2, ADMIN)]
    assert _responses(demo) == before + 2
    with read_session(demo.engine) as session:
        sources = session.execute(
            select(Response.source, func.count())
            .where(Response.round_id == demo.round_id, Response.import_batch_id.is_not(None))
            .group_by(Response.source)
        ).all()
    assert [tuple(r) for r in sources] == [("import", 2)]
    # The upload is cleared, so the same file is not imported twice by accident ...
    assert "Gelezen:" not in page_text(at)
    # ... and choosing it again warns that its responses would count twice.
    at.file_uploader[0].set_value(("forms-export.csv", EXPORT, "text/csv")).run()
    assert not at.exception
    assert at.warning[0].value.startswith("Een bestand met dezelfde bron is op ")
    earlier = at.dataframe[0].value
    assert earlier[["Bron", "Rijen", "Door"]].values.tolist() == [["forms-export.csv", 2, ADMIN]]


def _widget_key(at: AppTest) -> str:
    """The key prefix of the current upload's widgets."""
    source = next(w for w in at.text_input if w.key and w.key.endswith("_source"))
    assert source.key is not None
    return source.key.removesuffix("_source")


def test_bad_cells_are_listed_and_nothing_is_stored(demo: Demo) -> None:
    before = _responses(demo)
    at = _open(demo)
    bad = (
        b"Rol,ind_f01,ind_f02\n"
        b"student,4,3\n"
        b"Baas,7,\n"  # an unknown role and a score off the scale
        b",,\n"
        b"teacher,,\n"  # no score at all
    )
    at.file_uploader[0].set_value(("lijst.csv", bad, "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("Problemen gevonden: 3.")
    # The 7 is offered for a value mapping (nothing chosen: a lone 7 is no other scale) ...
    assert "Antwoorden in woorden of codes" in page_text(at)
    assert at.selectbox(key=f"{_widget_key(at)}_value_2").label == "7"
    assert at.selectbox(key=f"{_widget_key(at)}_value_2").value is None
    problems = at.dataframe[1].value  # ... after whose preview the problems are listed
    assert problems.values.tolist() == [
        [
            3,
            "ind_f01",
            "7",
            "'7' is geen score. Gebruik 1 tot en met 5, 'weet niet' of laat de cel leeg.",
        ],
        [
            3,
            "Rol",
            "Baas",
            "'Baas' is geen rol uit de vragenlijst. Zie het tabblad 'uitleg' in "
            "het Excel-sjabloon.",
        ],
        [5, "(hele rij)", "", "Deze rij heeft geen enkele score."],
    ]
    assert list(problems.columns) == ["Rij", "Kolom", "Waarde", "Wat klopt er niet"]
    assert "Rijen die klaar zijn om te importeren: 1." in page_text(at)
    button = next(b for b in at.button if b.label.startswith("Alle rijen importeren"))
    assert button.disabled

    # The file and the matching stay; matching ind_f01 to nothing leaves only the empty row.
    next(s for s in at.selectbox if s.label == "ind_f01").select_index(0).run()
    assert not at.exception
    assert "Gelezen: 4 rijen en 3 kolommen." in page_text(at)
    found = r"2 van de \d+ kolommen van het sjabloon gevonden in je bestand\."
    assert re.search(found, page_text(at))
    assert at.dataframe[-1].value["Kolom"].tolist() == ["Rol", "(hele rij)", "(hele rij)"]
    assert _batches(demo) == [] and _responses(demo) == before


def test_an_unreadable_file_is_explained_and_the_page_keeps_working(demo: Demo) -> None:
    at = _open(demo, lang="en")
    at.file_uploader[0].set_value(("export.xlsx", b"this is not a workbook", "text/plain")).run()
    assert not at.exception
    assert "This file cannot be read." in at.error[0].value
    assert [b.label for b in at.download_button] == [
        "Template (CSV)",
        "Template (CSV for Excel NL)",
        "Template (Excel)",
    ]
    at.file_uploader[0].set_value(("leeg.csv", b"", "text/csv")).run()
    assert "The file is empty" in at.error[0].value


def test_only_administrators_may_import(demo: Demo) -> None:
    at = page_app(PAGE)
    at.session_state["user_id"] = demo.users[LEAD]
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert "This page is not available for your role." in page_text(at)
    assert not at.file_uploader


TEXT_EXPORT = (
    b"Rol;ind_f01;ind_f02\n"
    b"student;Helemaal mee eens;Mee eens\n"
    b"teacher;Oneens;Weet niet\n"
    b"teacher;Mee eens;Geen idee\n"
)


def test_text_answers_get_a_value_mapping_with_a_preview(demo: Demo) -> None:
    before = _responses(demo)
    at = _open(demo)
    at.file_uploader[0].set_value(("forms.csv", TEXT_EXPORT, "text/csv")).run()
    assert not at.exception
    assert at.status[0].label == "Het bestand is gelezen."  # status while reading
    assert "Antwoorden in woorden of codes" in page_text(at)
    key = _widget_key(at)
    boxes = {at.selectbox(key=f"{key}_value_{n}").label: n for n in range(5)}
    assert sorted(boxes) == ["geen idee", "helemaal mee eens", "mee eens", "oneens", "weet niet"]
    suggested = {label: at.selectbox(key=f"{key}_value_{n}").value for label, n in boxes.items()}
    assert suggested == {
        "geen idee": None,  # no guess: the person chooses
        "helemaal mee eens": 5,
        "mee eens": 4,
        "oneens": 2,
        "weet niet": 0,
    }
    preview = at.dataframe[0].value
    assert preview.values.tolist()[0] == ["geen idee", 1, "Kies…"]
    assert "Voor 1 waarde is nog niets gekozen" in page_text(at)
    button = next(b for b in at.button if b.label.startswith("Alle rijen importeren"))
    assert button.disabled  # "geen idee" is still a problem
    at.selectbox(key=f"{key}_value_{boxes['geen idee']}").set_value(-1).run()  # blank
    assert at.dataframe[0].value.values.tolist()[0] == ["geen idee", 1, "Leeg (niet beantwoord)"]
    next(b for b in at.button if b.label == "Alle rijen importeren (3)").click().run()
    assert not at.exception
    assert _responses(demo) == before + 3
    with read_session(demo.engine) as session:
        stored = session.execute(
            select(Answer.item_id, Answer.value)
            .join(Response, Answer.response_id == Response.id)
            .where(Response.import_batch_id.is_not(None))
            .order_by(Answer.response_id, Answer.item_id)
        ).all()
    assert [tuple(r) for r in stored] == [
        ("ind_f01", 5),
        ("ind_f02", 4),
        ("ind_f01", 2),
        ("ind_f02", None),
        ("ind_f01", 4),
    ]


def test_the_same_file_again_needs_a_confirmation(demo: Demo) -> None:
    at = _open(demo, lang="en")
    at.file_uploader[0].set_value(("forms-export.csv", EXPORT, "text/csv")).run()
    next(b for b in at.button if b.label == "Import all rows (2)").click().run()
    assert _batches(demo) == [("forms-export.csv", 2, ADMIN)]
    # The same bytes under another name: the contents are what counts.
    at.file_uploader[0].set_value(("kopie.csv", EXPORT, "text/csv")).run()
    assert not at.exception
    assert any(w.value.startswith("Exactly this file was already imported on ") for w in at.warning)
    button = next(b for b in at.button if b.label == "Import all rows (2)")
    assert button.disabled
    next(c for c in at.checkbox if c.label.startswith("I know this file")).check().run()
    next(b for b in at.button if b.label == "Import all rows (2)").click().run()
    assert not at.exception
    assert sorted(_batches(demo)) == [("forms-export.csv", 2, ADMIN), ("kopie.csv", 2, ADMIN)]


def test_utf16_and_formula_cells(demo: Demo) -> None:
    at = _open(demo, lang="en")
    text = EXPORT.decode("utf-8-sig").encode("utf-16")
    at.file_uploader[0].set_value(("unicode.csv", text, "text/csv")).run()
    assert not at.exception
    assert "Read: 2 rows and 7 columns." in page_text(at)
    assert "Rows ready to import: 2." in page_text(at)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["role", "ind_f01", "ind_f02"])
    sheet.append(["student", 4, "=B2"])
    out = io.BytesIO()
    book.save(out)
    at.file_uploader[0].set_value(("sum.xlsx", out.getvalue(), "application/vnd.ms-excel")).run()
    assert not at.exception
    warning = next(w.value for w in at.warning if "formula" in w.value)
    assert warning.startswith("1 cell holds a formula without a saved result")
    assert ": C2." in warning
