"""The survey as steps: their order, what each step still needs, the draft that survives moving
back and forth, the comment's length limit, and the finished draft as a submission."""

from __future__ import annotations

import pydantic
import pytest

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import MAX_COMMENT_CHARS, ResponseIn
from lc_health.domain.survey_flow import (
    COMMENT,
    DONT_KNOW,
    FORCES,
    PROFILE,
    REVIEW,
    UNLISTED_ORGANISATION,
    WELCOME,
    Draft,
    first_incomplete,
    from_stored,
    missing_on_step,
    steps,
    to_response,
)


def _layer_ids(instrument: Instrument) -> list[str]:
    return [layer.id for layer in instrument.layers if instrument.items_in_layer(layer.id)]


def _complete(instrument: Instrument) -> Draft:
    draft = Draft(role="student", organisation_type="mbo")
    draft.answers = {item.id: 4 for item in instrument.items}
    return draft


def test_steps_are_welcome_profile_each_layer_forces_comment_review(
    instrument: Instrument,
) -> None:
    names = steps(instrument)
    layers = _layer_ids(instrument)
    assert len(layers) >= 2
    assert names == [WELCOME, PROFILE, *layers, FORCES, COMMENT, REVIEW]


def test_profile_needs_role_and_organisation_type(instrument: Instrument) -> None:
    draft = Draft()
    assert missing_on_step(draft, PROFILE, instrument) == ["role", "organisation_type"]
    draft.role = "student"
    assert missing_on_step(draft, PROFILE, instrument) == ["organisation_type"]
    draft.organisation_type = "mbo"
    assert missing_on_step(draft, PROFILE, instrument) == []


def test_a_layer_needs_every_statement_and_dont_know_counts_as_an_answer(
    instrument: Instrument,
) -> None:
    layer = _layer_ids(instrument)[0]
    items = [item.id for item in instrument.items_in_layer(layer)]
    draft = Draft()
    assert missing_on_step(draft, layer, instrument) == items
    draft.answers = {items[0]: 3, items[1]: DONT_KNOW}
    assert missing_on_step(draft, layer, instrument) == items[2:]
    draft.answers |= dict.fromkeys(items, 5)
    assert missing_on_step(draft, layer, instrument) == []


def test_welcome_forces_and_review_never_hold_the_participant(instrument: Instrument) -> None:
    draft = Draft()
    for step in (WELCOME, FORCES, REVIEW):
        assert missing_on_step(draft, step, instrument) == []


@pytest.mark.parametrize(
    ("length", "missing"),
    [(0, []), (MAX_COMMENT_CHARS, []), (MAX_COMMENT_CHARS + 1, ["comment"])],
)
def test_comment_may_be_empty_but_not_longer_than_the_limit(
    instrument: Instrument, length: int, missing: list[str]
) -> None:
    draft = Draft(comment="x" * length)
    assert missing_on_step(draft, COMMENT, instrument) == missing


def test_first_incomplete_points_at_the_earliest_step_with_a_gap(instrument: Instrument) -> None:
    names = steps(instrument)
    draft = Draft()
    assert first_incomplete(draft, instrument) == names.index(PROFILE)
    draft = _complete(instrument)
    assert first_incomplete(draft, instrument) is None
    last_layer = _layer_ids(instrument)[-1]
    del draft.answers[instrument.items_in_layer(last_layer)[0].id]
    assert first_incomplete(draft, instrument) == names.index(last_layer)
    draft.answers[instrument.items_in_layer(last_layer)[0].id] = 2
    draft.comment = "x" * (MAX_COMMENT_CHARS + 1)
    assert first_incomplete(draft, instrument) == names.index(COMMENT)


def test_moving_back_and_forth_keeps_what_was_entered(instrument: Instrument) -> None:
    names = steps(instrument)
    first_layer = _layer_ids(instrument)[0]
    draft = Draft(role="student", organisation_type="mbo")
    draft.step = names.index(first_layer)
    for item in instrument.items_in_layer(first_layer):
        draft.answers[item.id] = 2
    draft.step += 1
    draft.step = names.index(PROFILE)  # back to change the role
    draft.role = "teacher"
    draft.step = names.index(first_layer) + 1
    assert missing_on_step(draft, first_layer, instrument) == []
    assert {draft.answers[i.id] for i in instrument.items_in_layer(first_layer)} == {2}
    assert draft.role == "teacher" and draft.organisation_type == "mbo"


def test_two_drafts_do_not_share_state() -> None:
    one, two = Draft(), Draft()
    one.answers["x"] = 3
    one.forces.add("f")
    one.attempted.add(2)
    assert (two.answers, two.forces, two.attempted) == ({}, set(), set())
    assert one.submission_key != two.submission_key


def test_a_finished_draft_becomes_a_submission(instrument: Instrument) -> None:
    draft = _complete(instrument)
    first = instrument.items[0].id
    draft.answers[first] = DONT_KNOW
    draft.forces = {instrument.forces[0].id}
    draft.comment = "  Meer demo's graag  "
    draft.organisation_id = 7
    response = to_response(
        draft, round_id=3, language="en-GB", invitation_id=11, respondent_key="rk"
    )
    assert response.round_id == 3 and response.invitation_id == 11
    assert response.submission_key == draft.submission_key
    assert response.language == "nl"  # only exactly "en" is English
    assert response.answers[first] is None  # don't know
    assert sum(v == 4 for v in response.answers.values()) == len(instrument.items) - 1
    assert response.forces == frozenset({instrument.forces[0].id})
    assert response.comment == "Meer demo's graag"
    assert response.organisation_id == 7
    assert (
        to_response(
            draft, round_id=3, language="en", invitation_id=None, respondent_key=None
        ).language
        == "en"
    )


def test_an_unlisted_organisation_and_a_blank_comment_are_left_out(instrument: Instrument) -> None:
    draft = _complete(instrument)
    draft.organisation_id = UNLISTED_ORGANISATION
    draft.comment = "   "
    response = to_response(
        draft, round_id=1, language="nl", invitation_id=None, respondent_key=None
    )
    assert response.organisation_id is None and response.comment is None
    assert response.forces == frozenset()


def test_a_too_long_comment_is_refused_by_the_submission_too(instrument: Instrument) -> None:
    draft = _complete(instrument)
    draft.comment = "x" * (MAX_COMMENT_CHARS + 1)
    with pytest.raises(pydantic.ValidationError):
        to_response(draft, round_id=1, language="nl", invitation_id=None, respondent_key=None)


def test_a_stored_response_reopens_as_the_same_draft(instrument: Instrument) -> None:
    items = [item.id for item in instrument.items]
    draft = from_stored(
        answers={items[0]: None, items[1]: 5},
        forces=None,
        comment=None,
        role="student",
        organisation_id=4,
        organisation_type="mbo",
    )
    assert draft.answers == {items[0]: DONT_KNOW, items[1]: 5}
    assert draft.forces == set() and draft.comment == "" and draft.step == 0
    again: ResponseIn = to_response(
        draft, round_id=1, language="nl", invitation_id=None, respondent_key=None
    )
    assert again.answers == {items[0]: None, items[1]: 5}
    assert (again.role, again.organisation_id, again.organisation_type) == ("student", 4, "mbo")
