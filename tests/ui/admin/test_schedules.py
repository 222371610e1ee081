"""AppTest: an administrator sets the round schedules on the rounds page: for all communities and
a community's own; a schedule that cannot be is refused with its reasons in the page language,
and what was typed stays in the form."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from lc_health.domain.i18n import translate
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store.models import RoundSchedule
from lc_health.store.users import users_frame
from tests.apptest import goto, new_app, page_text

ADMIN = "beheer@demo.lc-health.nl"
COMMUNITY = "Robotica Fieldlab Westland"


@pytest.fixture
def engine(demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    shutil.copyfile(demo_template, tmp_path / "page.db")
    made = db.make_engine(f"sqlite:///{tmp_path / 'page.db'}")
    yield made
    made.dispose()


def _page(engine: Engine, monkeypatch: pytest.MonkeyPatch, lang: str) -> AppTest:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with db.read_session(engine) as session:
        users = users_frame(session=session)
    at = new_app()
    at.session_state["user_id"] = int(users.set_index("email").loc[ADMIN, "user_id"])
    at.query_params["lang"] = lang
    at.run()
    goto(at, "admin_rounds").run()
    assert not at.exception, at.exception
    return at


def _schedules(engine: Engine) -> list[tuple[str, bool, int, int, str]]:
    with db.read_session(engine) as session:
        rows = session.exec(select(RoundSchedule)).scalars()
        return sorted((r.scope, r.active, r.open_day, r.open_days, r.reminders) for r in rows)


def test_a_schedule_for_all_and_a_communitys_own(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _page(engine, monkeypatch, "en")
    next(n for n in at.number_input if n.label == "Days open").set_value(21)
    next(b for b in at.button if b.label == "Save schedule").click().run()
    assert not at.exception and not at.error
    assert _schedules(engine) == [("all", True, 1, 21, "7,2")]
    assert "Schedule saved for All communities." in page_text(at)
    assert "Next round: " in page_text(at)
    with db.read_session(engine) as session:
        frame = cstore.communities_frame(session=session)
        community_id = int(frame.set_index("name").loc[COMMUNITY, "community_id"])
    at.selectbox(key="schedule_scope").select(community_id).run()
    next(c for c in at.checkbox if c.label == "Open rounds by themselves").uncheck()
    next(b for b in at.button if b.label == "Save schedule").click().run()
    assert not at.exception and not at.error
    # Its own schedule starts from the one for all communities.
    assert _schedules(engine) == sorted(
        [("all", True, 1, 21, "7,2"), (str(community_id), False, 1, 21, "7,2")]
    )
    next(b for b in at.button if b.label == "Remove own schedule").click().run()
    assert not at.exception and not at.error
    assert _schedules(engine) == [("all", True, 1, 21, "7,2")]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "has to close within its quarter"),
        ("nl", "moet binnen het kwartaal sluiten"),
    ],
)
def test_a_schedule_that_cannot_be_is_refused_and_the_form_keeps_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    at = _page(engine, monkeypatch, lang)

    def labelled(widgets: Sequence[Any], key: str) -> Any:
        return next(w for w in widgets if w.label == translate(lang, key))

    labelled(at.number_input, "schedule.open_day").set_value(80)
    labelled(at.number_input, "schedule.open_days").set_value(30)
    labelled(at.text_input, "schedule.reminders").input("7, soon")
    labelled(at.button, "schedule.save").click().run()
    assert not at.exception
    (error,) = at.error
    assert expected in error.value
    assert translate(lang, "error.schedule_reminders_format") in error.value
    assert _schedules(engine) == []
    assert labelled(at.number_input, "schedule.open_day").value == 80
    assert labelled(at.number_input, "schedule.open_days").value == 30
    assert labelled(at.text_input, "schedule.reminders").value == "7, soon"
