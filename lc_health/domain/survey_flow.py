"""The participant survey as a sequence of steps, and a draft that survives moving between them.

No Streamlit here: the page (ui/survey.py) renders a step and hands the answers back; this module
says which steps exist, what is still missing on a step, and turns a finished draft into a
ResponseIn.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import (
    MAX_COMMENT_CHARS,
    MAX_DRAFT_STEP,
    DraftIn,
    ResponseIn,
    clean_comment,
    draft_problems,
)

WELCOME = "welcome"
PROFILE = "profile"
FORCES = "forces"
COMMENT = "comment"
REVIEW = "review"
DONT_KNOW = 0  # how the page's radio buttons carry "don't know / not applicable"
UNLISTED_ORGANISATION = -1  # "my organisation is not in the list"


def steps(instrument: Instrument) -> list[str]:
    """welcome, profile, one step per layer (by layer id), forces, comment, review."""
    layers = [layer.id for layer in instrument.layers if instrument.items_in_layer(layer.id)]
    return [WELCOME, PROFILE, *layers, FORCES, COMMENT, REVIEW]


@dataclass
class Draft:
    """Everything a participant has entered so far, kept across steps."""

    submission_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    step: int = 0
    role: str | None = None
    organisation_id: int | None = None  # UNLISTED_ORGANISATION, or None when not given
    organisation_type: str | None = None
    # item id -> 1..5, or DONT_KNOW; items not yet answered are absent
    answers: dict[str, int] = field(default_factory=dict)
    forces: set[str] = field(default_factory=set)
    comment: str = ""
    submitted_response_id: int | None = None
    viewing_feedback: bool = False  # after submitting: the feedback, not a step
    # Step indexes the participant tried to leave with something missing (shown highlighted).
    attempted: set[int] = field(default_factory=set)


def missing_on_step(draft: Draft, step: str, instrument: Instrument) -> list[str]:
    """What still needs an answer before leaving this step (field or item ids)."""
    if step == PROFILE:
        missing = []
        if draft.role is None:
            missing.append("role")
        if draft.organisation_type is None:
            missing.append("organisation_type")
        return missing
    if step in instrument.layer_by_id:
        return [i.id for i in instrument.items_in_layer(step) if i.id not in draft.answers]
    if step == COMMENT and comment_too_long(draft):
        return ["comment"]
    return []


def comment_too_long(draft: Draft) -> bool:
    """True when the comment, as it would be stored, does not fit: it must be shortened (it is
    never cut off or dropped)."""
    return len(clean_comment(draft.comment).strip()) > MAX_COMMENT_CHARS


def first_incomplete(draft: Draft, instrument: Instrument) -> int | None:
    """The index of the first step with something missing, if any."""
    for index, step in enumerate(steps(instrument)):
        if missing_on_step(draft, step, instrument):
            return index
    return None


def to_response(
    draft: Draft,
    *,
    round_id: int,
    language: str,
    invitation_id: int | None,
    respondent_key: str | None,
) -> ResponseIn:
    """The finished draft as a submission (don't know becomes None)."""
    return ResponseIn(
        round_id=round_id,
        submission_key=draft.submission_key,
        invitation_id=invitation_id,
        respondent_key=respondent_key,
        language="en" if language == "en" else "nl",
        role=draft.role,
        organisation_id=draft.organisation_id
        if draft.organisation_id not in (None, UNLISTED_ORGANISATION)
        else None,
        organisation_type=draft.organisation_type,
        answers={k: (None if v == DONT_KNOW else v) for k, v in draft.answers.items()},
        forces=frozenset(draft.forces),
        comment=clean_comment(draft.comment).strip() or None,
    )


def from_stored(
    *,
    answers: dict[str, int | None],
    forces: set[str] | None,
    comment: str | None,
    role: str | None,
    organisation_id: int | None,
    organisation_type: str | None,
) -> Draft:
    """A draft prefilled with an earlier response, to change it (personal links)."""
    return Draft(
        role=role,
        organisation_id=organisation_id,
        organisation_type=organisation_type,
        answers={k: (DONT_KNOW if v is None else v) for k, v in answers.items()},
        forces=set(forces or ()),
        comment=comment or "",
    )


def to_saved(draft: Draft, *, kept_comment: str = "") -> DraftIn:
    """The draft as it is kept between visits. A comment over the limit is not kept (the
    page still shows it until it is shortened): the comment kept before stays instead."""
    comment = clean_comment(draft.comment)
    if len(comment) > MAX_COMMENT_CHARS:  # blanks around it do not count, as when sent
        comment = comment.strip() if len(comment.strip()) <= MAX_COMMENT_CHARS else kept_comment
    return DraftIn(
        step=min(draft.step, MAX_DRAFT_STEP),
        role=draft.role,
        organisation_id=draft.organisation_id,
        organisation_type=draft.organisation_type,
        answers=dict(draft.answers),
        forces=sorted(draft.forces),
        comment=comment,
    )


def from_saved(saved: DraftIn, instrument: Instrument) -> Draft | None:
    """A kept draft as the survey's draft; None when it no longer fits the instrument (an
    unknown statement, factor, role or organisation type, or a step that does not exist)."""
    if draft_problems(saved, instrument) or saved.step >= len(steps(instrument)):
        return None
    return Draft(
        step=saved.step,
        role=saved.role,
        organisation_id=saved.organisation_id,
        organisation_type=saved.organisation_type,
        answers=dict(saved.answers),
        forces=set(saved.forces),
        comment=saved.comment,
    )
