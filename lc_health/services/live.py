"""The live session: a lead starts it, phones join with its code and score the twelve factors,
the facilitator reveals the room's picture and orders the factors to discuss.

Disclosure (docs/live-session.md): the projector shows only a stored publication. The first is
made by the facilitator's reveal, once at least `threshold` sheets were sent; after that a new
one is made only when `threshold` more sheets are waiting, and it takes exactly the
`threshold` oldest of them (domain.live.step_sizes). A sent sheet is final. So what the room
sees is a function of the groups of sheets in each step, never of one person or of when the
projector asked, and two publications differ by at least `threshold` people.

Phones have no account: a phone is a random token in its URL, stored only as a hash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from lc_health.domain import credentials, live
from lc_health.domain.disclosure import Policy, hidden
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.i18n import LANGUAGES
from lc_health.metrics import live as live_metrics
from lc_health.services.signin_limits import wait_after
from lc_health.store import agenda as agenda_store
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import live as store
from lc_health.store import signin_limits as limit_store
from lc_health.store.models import LiveSession, LiveSheet, utcnow
from lc_health.store.rounds import RoundState, state

CODE_TRIES = 20  # fresh codes tried before giving up (a clash is about 1 in 2.4e8 per try)
LIMIT_KIND = "livecode"
WAIT_CAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Projector:
    """What the projector may show of a session: counts always, figures only as published."""

    session_id: int
    community_id: int
    round_id: int | None
    code: str
    threshold: int
    joined: int
    sent: int
    revealed: bool
    ended: bool
    published_count: int
    published: bytes
    order: tuple[int, ...]


@dataclass(frozen=True)
class Phone:
    """One phone's sheet as it resumes: its answers so far and whether it was sent."""

    session_id: int
    answers: dict[int, int]
    sent: bool
    ended: bool


def _problem(field: str, code: str, **params: object) -> Invalid:
    return Invalid([Problem(field, code, dict(params))])


def _running(session: Session, session_id: int, *, lock: bool = False) -> LiveSession:
    row = store.get_session(session, session_id=session_id, lock=lock)
    if row is None:
        raise _problem("session", "error.live_unknown")
    if row.ended_at is not None:
        raise _problem("session", "error.live_ended")
    return row


def start(
    session: Session,
    *,
    actor: str,
    community_id: int,
    round_id: int | None,
    threshold: int,
    today: date,
) -> LiveSession:
    """Start a live session for a community, tied to its open round if `round_id` is given."""
    community = cstore.known_community(session=session, community_id=community_id)
    Policy(threshold=threshold, comment_threshold=threshold)  # never below the floor
    if round_id is not None:
        rnd = agenda_store.round_of(session=session, round_id=round_id)
        if rnd is None or rnd.community_id != community_id or state(rnd, today) != RoundState.open:
            raise _problem("round", "error.live_round")
    for _ in range(CODE_TRIES):
        code = live.new_code()
        if not store.code_taken(session, code=code):
            break
    else:  # pragma: no cover - 20 clashes in a row do not happen
        raise _problem("code", "error.live_no_code")
    row = store.add_session(
        session,
        row=LiveSession(
            community_id=community_id,
            round_id=round_id,
            code=code,
            started_by=actor,
            threshold=threshold,
        ),
    )
    audit.record(
        session=session, actor=actor, action="live.start", target=community.name, round=round_id
    )
    return row


def _check_wait(session: Session, key: str, now: datetime) -> None:
    row = limit_store.get(session, key_hash=key)
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        seconds = int((row.blocked_until - now).total_seconds()) + 1
        raise _problem("code", "error.live_wait", seconds=seconds)


def _count_wrong(session: Session, key: str, now: datetime) -> None:
    row = limit_store.get_or_new(session, key_hash=key, kind=LIMIT_KIND, now=now)
    row.failures += 1
    row.updated_at = now
    wait = wait_after(row.failures, threshold=live.WRONG_CODES_BEFORE_WAIT, cap=WAIT_CAP)
    if wait is not None:
        row.blocked_until = now + wait
    limit_store.save(session, row=row)


def join(
    session: Session, *, code: str, phone_token: str, client: str, language: str, now: datetime
) -> int | None:
    """Join the running session with this code (typed or from the QR) and return its id; the
    phone's sheet is created on the first join and kept on the next. Wrong codes count per
    client (its address, else the phone): from the twentieth in a row it waits, 30 s doubling up
    to 5 minutes (Invalid error.live_wait). A wrong code returns None, and its count is part of
    the transaction: commit it (a raise would roll the count back)."""
    key = credentials.limit_key(LIMIT_KIND, client or phone_token)
    _check_wait(session, key, now)
    cleaned = live.normalise_code(code)
    row = store.running_by_code(session, code=cleaned) if cleaned else None
    if row is None or row.id is None:
        _count_wrong(session, key, now)
        return None
    limit_store.clear(session, key_hash=key)
    phone_key = credentials.hash_token(phone_token)
    sheet = store.sheet(session, session_id=row.id, phone_key=phone_key)
    if sheet is None:
        lang = language if language in LANGUAGES else "nl"
        store.save(session, row=LiveSheet(session_id=row.id, phone_key=phone_key, language=lang))
    return row.id


def _sheet(session: Session, session_id: int, phone_token: str) -> LiveSheet:
    sheet = store.sheet(
        session, session_id=session_id, phone_key=credentials.hash_token(phone_token)
    )
    if sheet is None:
        raise _problem("session", "error.live_not_joined")
    return sheet


def save_answers(
    session: Session, *, session_id: int, phone_token: str, answers: Mapping[Any, object]
) -> dict[int, int]:
    """Keep the phone's answers (merged over what it had); returns them all. A sent sheet or
    an ended session takes no changes."""
    _running(session, session_id)
    sheet = _sheet(session, session_id, phone_token)
    if sheet.sent_at is not None:
        raise _problem("answers", "error.live_sent")
    merged = live.clean_answers(json.loads(sheet.answers)) | live.clean_answers(answers)
    sheet.answers = json.dumps({str(k): v for k, v in sorted(merged.items())})
    store.save(session, row=sheet)
    return merged


def send(session: Session, *, session_id: int, phone_token: str, now: datetime) -> bool:
    """Send the phone's sheet: every factor answered (don't know counts); final from now.
    Returns True (also for a second tap, which changes nothing)."""
    _running(session, session_id)
    sheet = _sheet(session, session_id, phone_token)
    if sheet.sent_at is not None:
        return True
    if not live.is_complete(live.clean_answers(json.loads(sheet.answers))):
        raise _problem("answers", "error.live_incomplete")
    sheet.sent_at = now
    store.save(session, row=sheet)
    return True


def phone(session: Session, *, session_id: int, phone_token: str) -> Phone | None:
    """The phone's sheet as it resumes after a lost connection (None: it never joined)."""
    row = store.get_session(session, session_id=session_id)
    sheet = store.sheet(
        session, session_id=session_id, phone_key=credentials.hash_token(phone_token)
    )
    if row is None or sheet is None:
        return None
    answers = live.clean_answers(json.loads(sheet.answers))
    return Phone(session_id, answers, sheet.sent_at is not None, row.ended_at is not None)


def phone_by_code(session: Session, *, code: str, phone_token: str) -> Phone | None:
    """The phone's sheet found from the code and token in its URL (None: no such sheet)."""
    cleaned = live.normalise_code(code)
    row = store.by_code(session, code=cleaned) if cleaned else None
    if row is None or row.id is None:
        return None
    return phone(session, session_id=row.id, phone_token=phone_token)


def _publish(session: Session, row: LiveSession) -> None:
    """Make the publications that are due (domain.live.step_sizes), in the caller's
    transaction, the session's row locked."""
    assert row.id is not None
    waiting = store.waiting_ids(session, session_id=row.id)
    sizes = live.step_sizes(row.published_count + len(waiting), row.published_count, row.threshold)
    if not sizes:
        return
    step = 0 if row.published_count == 0 else row.published_count
    for size in sizes:
        store.mark_published(session, sheet_ids=waiting[:size], step=step)
        waiting = waiting[size:]
        row.published_count += size
        step = row.published_count
    sheets = [
        live.clean_answers(json.loads(a))
        for a in store.published_answers(session, session_id=row.id)
    ]
    frame = live_metrics.picture(sheets, row.threshold)
    row.published = live_metrics.payload(frame, sheets=row.published_count).decode("utf-8")
    store.save(session, row=row)


def reveal(session: Session, *, actor: str, session_id: int, now: datetime) -> LiveSession:
    """Show the room's picture: only with at least `threshold` sheets sent."""
    row = _running(session, session_id, lock=True)
    if row.revealed_at is None:
        _, sent = store.counts(session, session_id=session_id)
        if hidden(sent, row.threshold):
            raise _problem("session", "error.live_too_few", threshold=row.threshold)
        row.revealed_at = now
        _publish(session, row)
        audit.record(session=session, actor=actor, action="live.reveal", target=row.code)
    return row


def publish_due(session: Session, *, session_id: int) -> int:
    """The projector's tick: publish the steps that are due after a reveal; returns how many
    sheets the figures rest on. Nothing happens before the reveal or after the end."""
    row = store.get_session(session, session_id=session_id, lock=True)
    if row is None or row.revealed_at is None or row.ended_at is not None:
        return 0 if row is None else row.published_count
    _publish(session, row)
    return row.published_count


def step_due(state: Projector) -> bool:
    """Whether publish_due would publish now (the projector then asks for it)."""
    if not state.revealed or state.ended:
        return False
    return bool(live.step_sizes(state.sent, state.published_count, state.threshold))


def projector(session: Session, *, session_id: int) -> Projector | None:
    """What the projector shows now (read only)."""
    row = store.get_session(session, session_id=session_id)
    if row is None or row.id is None:
        return None
    joined, sent = store.counts(session, session_id=row.id)
    order = [int(f) for f in json.loads(row.factor_order)] if row.factor_order else []
    return Projector(
        session_id=row.id,
        community_id=row.community_id,
        round_id=row.round_id,
        code=row.code,
        threshold=row.threshold,
        joined=joined,
        sent=sent,
        revealed=row.revealed_at is not None,
        ended=row.ended_at is not None,
        published_count=row.published_count,
        published=row.published.encode("utf-8"),
        order=tuple(order),
    )


def reorder(session: Session, *, actor: str, session_id: int, order: Sequence[object]) -> list[int]:
    """The facilitator's order of the factors to discuss (factors 1..12, each once)."""
    row = store.get_session(session, session_id=session_id, lock=True)
    if row is None:
        raise _problem("session", "error.live_unknown")
    factors = [f for f in order if isinstance(f, int) and not isinstance(f, bool)]
    if len(factors) != len(order) or any(f not in live.FACTORS for f in factors):
        raise _problem("order", "error.live_order")
    chosen = live_metrics.ordered([], factors)
    row.factor_order = json.dumps(chosen)
    store.save(session, row=row)
    audit.record(session=session, actor=actor, action="live.reorder", target=row.code)
    return chosen


def end(session: Session, *, actor: str, session_id: int, now: datetime | None = None) -> None:
    """End the session: its code joins nothing any more, phones take no more answers."""
    row = store.get_session(session, session_id=session_id, lock=True)
    if row is None or row.ended_at is not None:
        return
    store.end_session(session, row=row, now=now or utcnow())
    audit.record(session=session, actor=actor, action="live.end", target=row.code)


def sessions(session: Session, *, community_id: int) -> list[LiveSession]:
    """A community's live sessions, newest first."""
    return store.sessions_of(session, community_id=community_id)
