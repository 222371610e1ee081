"""Survey submissions with group commit: when many participants submit at the same moment (a
workshop), their responses are written together, a few statements and one commit for the
lot, instead of one transaction each.

A submission is validated in the submitter's own thread, then handed to the engine's writer
thread, which takes every submission waiting at that moment, stores them in one transaction and
answers each submitter once the commit is done. A lone submission is a batch of one, so the
wait is never longer than the write in progress plus its own. Repeats and replacements of a
stored response take save_response's path, inside the same transaction.

If a batch fails as a whole, each of its submissions is tried again in a transaction of its
own, so one bad submission cannot take the others down; a database that cannot be reached
fails them all with the same error.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import ResponseIn, response_problems
from lc_health.store import invitations as istore
from lc_health.store.db import write_session
from lc_health.store.responses import (
    InvalidResponse,
    SaveResult,
    existing_responses,
    save_new_responses,
    save_response,
)

log = logging.getLogger(__name__)

MAX_BATCH = 200  # submissions in one transaction at most
IDLE_SECONDS = 30.0  # a writer thread with nothing to do for this long ends
WAIT_SECONDS = 120.0  # a submitter gives up waiting for the writer after this long


class SubmissionTimeout(SQLAlchemyError):
    """The writer did not answer in time; whether the submission was stored is unknown (a
    retry with the same submission key is safe: it is idempotent)."""


@dataclass
class _Pending:
    response: ResponseIn
    instrument: Instrument
    mark_invitation: int | None
    done: Future[SaveResult] = field(default_factory=Future)

    @property
    def key(self) -> tuple[int, object]:
        """What makes two submissions the same response of a round."""
        resp = self.response
        other = ("i", resp.invitation_id) if resp.invitation_id is not None else resp.submission_key
        return resp.round_id, other


class _Writer:
    """The writer thread of one engine (see the module's docstring)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.waiting: queue.SimpleQueue[_Pending] = queue.SimpleQueue()

    def start(self) -> None:
        threading.Thread(target=self._run, name="lc-health-submissions", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                first = self.waiting.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with _WRITERS_GUARD:  # submitters put under this lock: none can slip in
                    if self.waiting.empty():
                        del _WRITERS[id(self.engine)]
                        return
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.waiting.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        # Two submissions of one response (a double click, a personal link submitted twice)
        # go into separate transactions, in the order they came.
        while batch:
            seen: set[tuple[int, object]] = set()
            now: list[_Pending] = []
            later: list[_Pending] = []
            for pending in batch:
                (later if pending.key in seen else now).append(pending)
                seen.add(pending.key)
            self._write_together(now)
            batch = later

    def _write_together(self, batch: list[_Pending]) -> None:
        try:
            results = _store(self.engine, batch)
        except IntegrityError:
            # e.g. another server process stored one of these a moment ago: each on its own.
            for pending in batch:
                try:
                    pending.done.set_result(_store(self.engine, [pending])[0])
                except Exception as exc:
                    pending.done.set_exception(exc)
            return
        except BaseException as exc:  # the database failed: every submitter hears why
            log.warning("survey submissions not stored: %s", type(exc).__name__)
            for pending in batch:
                pending.done.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for pending, result in zip(batch, results, strict=True):
            pending.done.set_result(result)


def _store(engine: Engine, batch: list[_Pending]) -> list[SaveResult]:
    """One transaction for the batch, whose submissions are all different responses."""
    with write_session(engine) as session:
        found = existing_responses(session, batch=[p.response for p in batch])
        results: dict[int, SaveResult] = {}
        for n in sorted(found):
            pending = batch[n]
            results[n] = save_response(
                session=session, response_in=pending.response, instrument=pending.instrument
            )
        new = [n for n in range(len(batch)) if n not in found]
        ids = save_new_responses(
            session, batch=[(batch[n].response, batch[n].instrument) for n in new]
        )
        for n, response_id in zip(new, ids, strict=True):
            results[n] = SaveResult(response_id, created=True)
        istore.mark_used(
            session=session,
            invitation_ids=[p.mark_invitation for p in batch if p.mark_invitation is not None],
        )
        return [results[n] for n in range(len(batch))]


_WRITERS: dict[int, _Writer] = {}
_WRITERS_GUARD = threading.Lock()


def submit_response(
    engine: Engine,
    *,
    response_in: ResponseIn,
    instrument: Instrument,
    mark_invitation: int | None = None,
    timeout: float = WAIT_SECONDS,
) -> SaveResult:
    """Store a survey submission (and note its personal link's use), committed when this
    returns. Raises InvalidResponse for answers that do not fit the instrument, and the
    database's error when it could not be stored; nothing of it is stored then."""
    problems = response_problems(response_in, instrument)
    if problems:
        raise InvalidResponse(problems)
    pending = _Pending(response_in, instrument, mark_invitation)
    with _WRITERS_GUARD:
        # A writer holds its engine, so the id cannot be reused while the writer lives.
        writer = _WRITERS.get(id(engine))
        if writer is None:
            writer = _WRITERS[id(engine)] = _Writer(engine)
            writer.start()
        writer.waiting.put(pending)
    try:
        return pending.done.result(timeout=timeout)
    except TimeoutError:
        raise SubmissionTimeout(
            "the survey submission was not stored in time", None, None
        ) from None
