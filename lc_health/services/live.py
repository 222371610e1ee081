"""The live session: a lead starts it, phones join with its code and score the twelve factors,
the facilitator reveals the room's picture and orders the factors to discuss.

Disclosure (docs/live-session.md): the projector shows only a stored publication. The first is
made by the facilitator's reveal, once at least `threshold` sheets were sent; after that a new
one is made only when `threshold` more sheets are waiting, and it takes exactly the
`threshold` oldest of them (domain.live.step_sizes). A sent sheet is final. So what the room
sees is a function of the groups of sheets in each step, never of one person or of when the
projector asked, and two publications differ by at least `threshold` people.

Phones have no account: a phone is a random token in its URL, stored only as a hash.

A session tied to the community's open round asks the round's instrument, and each sheet sent
is stored as a response of that round (source "live") through the survey's submission path
(services.survey.submit), unless its phone says it already answered the round by its own link:
that sheet counts in the room's picture only. Functions that read or write a tied session's
answers take the round's instrument (`Phone.instrument` / `Projector.instrument` name it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.domain import credentials, live
from lc_health.domain.disclosure import Policy, hidden
from lc_health.domain.enums import Source
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.i18n import LANGUAGES
from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import ResponseIn
from lc_health.metrics import live as live_metrics
from lc_health.services import survey
from lc_health.services.signin_limits import wait_after
from lc_health.store import agenda as agenda_store
from lc_health.store import audit, db
from lc_health.store import communities as cstore
from lc_health.store import live as store
from lc_health.store import signin_limits as limit_store
from lc_health.store.models import LiveSession, LiveSheet, utcnow
from lc_health.store.responses import delete_response
from lc_health.store.rounds import RoundState, state

ERASED_LEAD = "(erased)"  # started_by of a session whose lead's account was erased
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
    # The tied round's instrument (id, version); None: the twelve short statements.
    instrument: tuple[str, int] | None = None


@dataclass(frozen=True)
class Phone:
    """One phone's sheet as it resumes: its answers so far and whether it was sent."""

    session_id: int
    answers: dict[int, int] | dict[str, int]
    sent: bool
    ended: bool
    # A tied session: the round's instrument (id, version), its round, and whether the sent
    # sheet is one of the round's responses (None before it is sent).
    instrument: tuple[str, int] | None = None
    round_id: int | None = None
    in_round: bool | None = None


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


def _clean(
    answers: Mapping[Any, object], tied: bool, instrument: Instrument | None
) -> dict[int, int] | dict[str, int]:
    """A sheet's answers by the session's kind: factors, or the tied round's items."""
    if not tied:
        return live.clean_answers(answers)
    if instrument is None:
        raise _problem("session", "error.live_instrument")
    return live.clean_item_answers(answers, instrument.item_by_id)


def save_answers(
    session: Session,
    *,
    session_id: int,
    phone_token: str,
    answers: Mapping[Any, object],
    instrument: Instrument | None = None,
) -> dict[int, int] | dict[str, int]:
    """Keep the phone's answers (merged over what it had); returns them all. A sent sheet or
    an ended session takes no changes. A tied session's answers are by item id of the round's
    `instrument`."""
    row = _running(session, session_id)
    tied = row.round_id is not None
    sheet = _sheet(session, session_id, phone_token)
    if sheet.sent_at is not None:
        raise _problem("answers", "error.live_sent")
    kept = _clean(json.loads(sheet.answers), tied, instrument)
    merged: dict[Any, int] = {**kept, **_clean(answers, tied, instrument)}
    sheet.answers = json.dumps({str(k): v for k, v in sorted(merged.items())})
    store.save(session, row=sheet)
    return merged


def send(session: Session, *, session_id: int, phone_token: str, now: datetime) -> bool:
    """Send the phone's sheet of an untied session: every factor answered (don't know
    counts); final from now. Returns True (also for a second tap, which changes nothing). A
    tied session's sheet is sent with send_tied."""
    row = _running(session, session_id)
    if row.round_id is not None:
        raise _problem("session", "error.live_instrument")
    sheet = _sheet(session, session_id, phone_token)
    if sheet.sent_at is not None:
        return True
    if not live.is_complete(live.clean_answers(json.loads(sheet.answers))):
        raise _problem("answers", "error.live_incomplete")
    sheet.sent_at = now
    store.save(session, row=sheet)
    return True


def _tied_sheet(
    engine: Engine,
    session_id: int,
    phone_token: str,
    instrument: Instrument,
    counted: bool,
    today: date,
) -> ResponseIn | None:
    """Check a tied sheet can be sent and note whether it joins the round; returns the
    round's response to store (None: sent already, or it stays in the room only)."""
    with db.write_session(engine) as session:
        row = _running(session, session_id)
        sheet = _sheet(session, session_id, phone_token)
        if row.round_id is None or sheet.id is None:
            raise _problem("session", "error.live_instrument")
        if sheet.sent_at is not None:
            return None
        answers = live.clean_item_answers(json.loads(sheet.answers), instrument.item_by_id)
        if not live.items_complete(answers, instrument.item_by_id):
            raise _problem("answers", "error.live_incomplete")
        rnd = agenda_store.round_of(session=session, round_id=row.round_id)
        sheet.in_round = counted and rnd is not None and state(rnd, today) == RoundState.open
        store.save(session, row=sheet)
        if not sheet.in_round:
            return None
        return ResponseIn(
            round_id=row.round_id,
            submission_key=live.submission_key(sheet.id),
            language="en" if sheet.language == "en" else "nl",
            answers={k: (v or None) for k, v in answers.items()},
            source=Source.live,
        )


def send_tied(
    engine: Engine,
    *,
    session_id: int,
    phone_token: str,
    instrument: Instrument,
    already_answered: bool,
    now: datetime,
    today: date,
) -> bool:
    """Send the phone's sheet of a tied session: every item of the round's instrument
    answered (don't know counts). Unless the phone `already_answered` the round by its own
    link (or the round has closed since), the sheet is first stored as a response of the
    round through the survey's submission path (tallies updated; its submission key makes a
    repeat store nothing twice), then marked sent, final from now. Returns True."""
    response = _tied_sheet(engine, session_id, phone_token, instrument, not already_answered, today)
    if response is not None:
        survey.submit(
            engine,
            response=response,
            instrument=instrument,
            mark_invitation=None,
            open_link=False,
            session_id="",
            seconds=None,
        )
    with db.write_session(engine) as session:
        sheet = _sheet(session, session_id, phone_token)
        if sheet.sent_at is None:
            sheet.sent_at = now
            store.save(session, row=sheet)
    return True


def withdraw_sheet(
    session: Session, *, session_id: int, phone_token: str, instrument: Instrument
) -> bool:
    """The phone takes its sent sheet's response out of the tied round (tallies updated, as
    any withdrawal); the sheet stays in the room's picture, which holds no one's answers
    apart. Returns whether a response was removed."""
    row = store.get_session(session, session_id=session_id)
    sheet = store.sheet(
        session, session_id=session_id, phone_key=credentials.hash_token(phone_token)
    )
    if row is None or row.round_id is None or sheet is None or sheet.id is None:
        return False
    if not sheet.in_round:
        return False
    key = live.submission_key(sheet.id)
    response = store.round_response(session, round_id=row.round_id, submission_key=key)
    if response is not None and response.id is not None:
        delete_response(session=session, response_id=response.id, instrument=instrument)
    sheet.in_round = False
    store.save(session, row=sheet)
    audit.record(
        session=session,
        actor="participant (live session)",
        action="live.withdraw",
        target=row.code,
    )
    return response is not None


def phone(session: Session, *, session_id: int, phone_token: str) -> Phone | None:
    """The phone's sheet as it resumes after a lost connection (None: it never joined)."""
    row = store.get_session(session, session_id=session_id)
    sheet = store.sheet(
        session, session_id=session_id, phone_key=credentials.hash_token(phone_token)
    )
    if row is None or sheet is None:
        return None
    stored = json.loads(sheet.answers)
    answers: dict[int, int] | dict[str, int] = (
        live.clean_answers(stored)
        if row.round_id is None
        else {str(k): v for k, v in stored.items() if isinstance(v, int)}
    )
    return Phone(
        session_id,
        answers,
        sheet.sent_at is not None,
        row.ended_at is not None,
        instrument=store.round_instrument(session, round_id=row.round_id),
        round_id=row.round_id,
        in_round=sheet.in_round,
    )


def phone_by_code(session: Session, *, code: str, phone_token: str) -> Phone | None:
    """The phone's sheet found from the code and token in its URL (None: no such sheet)."""
    cleaned = live.normalise_code(code)
    row = store.by_code(session, code=cleaned) if cleaned else None
    if row is None or row.id is None:
        return None
    return phone(session, session_id=row.id, phone_token=phone_token)


def _factor_sheets(
    answers: list[str], tied: bool, instrument: Instrument | None
) -> list[dict[int, float]]:
    """The published sheets as the picture takes them: factor -> answer, or for a tied
    session factor -> the phone's factor score from its item answers."""
    if not tied:
        return [
            {k: float(v) for k, v in live.clean_answers(json.loads(a)).items()} for a in answers
        ]
    if instrument is None:
        raise _problem("session", "error.live_instrument")
    return [
        live.factor_values(
            live.clean_item_answers(json.loads(a), instrument.item_by_id), instrument
        )
        for a in answers
    ]


def _publish(session: Session, row: LiveSession, instrument: Instrument | None) -> None:
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
    published = store.published_answers(session, session_id=row.id)
    sheets = _factor_sheets(published, row.round_id is not None, instrument)
    frame = live_metrics.picture(sheets, row.threshold)
    row.published = live_metrics.payload(frame, sheets=row.published_count).decode("utf-8")
    store.save(session, row=row)


def reveal(
    session: Session,
    *,
    actor: str,
    session_id: int,
    now: datetime,
    instrument: Instrument | None = None,
) -> LiveSession:
    """Show the room's picture: only with at least `threshold` sheets sent. A tied session
    needs its round's `instrument`."""
    row = _running(session, session_id, lock=True)
    if row.revealed_at is None:
        _, sent = store.counts(session, session_id=session_id)
        if hidden(sent, row.threshold):
            raise _problem("session", "error.live_too_few", threshold=row.threshold)
        row.revealed_at = now
        _publish(session, row, instrument)
        audit.record(session=session, actor=actor, action="live.reveal", target=row.code)
    return row


def publish_due(session: Session, *, session_id: int, instrument: Instrument | None = None) -> int:
    """The projector's tick: publish the steps that are due after a reveal; returns how many
    sheets the figures rest on. Nothing happens before the reveal or after the end."""
    row = store.get_session(session, session_id=session_id, lock=True)
    if row is None or row.revealed_at is None or row.ended_at is not None:
        return 0 if row is None else row.published_count
    _publish(session, row, instrument)
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
        instrument=store.round_instrument(session, round_id=row.round_id),
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


def forget_lead(session: Session, *, email: str, actor: str) -> int:
    """An erased account: the sessions it started no longer name it (started_by becomes
    ERASED_LEAD, as the erased person's other traces); returns how many."""
    rows = store.started_by(session, actor=email)
    for row in rows:
        row.started_by = ERASED_LEAD
        store.save(session, row=row)
    if rows:
        audit.record(session=session, actor=actor, action="live.forget_lead", sessions=len(rows))
    return len(rows)


def purge_preview(session: Session, *, before: datetime) -> tuple[int, int]:
    """(sessions, sheets) that the retention purge would delete: sessions started before
    `before`."""
    ids = store.started_before(session, moment=before)
    return len(ids), store.sheet_count(session, session_ids=ids) if ids else 0


def purge(session: Session, *, before: datetime) -> tuple[int, int]:
    """The retention setting for live sessions: sessions started before `before` go with
    their sheets and their pictures (a tied sheet's response is the round's, and follows the
    round's retention). Returns (sessions, sheets) deleted."""
    counts = purge_preview(session, before=before)
    store.delete_sessions(session, session_ids=store.started_before(session, moment=before))
    return counts
