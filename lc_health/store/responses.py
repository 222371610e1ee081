"""Writing and reading raw responses. Every write keeps the round's tallies in step, in the same
transaction, so a response and its share of the summaries land together or not at all."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from lc_health.instrument import Instrument
from lc_health.models import Answer, Comment, ForceMark, Response, Round, utcnow
from lc_health.schemas import ResponseIn, response_problems
from lc_health.store.tallies import Delta, apply_delta


class InvalidResponse(ValueError):
    """A submission that does not fit the instrument; `problems` are "where: what" lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class SaveResult:
    response_id: int
    created: bool  # False when an earlier response was replaced or the submission was a repeat


def new_respondent_key() -> str:
    return secrets.token_hex(16)


def _stored(session: Session, response_id: int) -> tuple[dict[str, int | None], set[str] | None]:
    rows = session.execute(
        select(Answer.item_id, Answer.value).where(Answer.response_id == response_id)
    ).all()
    answers: dict[str, int | None] = dict(rows)
    answered = session.execute(
        select(Response.answered_forces).where(Response.id == response_id)
    ).scalar_one()
    marks = set(
        session.execute(
            select(ForceMark.force_id).where(ForceMark.response_id == response_id)
        ).scalars()
    )
    return answers, (marks if answered else None)


def _remove_content(session: Session, response_id: int) -> None:
    for model in (Answer, ForceMark, Comment):
        session.execute(delete(model).where(col(model.response_id) == response_id))


def _write_content(session: Session, response_id: int, resp: ResponseIn) -> None:
    if resp.answers:
        session.execute(
            insert(Answer),
            [
                {"response_id": response_id, "item_id": item_id, "value": value}
                for item_id, value in sorted(resp.answers.items())
            ],
        )
    if resp.forces:
        session.execute(
            insert(ForceMark),
            [{"response_id": response_id, "force_id": f} for f in sorted(resp.forces)],
        )
    if resp.comment and resp.comment.strip():
        session.add(Comment(response_id=response_id, text=resp.comment))


def _find_existing(session: Session, resp: ResponseIn) -> Response | None:
    if resp.invitation_id is not None:
        stmt = select(Response).where(
            Response.round_id == resp.round_id, Response.invitation_id == resp.invitation_id
        )
    else:
        stmt = select(Response).where(
            Response.round_id == resp.round_id, Response.submission_key == resp.submission_key
        )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def save_response(
    *, session: Session, response_in: ResponseIn, instrument: Instrument
) -> SaveResult:
    """Store a submission and update the round's tallies, in the caller's transaction.

    Idempotent: the same submission key in a round returns the stored response unchanged. With a
    personal link (invitation_id) the participant's earlier response in the round is replaced.
    """
    problems = response_problems(response_in, instrument)
    if problems:
        raise InvalidResponse(problems)
    existing = _find_existing(session, response_in)
    if existing is not None and existing.id is not None:
        if response_in.invitation_id is None:
            return SaveResult(existing.id, created=False)
        old_answers, old_forces = _stored(session, existing.id)
        delta = Delta()
        delta.add(old_answers, old_forces, instrument, sign=-1)
        delta.add(response_in.answers, response_in.forces, instrument)
        _remove_content(session, existing.id)
        _update_fields(existing, response_in, instrument)
        session.add(existing)
        session.flush()
        _write_content(session, existing.id, response_in)
        apply_delta(session, round_id=response_in.round_id, delta=delta)
        return SaveResult(existing.id, created=False)

    row = Response(
        round_id=response_in.round_id,
        invitation_id=response_in.invitation_id,
        respondent_key=response_in.respondent_key or new_respondent_key(),
        submission_key=response_in.submission_key,
        instrument_version=instrument.version,
        submitted_at=response_in.submitted_at or utcnow(),
    )
    _update_fields(row, response_in, instrument)
    session.add(row)
    session.flush()
    assert row.id is not None
    _write_content(session, row.id, response_in)
    delta = Delta()
    delta.add(response_in.answers, response_in.forces, instrument)
    apply_delta(session, round_id=response_in.round_id, delta=delta)
    return SaveResult(row.id, created=True)


def _update_fields(row: Response, resp: ResponseIn, instrument: Instrument) -> None:
    row.language = resp.language
    row.role = resp.role
    row.organisation_id = resp.organisation_id
    row.organisation_type = resp.organisation_type
    row.source = resp.source.value
    row.import_batch_id = resp.import_batch_id
    row.answered_forces = resp.forces is not None
    row.instrument_version = instrument.version
    row.updated_at = resp.submitted_at or utcnow()


def delete_response(*, session: Session, response_id: int, instrument: Instrument) -> None:
    """Remove a response and its share of the tallies (withdrawal, erasure)."""
    row = session.get(Response, response_id)
    if row is None:
        return
    answers, forces = _stored(session, response_id)
    delta = Delta()
    delta.add(answers, forces, instrument, sign=-1)
    _remove_content(session, response_id)
    session.delete(row)
    session.flush()
    apply_delta(session, round_id=row.round_id, delta=delta)


def response_for(*, session: Session, round_id: int, invitation_id: int) -> Response | None:
    """A personal link's response in a round, if any."""
    return session.execute(
        select(Response).where(
            Response.round_id == round_id, Response.invitation_id == invitation_id
        )
    ).scalar_one_or_none()


def stored_answers(*, session: Session, response_id: int) -> dict[str, int | None]:
    answers, _ = _stored(session, response_id)
    return answers


def stored_forces(*, session: Session, response_id: int) -> set[str] | None:
    _, forces = _stored(session, response_id)
    return forces


def stored_comment(*, session: Session, response_id: int) -> str | None:
    return session.execute(
        select(Comment.text).where(Comment.response_id == response_id)
    ).scalar_one_or_none()


def round_answers(*, session: Session, round_id: int) -> pd.DataFrame:
    """Raw answers of one round. Columns: response_id, item_id, value (NA = don't know)."""
    rows = session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(Response.round_id == round_id)
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["response_id", "item_id", "value"])
    frame["value"] = frame["value"].astype("Int64")
    return frame


def round_profiles(*, session: Session, round_id: int) -> pd.DataFrame:
    """Respondent attributes of one round. Columns: response_id, role, organisation_type."""
    rows = session.execute(
        select(Response.id, Response.role, Response.organisation_type).where(
            Response.round_id == round_id
        )
    ).all()
    return pd.DataFrame(
        [tuple(r) for r in rows], columns=["response_id", "role", "organisation_type"]
    )


def round_comments(*, session: Session, round_id: int) -> list[str]:
    """The round's comments, without any attribute, in a stable order that is not submission
    order (so a comment cannot be matched to the moment someone submitted)."""
    texts = session.execute(
        select(Comment.text)
        .join(Response, col(Response.id) == col(Comment.response_id))
        .where(Response.round_id == round_id)
    ).scalars()
    return sorted(texts, key=lambda t: (len(t), t))


def responses_count(*, session: Session, round_id: int) -> int:
    return len(session.execute(select(Response.id).where(Response.round_id == round_id)).all())


def round_of(*, session: Session, round_id: int) -> Round | None:
    return session.get(Round, round_id)


def response_in_period(
    *, session: Session, community_id: int, period: str, invitation_id: int
) -> Response | None:
    """A personal link's response in the community's round of a given period, if any."""
    stmt = (
        select(Response)
        .join(Round, col(Round.id) == col(Response.round_id))
        .where(
            col(Round.community_id) == community_id,
            col(Round.period) == period,
            col(Response.invitation_id) == invitation_id,
        )
    )
    return session.exec(stmt).first()
