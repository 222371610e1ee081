"""Writes on rounds: planning, opening now, closing now and reopening.

`close_round` is the one way a round is closed by hand, so that whatever has to happen when a
round closes happens for the page and the command line alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session

from lc_health.domain.disclosure import Policy
from lc_health.domain.errors import Invalid, Problem, check
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.periods import Period
from lc_health.services.publication import instrument_for
from lc_health.store import audit, db
from lc_health.store import communities as cstore
from lc_health.store import publication as publication_store
from lc_health.store import rounds as round_store
from lc_health.store.models import Round


def plan_rounds(
    *,
    session: Session,
    community_ids: Iterable[int],
    period: str,
    opens_on: date | None,
    closes_on: date | None,
    instrument: Instrument,
    actor: str,
) -> list[Round]:
    """The same round for every community, all or none (raises Invalid; problems carry the
    community id in their params)."""
    made = round_store.plan_for_all(
        session=session,
        community_ids=community_ids,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
    )
    audit.record(
        session=session,
        actor=actor,
        action="round.plan",
        target=period.strip().upper(),
        communities=len(made),
        opens_on=opens_on,
        closes_on=closes_on,
    )
    return made


def open_round(
    *, session: Session, community_id: int, period: str, instrument: Instrument, actor: str
) -> Round:
    """Plan one community's round for a period ('2026-Q3') from the period's first to its last
    day. Raises Invalid for an unknown or archived community, a malformed period, or a round
    that takes the period or overlaps those dates."""
    community = cstore.get_community(session=session, community_id=community_id)
    if community is None:
        check([Problem("community", "error.unknown_community", {"community_id": community_id})])
    assert community is not None
    if community.archived_at is not None:
        check([Problem("community", "error.community_archived", {"community": community.name})])
    try:
        quarter = Period.parse(period)
    except ValueError:
        raise Invalid([Problem("period", "error.period_format")]) from None
    [made] = plan_rounds(
        session=session,
        community_ids=[community_id],
        period=str(quarter),
        opens_on=quarter.first_day,
        closes_on=quarter.last_day,
        instrument=instrument,
        actor=actor,
    )
    return made


def _round(session: Session, round_id: int) -> tuple[Round, str]:
    """The round and the audit target naming it ('<community> <period>'); Invalid if unknown."""
    rnd = round_store.get_round(session=session, round_id=round_id)
    if rnd is None:
        raise Invalid([Problem("round", "error.unknown_round", {"round_id": round_id})])
    community = cstore.get_community(session=session, community_id=rnd.community_id)
    name = community.name if community is not None else str(rnd.community_id)
    return rnd, f"{name} {rnd.period}"


def close_round(
    *, session: Session, round_id: int, actor: str, registry: Registry, policy: Policy
) -> Round:
    """Stop accepting answers now and publish the round's figures (raises Invalid for an unknown
    round). Closing a round that is already closed is allowed and recorded again; a reopened
    round is published anew only with enough new responses (store.publication)."""
    _, target = _round(session, round_id)
    rnd = round_store.close_now(session=session, round_id=round_id)
    audit.record(session=session, actor=actor, action="round.close", target=target)
    db.flush(session)
    outcome = publication_store.publish(
        session,
        round_id=round_id,
        instrument_for=instrument_for(registry),
        policy=policy,
        today=date.today(),
    )
    if outcome.status == "kept":
        audit.record(
            session=session,
            actor=actor,
            action="round.kept",
            target=target,
            new_responses=outcome.new_counted,
        )
    else:
        audit.record(session=session, actor=actor, action=f"round.{outcome.status}", target=target)
    return rnd


def open_round_now(*, session: Session, round_id: int, today: date, actor: str) -> Round:
    """Accept answers from today (raises Invalid when the closing date has passed)."""
    _, target = _round(session, round_id)
    rnd = round_store.open_now(session=session, round_id=round_id, today=today)
    audit.record(session=session, actor=actor, action="round.open", target=target)
    return rnd


def reopen_round(
    *, session: Session, round_id: int, today: date, closes_on: date | None, actor: str
) -> Round:
    """Accept answers again, until closes_on when given (see store.rounds.reopen)."""
    _, target = _round(session, round_id)
    rnd = round_store.reopen(session=session, round_id=round_id, today=today, closes_on=closes_on)
    audit.record(session=session, actor=actor, action="round.reopen", target=target)
    return rnd


MAX_EXPECTED = 100_000


def set_expected_headcount(
    *, session: Session, round_id: int, expected: int | None, actor: str
) -> Round:
    """How many people are expected to answer through the round's open link (None: unknown).
    An open-link round has a response rate only with it; fixed at publication."""
    rnd, target = _round(session, round_id)
    if expected is not None and not 1 <= expected <= MAX_EXPECTED:
        check([Problem("expected_headcount", "error.expected_headcount", {"max": MAX_EXPECTED})])
    rnd.expected_headcount = expected
    round_store.save_round(session=session, rnd=rnd)
    audit.record(
        session=session,
        actor=actor,
        action="round.expected_headcount",
        target=target,
        expected=expected,
    )
    return rnd
