"""AppTest: a personal link's unsent answers come back in a new browser session, at the step
and in the language they were left; an open link keeps nothing server-side."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from lc_health.domain.instrument import Instrument
from lc_health.store import db
from lc_health.store import drafts as draft_store
from lc_health.store.models import SurveyDraft
from tests.apptest import page_text
from tests.ui.survey.test_survey import World, _answer_profile, _click, _open


def _drafts(engine: Engine) -> int:
    with db.read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(SurveyDraft)).scalar_one())


def _first_layer(at: AppTest, instrument: Instrument, value: int) -> list[str]:
    keys = [f"q_{i.id}" for i in instrument.items_in_layer(instrument.layers[0].id)]
    for key in keys:
        at.radio(key=key).set_value(value)
    return keys


def test_new_session_resumes_at_the_step_left_with_the_answers(
    world: World, instrument: Instrument
) -> None:
    at = _open(world.personal)
    _click(at, "Start")
    _answer_profile(at)  # -> step 2
    keys = _first_layer(at, instrument, 2)
    _click(at, "Next")  # -> step 3
    second_layer = instrument.layers[1].name.en
    assert at.header[0].value == second_layer
    assert _drafts(world.engine) == 1
    again = _open(world.personal)  # a reload: a new session with the same link
    assert again.header[0].value == second_layer
    _click(again, "Back")
    assert [again.radio(key=key).value for key in keys] == [2] * len(keys)
    _click(again, "Back")
    assert again.radio(key="p_role").value == "teacher"
    assert again.radio(key="p_type").value == "hbo"
    # Someone else's link starts afresh.
    other = _open(world.other_personal)
    assert "about five minutes" in page_text(other) and not other.radio


def test_language_switch_is_kept_and_restored(world: World) -> None:
    at = _open(world.personal)
    _click(at, "Start")
    at.radio(key="p_role").set_value("student")
    at.radio(key="p_type").set_value("mbo")
    _click(at, "Nederlands")  # a switch of language keeps the answers on the screen
    again = _open(world.personal, "en")
    assert "Over jou" in page_text(again)  # resumed in the language it was left in
    assert again.radio(key="p_role").value == "student"
    assert again.radio(key="p_type").value == "mbo"


def test_sending_ends_the_draft(world: World, instrument: Instrument) -> None:
    at = _open(world.personal)
    _click(at, "Start")
    _answer_profile(at)
    for layer in instrument.layers:
        for item in instrument.items_in_layer(layer.id):
            at.radio(key=f"q_{item.id}").set_value(3)
        _click(at, "Next")
    _click(at, "Next")  # forces
    _click(at, "Next")  # comment -> review
    assert _drafts(world.engine) == 1
    _click(at, "Send")
    assert "Thank you! Your answers are saved." in page_text(at)
    assert _drafts(world.engine) == 0
    again = _open(world.personal)
    assert "You have already answered this round" in page_text(again)


def test_open_link_keeps_nothing_on_the_server(world: World, instrument: Instrument) -> None:
    at = _open(world.open_link)
    _click(at, "Start")
    _answer_profile(at)
    _first_layer(at, instrument, 4)
    _click(at, "Next")
    assert _drafts(world.engine) == 0
    again = _open(world.open_link)
    assert "about five minutes" in page_text(again) and not again.radio  # starts afresh


def test_a_draft_that_no_longer_fits_is_dropped_not_shown(world: World) -> None:
    with db.write_session(world.engine) as session:
        draft_store.put_draft(
            session,
            invitation_id=world.personal_id,
            round_id=world.round_id,
            payload='{"step": 3, "answers": {"retired_statement": 4}}',
            step=3,
            language="nl",
        )
    at = _open(world.personal)
    assert "about five minutes" in page_text(at) and not at.radio  # a fresh start
    assert _drafts(world.engine) == 0
