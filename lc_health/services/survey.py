"""A participant's survey submission, and the open-link audit trail row of a new one.

Unlike the other services this takes the engine: a submission is committed by the engine's
writer (store.submissions), and the trail row is deliberately a transaction of its own, after
the response's, not linked to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import ResponseIn, clean_comment
from lc_health.services import open_link_audit
from lc_health.services.drafts import discard_draft
from lc_health.store.responses import SaveResult
from lc_health.store.submissions import submit_response

log = logging.getLogger(__name__)


def _trail(
    engine: Engine,
    *,
    round_id: int,
    session_id: str,
    ratings: Iterable[int | None],
    seconds: int | None,
) -> None:
    try:
        open_link_audit.record_submission(
            engine, round_id=round_id, session_id=session_id, ratings=ratings, seconds=seconds
        )
    except (SQLAlchemyError, OSError) as exc:
        # A failure here must not undo or hide answers that were stored. Never log the session
        # id or the salt.
        log.warning("open-link audit row not stored: %s", type(exc).__name__)


def submit(
    engine: Engine,
    *,
    response: ResponseIn,
    instrument: Instrument,
    mark_invitation: int | None,
    open_link: bool,
    session_id: str,
    seconds: int | None,
) -> SaveResult:
    """Store the response (raises store.responses.InvalidResponse for answers that do not fit,
    the database's error when it could not be stored; nothing is stored then). A new response
    through an open link adds its audit trail row (services.open_link_audit): personal links
    have one response each, and paper entry and imports are audited by who entered them.
    Invisible control characters in the comment are dropped first (schemas.clean_comment), so
    a pasted NUL never makes a submission fail over and over. A personal link's kept draft
    of the round (services.drafts) is deleted once the response is stored."""
    if response.comment is not None:
        cleaned = clean_comment(response.comment).strip() or None
        response = response.model_copy(update={"comment": cleaned})
    result = submit_response(
        engine, response_in=response, instrument=instrument, mark_invitation=mark_invitation
    )
    if response.invitation_id is not None:  # sent: the kept draft has done its job
        discard_draft(engine, invitation_id=response.invitation_id, round_id=response.round_id)
    if open_link and result.created:
        _trail(
            engine,
            round_id=response.round_id,
            session_id=session_id,
            ratings=list(response.answers.values()),
            seconds=seconds,
        )
    return result
