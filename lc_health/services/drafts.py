"""A personal link's unsent survey answers, kept server-side so that a reload or a new browser
session resumes at the step the participant left.

Saved on every step change (Next, Back, a change of language), restored on the first visit of
a new session, deleted when the response is sent (services.survey), when the round closes
(store.publication) and with the link on a privacy request (services.privacy). A kept draft is
checked against the project's schemas and the round's instrument when it is restored: one that
no longer fits is dropped, never shown half. Open links have no server-side drafts: they are
shared, so nothing could key a draft to one person without identifying them.

Like services.survey these take the engine: each save is a small transaction of its own, and a
failure to keep a draft never stops the survey (the answers stay in the page).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import DraftIn
from lc_health.domain.survey_flow import Draft, from_saved, to_saved
from lc_health.store import drafts as draft_store
from lc_health.store.db import read_session, write_session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Restored:
    """A kept draft as the survey's draft, with the language it was left in."""

    draft: Draft
    language: str


def _parse(payload: str) -> DraftIn | None:
    try:
        return DraftIn.model_validate_json(payload)
    except ValidationError:
        return None


def save_draft(
    engine: Engine, *, invitation_id: int, round_id: int, draft: Draft, language: str
) -> bool:
    """Keep the draft of this personal link and round (replacing the one kept before).
    Returns False, with a warning in the log and nothing else, when it could not be kept."""
    lang = "en" if language == "en" else "nl"
    try:
        with write_session(engine) as session:
            kept = draft_store.get_draft(session, invitation_id=invitation_id, round_id=round_id)
            before = _parse(kept.payload) if kept is not None else None
            saved = to_saved(draft, kept_comment=before.comment if before is not None else "")
            draft_store.put_draft(
                session,
                invitation_id=invitation_id,
                round_id=round_id,
                payload=saved.model_dump_json(),
                step=saved.step,
                language=lang,
            )
    except (SQLAlchemyError, OSError) as exc:
        log.warning("survey draft not kept: %s", type(exc).__name__)
        return False
    return True


def restore_draft(
    engine: Engine, *, invitation_id: int, round_id: int, instrument: Instrument
) -> Restored | None:
    """The kept draft of this link and round, or None. A draft that does not fit the schema
    or the instrument any more is deleted and None returned."""
    with read_session(engine) as session:
        kept = draft_store.get_draft(session, invitation_id=invitation_id, round_id=round_id)
        if kept is None:
            return None
        payload, language = kept.payload, kept.language
    saved = _parse(payload)
    draft = from_saved(saved, instrument) if saved is not None else None
    if draft is None:
        log.info("a kept survey draft no longer fits its round's instrument; dropped")
        discard_draft(engine, invitation_id=invitation_id, round_id=round_id)
        return None
    return Restored(draft=draft, language="en" if language == "en" else "nl")


def discard_draft(engine: Engine, *, invitation_id: int, round_id: int) -> None:
    """Delete the kept draft of this link and round, if any (a failure is only logged: the
    round's closing deletes it in any case)."""
    try:
        # Looked for first in a read: a submission without a draft (an import, paper, a link
        # that answered in one go elsewhere) then never waits for the write lock.
        with read_session(engine) as session:
            if (
                draft_store.get_draft(session, invitation_id=invitation_id, round_id=round_id)
                is None
            ):
                return
        with write_session(engine) as session:
            draft_store.delete_draft(session, invitation_id=invitation_id, round_id=round_id)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("survey draft not deleted: %s", type(exc).__name__)
