"""Pydantic models for data that enters the store from outside (survey, paper, import)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument

MAX_COMMENT_CHARS = 2000
_KEPT_CONTROLS = {"\n", "\t"}


def clean_comment(text: str) -> str:
    """A comment as it can be stored: line breaks made plain (\\r\\n and \\r become \\n) and
    invisible control characters (NUL and the like, lone surrogates) dropped; nothing else
    changes. A pasted control character can then never make a submission fail."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )


Key = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class ResponseIn(BaseModel):
    """One participant's complete submission to a round."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    round_id: int
    submission_key: Key
    invitation_id: int | None = None
    respondent_key: Annotated[str, StringConstraints(max_length=32)] | None = None
    language: Literal["nl", "en"] = "nl"
    role: str | None = None
    organisation_id: int | None = None
    organisation_type: str | None = None
    # item id -> 1..5, or None for "don't know / not applicable"; unanswered items are absent.
    answers: dict[str, int | None]
    # None: the forces question was not asked (e.g. paper); a set (maybe empty): it was answered.
    forces: frozenset[str] | None = None
    comment: Annotated[str, Field(max_length=MAX_COMMENT_CHARS)] | None = None
    source: Source = Source.web
    import_batch_id: int | None = None
    # When the answers were given, if not now (paper sessions, imports, demo data).
    submitted_at: datetime | None = None


def response_problems(resp: ResponseIn, instrument: Instrument) -> list[str]:
    """What makes a submission unusable with this instrument, as "where: what" lines."""
    problems: list[str] = []
    for item_id, value in resp.answers.items():
        if item_id not in instrument.item_by_id:
            problems.append(f"answers.{item_id}: unknown item")
        elif value is not None and not 1 <= value <= 5:
            problems.append(f"answers.{item_id}: {value} is not on the 1-5 scale")
    for force_id in sorted(resp.forces or ()):
        if force_id not in instrument.force_by_id:
            problems.append(f"forces.{force_id}: unknown facilitating or hindering factor")
    if resp.role is not None and resp.role not in {o.id for o in instrument.profile.roles}:
        problems.append(f"role: unknown role '{resp.role}'")
    org_types = {o.id for o in instrument.profile.organisation_types}
    if resp.organisation_type is not None and resp.organisation_type not in org_types:
        problems.append(f"organisation_type: unknown organisation type '{resp.organisation_type}'")
    if resp.comment is not None and "\x00" in resp.comment:
        problems.append("comment: contains a NUL character")
    return problems


MAX_DRAFT_STEP = 50


class DraftIn(BaseModel):
    """A personal link's unsent survey answers as kept between visits (the survey's draft as
    JSON). Ratings are 1-5, or 0 for "don't know"; the comment follows the comments' limit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: Annotated[int, Field(ge=0, le=MAX_DRAFT_STEP)] = 0
    role: Annotated[str, StringConstraints(max_length=40)] | None = None
    organisation_id: int | None = None
    organisation_type: Annotated[str, StringConstraints(max_length=40)] | None = None
    answers: dict[Key, Annotated[int, Field(ge=0, le=5)]] = Field(default_factory=dict)
    forces: Annotated[list[Key], Field(max_length=100)] = Field(default_factory=list)
    comment: Annotated[str, Field(max_length=MAX_COMMENT_CHARS)] = ""


def draft_problems(draft: DraftIn, instrument: Instrument) -> list[str]:
    """What makes a kept draft unusable with this instrument (then it is dropped)."""
    as_response = ResponseIn(
        round_id=0,
        submission_key="draft",
        role=draft.role,
        organisation_type=draft.organisation_type,
        answers={k: (v or None) for k, v in draft.answers.items()},
        forces=frozenset(draft.forces),
        comment=draft.comment or None,
    )
    return response_problems(as_response, instrument)
