"""Privacy (GDPR / AVG): what is stored about one link, withdrawal by the participant, export and
erasure by an administrator, and the retention setting.

Decisions (see also the privacy statement, lc_health/ui/account/privacy.py):

- Withdrawal and erasure remove every response of a personal link in every round, open or
  closed, through store.responses.delete_response, so each round's tallies stay equal to a
  from-scratch aggregation. Figures that were shown before (a closed round's picture that a
  group already discussed) may have included the answers; from now on they do not.
- Answers given through an open link carry no link to it (many people share one), so they
  cannot be found, withdrawn or exported per person.
- Responses are found by the link (invitation_id) and by its pseudonymous respondent key, so a
  paper or imported response linked to the same key goes too.
- Retention: for rounds that closed (closes_on) more than N years ago, the raw answers, force
  marks and comments are deleted, together with the response rows themselves (their profile
  fields are raw data too). The tallies are kept exactly as they were and the round is marked
  RoundTally.raw_purged. Because no response row survives, a later withdrawal cannot subtract
  anything from a purged round's tallies: those only hold sums that no longer identify anyone.
- Live sessions (services.live) started more than N years ago go with their sheets and
  pictures: nothing of them is kept. A tied session's sheet stored as a round's response is a
  response like any other (source "live", no link to a person): it follows its round's
  retention; the phone that sent it can take it out of the round (services.live.withdraw_sheet).
- Drafts (a personal link's answers not yet sent, services.drafts) go with the link's
  responses on withdrawal and erasure, and are part of the export.
- Tokens are never logged or stored: only their SHA-256 hash is compared, and audit events name
  the community and the link's number, never the token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlmodel import Session

from lc_health.domain.credentials import hash_token
from lc_health.domain.instrument import Instrument
from lc_health.services import live as live_service
from lc_health.services import mail as mail_service
from lc_health.store import audit, ids
from lc_health.store import drafts as draft_store
from lc_health.store import privacy as privacy_store
from lc_health.store.models import Invitation, utcnow
from lc_health.store.responses import (
    delete_response,
    stored_answers,
    stored_comment,
    stored_forces,
)
from lc_health.store.rounds import RoundState, state

# The query parameter that carries the token in a survey link (see invitations.link_url).
TOKEN_PARAM = "t"
# Longer input cannot be one of our tokens (43 characters); it is not even hashed.
MAX_TOKEN_CHARS = 200
EXPORT_FORMAT = "lc-health export 1"
PARTICIPANT_ACTOR = "participant (personal link)"

InstrumentFor = Callable[[str, int], Instrument]
"""(instrument id, version) -> Instrument; pass the app's `registry.get`."""


class LinkKind(StrEnum):
    personal = "personal"
    open = "open"


class Outcome(StrEnum):
    done = "done"
    unknown = "unknown"  # no such link (or not a token at all)
    not_personal = "not_personal"  # an open link: answers through it are not linked to it
    revoked = "revoked"  # a withdrawn link cannot withdraw; an administrator can erase


class UnknownLink(LookupError):
    """No link has this token."""


@dataclass(frozen=True)
class Stored:
    """What is stored with one link, for screens (no answers, no comment text)."""

    invitation_id: int
    community: str
    kind: LinkKind
    revoked: bool
    responses: int
    comments: int
    periods: tuple[str, ...]


@dataclass(frozen=True)
class Removed:
    """The result of a withdrawal or an erasure."""

    outcome: Outcome
    responses: int = 0
    periods: tuple[str, ...] = ()
    # Rounds that were already closed: figures shown earlier may have included these answers.
    closed_periods: tuple[str, ...] = ()


@dataclass(frozen=True)
class PurgeCounts:
    """What a retention purge deleted."""

    rounds: int = 0
    responses: int = 0
    answers: int = 0
    force_marks: int = 0
    comments: int = 0
    # E-mail addresses not added, mailed or opted out within the retention period.
    mail_addresses: int = 0
    # Live sessions started before the cutoff, and their phones' sheets.
    live_sessions: int = 0
    live_sheets: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def token_from_text(text: str) -> str | None:
    """The token in a pasted survey link (its `t` parameter), or the pasted token itself."""
    text = text.strip()
    if not text:
        return None
    if "?" in text or "://" in text:
        values = parse_qs(urlsplit(text).query).get(TOKEN_PARAM)
        text = values[0].strip() if values else ""
    if not text or len(text) > MAX_TOKEN_CHARS or any(c.isspace() for c in text):
        return None
    return text


def find_invitation(*, session: Session, token: str | None) -> Invitation | None:
    """The link a token belongs to; only the token's hash is compared."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return privacy_store.invitation_by_hash(session, token_hash=hash_token(token))


def stored(*, session: Session, token: str | None) -> Stored | None:
    """A summary of what is stored with a link, or None for an unknown token."""
    invitation = find_invitation(session=session, token=token)
    if invitation is None or invitation.id is None:
        return None
    rows = privacy_store.linked_responses(session, invitation=invitation)
    response_ids = ids(resp.id for resp, _ in rows if resp.id is not None)
    comments = privacy_store.comment_count(session, response_ids=response_ids)
    return Stored(
        invitation_id=invitation.id,
        community=privacy_store.community_name(session, community_id=invitation.community_id),
        kind=LinkKind.open if invitation.round_id is not None else LinkKind.personal,
        revoked=invitation.revoked_at is not None,
        responses=len(rows),
        comments=comments,
        periods=tuple(rnd.period for _, rnd in rows),
    )


def _remove_all(
    session: Session, invitation: Invitation, instrument_for: InstrumentFor, today: date
) -> Removed:
    assert invitation.id is not None
    draft_store.delete_link_drafts(session, invitation_id=invitation.id)
    rows = privacy_store.linked_responses(session, invitation=invitation, lock=True)
    for resp, rnd in rows:
        assert resp.id is not None
        # The response's own instrument version is the one its tally share was computed with.
        instrument = instrument_for(rnd.instrument_id, resp.instrument_version)
        delete_response(session=session, response_id=resp.id, instrument=instrument)
    return Removed(
        Outcome.done,
        responses=len(rows),
        periods=tuple(rnd.period for _, rnd in rows),
        closed_periods=tuple(
            rnd.period for _, rnd in rows if state(rnd, today) == RoundState.closed
        ),
    )


def withdraw(
    *, session: Session, token: str, today: date, instrument_for: InstrumentFor
) -> Removed:
    """A participant withdraws every answer given with their personal link, in every round.

    The link keeps working, so they can answer again while a round is open. Open links and
    revoked links cannot withdraw (an administrator can erase instead).
    """
    invitation = find_invitation(session=session, token=token)
    if invitation is None:
        return Removed(Outcome.unknown)
    if invitation.round_id is not None:
        return Removed(Outcome.not_personal)
    if invitation.revoked_at is not None:
        return Removed(Outcome.revoked)
    removed = _remove_all(session, invitation, instrument_for, today)
    if removed.responses:
        audit.record(
            session=session,
            actor=PARTICIPANT_ACTOR,
            action="privacy.withdraw",
            target=privacy_store.community_name(session, community_id=invitation.community_id),
            responses=removed.responses,
        )
    return removed


def erase_token(
    *,
    session: Session,
    token: str,
    actor: str,
    instrument_for: InstrumentFor,
    today: date | None = None,
) -> Removed:
    """An administrator erases one respondent: every response of the personal link (tallies
    updated), and the link itself is revoked, its respondent key replaced, its label and
    last use cleared. The token's hash stays, so the old link says "withdrawn" rather than
    nothing; it cannot be turned back into the token."""
    invitation = find_invitation(session=session, token=token)
    if invitation is None or invitation.id is None:
        return Removed(Outcome.unknown)
    if invitation.round_id is not None:
        return Removed(Outcome.not_personal)
    removed = _remove_all(session, invitation, instrument_for, today or date.today())
    privacy_store.forget_link(session, invitation=invitation)
    # The link's e-mail address, if it had one, goes too.
    mail_service.erase_for_invitation(session, invitation_id=invitation.id)
    audit.record(
        session=session,
        actor=actor,
        action="privacy.erase",
        target=privacy_store.community_name(session, community_id=invitation.community_id),
        link=invitation.id,
        responses=removed.responses,
    )
    return removed


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_token(*, session: Session, token: str) -> dict[str, Any]:
    """Everything stored about one link, as a JSON-serialisable dict (never the token's hash).

    Raises UnknownLink for a token no link has.
    """
    invitation = find_invitation(session=session, token=token)
    if invitation is None or invitation.id is None:
        raise UnknownLink("no link has this token")
    link_round = privacy_store.get_round(session, round_id=invitation.round_id)
    responses: list[dict[str, Any]] = []
    for resp, rnd in privacy_store.linked_responses(session, invitation=invitation):
        assert resp.id is not None
        organisation = privacy_store.get_organisation(session, organisation_id=resp.organisation_id)
        forces = stored_forces(session=session, response_id=resp.id)
        tally = privacy_store.round_tally(session, round_id=rnd.id)
        responses.append(
            {
                "response_id": resp.id,
                "round": {
                    "id": rnd.id,
                    "period": rnd.period,
                    "opens_on": _iso(rnd.opens_on),
                    "closes_on": _iso(rnd.closes_on),
                    "raw_answers_purged": bool(tally and tally.raw_purged),
                },
                "submitted_at": _iso(resp.submitted_at),
                "updated_at": _iso(resp.updated_at),
                "source": resp.source,
                "import_batch_id": resp.import_batch_id,
                "submission_key": resp.submission_key,
                "language": resp.language,
                "role": resp.role,
                "organisation": (
                    {"id": organisation.id, "name": organisation.name} if organisation else None
                ),
                "organisation_type": resp.organisation_type,
                "instrument": {"id": rnd.instrument_id, "version": resp.instrument_version},
                "answers": dict(
                    sorted(stored_answers(session=session, response_id=resp.id).items())
                ),
                "answered_forces": resp.answered_forces,
                "forces": sorted(forces) if forces is not None else None,
                "comment": stored_comment(session=session, response_id=resp.id),
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(utcnow()),
        "notes": (
            "Answers are 1-5; null means 'don't know / not applicable'. No name or email address "
            "is stored with answers, and the link's code is stored only as a one-way hash. "
            "Answers given through an open (shared) link are not linked to that link."
        ),
        "link": {
            "id": invitation.id,
            "community": {
                "id": invitation.community_id,
                "name": privacy_store.community_name(session, community_id=invitation.community_id),
            },
            "kind": (LinkKind.open if invitation.round_id is not None else LinkKind.personal).value,
            "round": link_round.period if link_round else None,
            "label": invitation.label,
            "respondent_key": invitation.respondent_key,
            "created_at": _iso(invitation.created_at),
            "revoked_at": _iso(invitation.revoked_at),
            "last_used_at": _iso(invitation.last_used_at),
        },
        "responses": responses,
        # Answers not yet sent in an open round (deleted when sent or when the round closes).
        "drafts": [
            {
                "round_id": draft.round_id,
                "step": draft.step,
                "language": draft.language,
                "updated_at": _iso(draft.updated_at),
                "answers": json.loads(draft.payload),
            }
            for draft in draft_store.link_drafts(session, invitation_id=invitation.id)
        ],
    }


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def retention_cutoff(now: datetime | date, years: int) -> date | None:
    """Rounds that closed before this day are past retention; None when retention is off."""
    if years <= 0:
        return None
    today = now.date() if isinstance(now, datetime) else now
    return years_before(today, years)


def _moment(now: datetime | date) -> datetime:
    return now if isinstance(now, datetime) else datetime.combine(now, time(), UTC)


def purge_preview(*, session: Session, now: datetime | date, years: int) -> PurgeCounts:
    """What purge_expired would delete now (it deletes nothing)."""
    cutoff = retention_cutoff(now, years)
    if cutoff is None:
        return PurgeCounts()
    addresses = mail_service.purgeable_addresses(session, now=_moment(now), years=years)
    sessions, sheets = live_service.purge_preview(session, before=_moment(cutoff))
    kept = {"mail_addresses": addresses, "live_sessions": sessions, "live_sheets": sheets}
    round_ids = privacy_store.expired_rounds(session, cutoff=cutoff)
    if not round_ids:
        return PurgeCounts(**kept)
    counts = privacy_store.purge_counts(session, round_ids=round_ids)
    return PurgeCounts(**counts, **kept)


def purge_expired(
    *, session: Session, now: datetime | date, years: int, actor: str = "retention"
) -> PurgeCounts:
    """The retention setting: delete the raw answers, force marks, comments and response rows
    of rounds that closed more than `years` years ago, keep their tallies exactly as they are
    and mark them raw_purged; delete live sessions started before then, with their sheets.
    `years` 0 does nothing. Running it again deletes nothing more."""
    cutoff = retention_cutoff(now, years)
    if cutoff is None:
        return PurgeCounts()
    counts = purge_preview(session=session, now=now, years=years)
    if counts == PurgeCounts():
        return counts
    # Audited on its own (mail.addresses_purge).
    mail_service.purge_addresses(session, now=_moment(now), years=years, actor=actor)
    live_service.purge(session, before=_moment(cutoff))
    if counts.live_sessions:
        audit.record(
            session=session,
            actor=actor,
            action="live.purge",
            target=f"started before {cutoff.isoformat()}",
            sessions=counts.live_sessions,
            sheets=counts.live_sheets,
        )
    only_others = PurgeCounts(
        mail_addresses=counts.mail_addresses,
        live_sessions=counts.live_sessions,
        live_sheets=counts.live_sheets,
    )
    if counts == only_others:
        return counts
    round_ids = privacy_store.expired_rounds(session, cutoff=cutoff)
    privacy_store.purge_rounds(session, round_ids=round_ids)
    detail = counts.as_dict()
    for other in ("mail_addresses", "live_sessions", "live_sheets"):
        detail.pop(other)
    audit.record(
        session=session,
        actor=actor,
        action="privacy.purge",
        target=f"closed before {cutoff.isoformat()}",
        **detail,
    )
    return counts
