"""Writing and reading raw responses. Every write keeps the round's tallies in step, in the same
transaction, so a response and its share of the summaries land together or not at all."""

from __future__ import annotations

import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, bindparam, delete, event, insert, or_
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import ResponseIn, response_problems
from lc_health.store.models import Answer, Comment, ForceMark, Response, Round, utcnow
from lc_health.store.tallies import (
    Delta,
    Rows,
    apply_delta,
    bulk_insert,
    bulk_rows,
    delta_rows,
    driver_statement,
    merged_delta_rows,
    write_delta_rows,
)

_RESPONSE = Response.__table__  # type: ignore[attr-defined]
_ANSWER = Answer.__table__  # type: ignore[attr-defined]
_FORCE_MARK = ForceMark.__table__  # type: ignore[attr-defined]
_COMMENT = Comment.__table__  # type: ignore[attr-defined]


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


RESPONSE_COLUMNS = (
    "round_id",
    "invitation_id",
    "respondent_key",
    "submission_key",
    "language",
    "role",
    "organisation_id",
    "organisation_type",
    "source",
    "import_batch_id",
    "answered_forces",
    "instrument_version",
    "submitted_at",
    "updated_at",
)


def _insert(table: Any, columns: Sequence[str]) -> Callable[[str], Any]:
    def build(_dialect: str) -> Any:
        return insert(table).values({c: bindparam(c, type_=table.c[c].type) for c in columns})

    return build


def _insert_response(_dialect: str) -> Any:
    return _insert(_RESPONSE, RESPONSE_COLUMNS)(_dialect).returning(_RESPONSE.c.id)


def _existing_statement(by_invitation: bool) -> Callable[[str], Any]:
    def build(dialect: str) -> Any:
        other = Response.invitation_id if by_invitation else Response.submission_key
        stmt = select(col(Response.id)).where(
            col(Response.round_id) == bindparam("round_id"), col(other) == bindparam("other")
        )
        # Lock the row on PostgreSQL, so two replacements of one response cannot interleave.
        return stmt.with_for_update() if dialect == "postgresql" else stmt

    return build


def _insert_rows(conn: Connection, table: Any, columns: Sequence[str], rows: Rows) -> None:
    """Many rows in one statement (see tallies.bulk_insert): executemany on SQLite, one JSON
    batch in one round trip on PostgreSQL."""
    dialect = conn.dialect.name
    stmt = driver_statement(conn, f"bulk:{table.name}", lambda d: bulk_insert(d, table, columns))
    if dialect == "postgresql":
        stmt.run_once(conn, bulk_rows(rows))
    else:
        stmt.run(conn, rows)


def _write_content(session: Session, contents: Sequence[tuple[int, ResponseIn]]) -> None:
    """The answers, force marks and comments of stored responses: one statement per table,
    however many responses. Statements are compiled once and run through the driver (see
    tallies.DriverStatement): a submission is the hot write path."""
    conn = session.connection()
    answers = [
        {"response_id": response_id, "item_id": item_id, "value": value}
        for response_id, resp in contents
        for item_id, value in sorted(resp.answers.items())
    ]
    if answers:
        _insert_rows(conn, _ANSWER, ("response_id", "item_id", "value"), answers)
    marks = [
        {"response_id": response_id, "force_id": force_id}
        for response_id, resp in contents
        for force_id in sorted(resp.forces or ())
    ]
    if marks:
        _insert_rows(conn, _FORCE_MARK, ("response_id", "force_id"), marks)
    comments = [
        {"response_id": response_id, "text": resp.comment}
        for response_id, resp in contents
        if resp.comment and resp.comment.strip()
    ]
    if comments:
        driver_statement(conn, "insert:comment", _insert(_COMMENT, ("response_id", "text"))).run(
            conn, comments
        )


def _find_existing(session: Session, resp: ResponseIn) -> int | None:
    """The id of the response this submission repeats or replaces (locked on PostgreSQL)."""
    conn = session.connection()
    params: dict[str, Any]
    if resp.invitation_id is not None:
        stmt = driver_statement(conn, "existing:invitation", _existing_statement(True))
        params = {"round_id": resp.round_id, "other": resp.invitation_id}
    else:
        stmt = driver_statement(conn, "existing:submission", _existing_statement(False))
        params = {"round_id": resp.round_id, "other": resp.submission_key}
    found = stmt.run(conn, [params]).scalar_one_or_none()
    return None if found is None else int(found)


_QUEUED = "lc_health_sqlite_write_queue"
_WRITE_QUEUES: dict[str, threading.Lock] = {}
_WRITE_QUEUES_GUARD = threading.Lock()


def _queue_sqlite_writer(session: Session) -> None:
    """On SQLite, wait for this process's other writers on a lock before the transaction
    begins, and release it when the transaction ends.

    SQLite admits one writer at a time; the others wait in its busy handler, which polls with
    growing sleeps (1, 2, 5, 10 ... ms). When a workshop submits at once, that makes submissions
    wait far longer than the writes take, and in no particular order; a lock hands the database
    on the moment it is free, first come first served. Only a session that has not begun its
    transaction queues: one that already holds SQLite's lock must not wait for this one.
    (Writers in other processes still meet SQLite's busy handler.)
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or session.in_transaction() or _QUEUED in session.info:
        return
    url = bind.engine.url.render_as_string(hide_password=False)
    with _WRITE_QUEUES_GUARD:
        lock = _WRITE_QUEUES.setdefault(url, threading.Lock())
    if not event.contains(session, "after_transaction_end", _leave_queue):
        event.listen(session, "after_transaction_end", _leave_queue)
    lock.acquire()
    session.info[_QUEUED] = lock


def _leave_queue(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        lock = session.info.pop(_QUEUED, None)
        if lock is not None:
            lock.release()


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
    # Everything that needs no database is done before the first statement, so that the write
    # transaction (which holds SQLite's single write lock) stays as short as it can be.
    delta = Delta()
    delta.add(response_in.answers, response_in.forces, instrument)
    tally_rows = delta_rows(round_id=response_in.round_id, delta=delta)
    _queue_sqlite_writer(session)
    existing_id = _find_existing(session, response_in)
    if existing_id is not None:
        if response_in.invitation_id is None:
            return SaveResult(existing_id, created=False)
        existing = session.get(Response, existing_id)
        assert existing is not None
        old_answers, old_forces = _stored(session, existing_id)
        delta.add(old_answers, old_forces, instrument, sign=-1)
        _remove_content(session, existing_id)
        _update_fields(existing, response_in, instrument)
        session.add(existing)
        session.flush()
        _write_content(session, [(existing_id, response_in)])
        apply_delta(session, round_id=response_in.round_id, delta=delta)
        return SaveResult(existing_id, created=False)

    conn = session.connection()
    row = _response_row(response_in, instrument)
    inserted = driver_statement(conn, "insert:response", _insert_response).run(conn, [row])
    response_id = int(inserted.scalar_one())
    _write_content(session, [(response_id, response_in)])
    write_delta_rows(session, rows=tally_rows)
    return SaveResult(response_id, created=True)


def _response_row(resp: ResponseIn, instrument: Instrument) -> dict[str, Any]:
    stamp = resp.submitted_at or utcnow()
    return {
        "round_id": resp.round_id,
        "invitation_id": resp.invitation_id,
        "respondent_key": resp.respondent_key or new_respondent_key(),
        "submission_key": resp.submission_key,
        "language": resp.language,
        "role": resp.role,
        "organisation_id": resp.organisation_id,
        "organisation_type": resp.organisation_type,
        "source": resp.source.value,
        "import_batch_id": resp.import_batch_id,
        "answered_forces": resp.forces is not None,
        "instrument_version": instrument.version,
        "submitted_at": stamp,
        "updated_at": stamp,
    }


def existing_responses(session: Session, *, batch: Sequence[ResponseIn]) -> dict[int, int]:
    """For the submissions in `batch` that repeat or replace a stored response: their position
    in the batch -> that response's id. One query for the whole batch; on PostgreSQL the found
    rows are locked, as in save_response."""
    if not batch:
        return {}
    _queue_sqlite_writer(session)
    by_invitation = {
        (r.round_id, r.invitation_id): n for n, r in enumerate(batch) if r.invitation_id is not None
    }
    by_key = {
        (r.round_id, r.submission_key): n for n, r in enumerate(batch) if r.invitation_id is None
    }
    stmt = select(
        col(Response.id),
        col(Response.round_id),
        col(Response.invitation_id),
        col(Response.submission_key),
    ).where(
        col(Response.round_id).in_(sorted({r.round_id for r in batch})),
        or_(
            col(Response.invitation_id).in_(sorted({i for _, i in by_invitation})),
            col(Response.submission_key).in_(sorted({k for _, k in by_key})),
        ),
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.order_by(col(Response.id)).with_for_update()  # one lock order for all
    found: dict[int, int] = {}
    for response_id, round_id, invitation_id, submission_key in session.execute(stmt):
        n = by_invitation.get((round_id, invitation_id))
        if n is None:
            n = by_key.get((round_id, submission_key))
        if n is not None:
            found[n] = int(response_id)
    return found


def save_new_responses(
    session: Session, *, batch: Sequence[tuple[ResponseIn, Instrument]]
) -> list[int]:
    """Store submissions known to be new (valid, and neither repeating nor replacing a stored
    response: see existing_responses), with their share of the tallies, in the caller's
    transaction. A statement per table for the whole batch, and one set of tally upserts.
    Returns the new responses' ids, in batch order."""
    if not batch:
        return []
    keys = [(resp.round_id, resp.submission_key) for resp, _ in batch]
    if len(set(keys)) != len(keys):
        raise ValueError("a batch of new responses holds one submission key twice")
    deltas: dict[int, Delta] = defaultdict(Delta)
    for resp, instrument in batch:
        deltas[resp.round_id].add(resp.answers, resp.forces, instrument)
    tally_rows = merged_delta_rows(deltas)
    rows = [_response_row(resp, instrument) for resp, instrument in batch]
    _queue_sqlite_writer(session)
    inserted = session.connection().execute(
        insert(_RESPONSE).returning(
            _RESPONSE.c.id, _RESPONSE.c.round_id, _RESPONSE.c.submission_key
        ),
        rows,
    )
    ids = {(round_id, key): int(rid) for rid, round_id, key in inserted}
    response_ids = [ids[key] for key in keys]
    _write_content(
        session, [(rid, resp) for rid, (resp, _) in zip(response_ids, batch, strict=True)]
    )
    write_delta_rows(session, rows=tally_rows)
    return response_ids


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


def round_comments(*, session: Session, round_id: int) -> list[str]:
    """The round's comments, without any attribute, in a stable order that is not submission
    order (so a comment cannot be matched to the moment someone submitted)."""
    texts = session.execute(
        select(Comment.text)
        .join(Response, col(Response.id) == col(Comment.response_id))
        .where(Response.round_id == round_id)
    ).scalars()
    return sorted(texts, key=lambda t: (len(t), t))


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
