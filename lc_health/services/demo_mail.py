"""The demo's e-mail: a handful of example addresses in one community, on the personal links of
its demo people, and an outbox as a lead would see it halfway through the running round (the
invitations and a first reminder sent, a second reminder waiting, one address opted out, one
refused). Built whole with the demo's own dates and keys, so the demo stays deterministic;
the demo never sends (see runtime.mail and services.mail_sender).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from lc_health.domain import mail_links
from lc_health.domain.credentials import hash_token
from lc_health.domain.demo_data import DEMO_MAIL
from lc_health.domain.mail import Kind, Notice, Status
from lc_health.store import demo as demo_store
from lc_health.store.models import MailRecipient, OutboxMessage

# After the round opens: addresses added, the first reminder sent, the second one waiting.
ADDED_BEFORE = timedelta(days=-5)
FIRST_REMINDER = timedelta(days=21)
SECOND_REMINDER = timedelta(days=49)
REFUSAL = "550 5.1.1 mailbox unavailable"


@dataclass(frozen=True)
class DemoPerson:
    """A demo person's personal link and when they answered the running round (or None)."""

    invitation_id: int
    answered_at: datetime | None


def _at(day: date, hour: int, seconds: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) + timedelta(seconds=seconds)


def _did(person: DemoPerson, reminded: datetime) -> str:
    if person.answered_at is None:
        return "silent"
    return "answered" if person.answered_at < reminded else "late"


def _assign(people: Sequence[DemoPerson], reminded: datetime) -> list[DemoPerson]:
    """A person for each demo address whose answers fit what the address says they did
    (another one when the demo's answers have none left of that kind)."""
    free = list(people)
    chosen = []
    for _address, _language, did in DEMO_MAIL:
        fits = [p for p in free if _did(p, reminded) == did] or free
        chosen.append(fits[0])
        free.remove(fits[0])
    return chosen


def _recipients(
    community_id: int, people: Sequence[DemoPerson], opens: date
) -> list[MailRecipient]:
    rows = []
    for (address, language, did), person in zip(DEMO_MAIL, people, strict=True):
        salt = hashlib.sha256(f"demo salt {address}".encode()).hexdigest()[:32]
        rows.append(
            MailRecipient(
                community_id=community_id,
                invitation_id=person.invitation_id,
                address="" if did == "opted_out" else address,
                address_hash=mail_links.address_key(mail_links.DEMO_SECRET, address),
                language=language,
                link_salt=salt,
                optout_hash=hash_token(mail_links.optout_token(mail_links.DEMO_SECRET, salt)),
                created_at=_at(opens + ADDED_BEFORE, 14),
                opted_out_at=_at(opens + timedelta(days=2), 20) if did == "opted_out" else None,
                bounced_at=_at(opens, 7, 30) if did == "refused" else None,
                last_error=REFUSAL if did == "refused" else "",
            )
        )
    return rows


def _message(
    kind: Kind,
    round_id: int,
    key: str,
    at: datetime,
    status: Status,
    *,
    recipient_id: int | None = None,
    user_id: int | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        kind=kind.value,
        round_id=round_id,
        recipient_id=recipient_id,
        user_id=user_id,
        notice=Notice.round_opened.value if kind == Kind.lead_notice else "",
        dedupe_key=key,
        status=status.value,
        attempts=0 if status == Status.pending else 1,
        next_attempt_at=at,
        message_key=hashlib.sha256(f"demo {key}".encode()).hexdigest()[:32],
        last_error=REFUSAL if status == Status.failed else "",
        created_at=at,
        sent_at=at + timedelta(seconds=5) if status == Status.sent else None,
    )


def _outbox(
    round_id: int, rows: Sequence[tuple[MailRecipient, DemoPerson]], opens: date, lead_id: int
) -> list[OutboxMessage]:
    """The lead's notice that the round opened, an invitation to every address (refused by
    one server), a first reminder sent and a second one waiting, each only to those who had
    not answered by then."""
    notice = f"lead:{Notice.round_opened.value}:{round_id}:{lead_id}"
    messages = [
        _message(Kind.lead_notice, round_id, notice, _at(opens, 6), Status.sent, user_id=lead_id)
    ]
    reminders = ((opens + FIRST_REMINDER, Status.sent), (opens + SECOND_REMINDER, Status.pending))
    for n, (recipient, person) in enumerate(rows):
        rid, refused = recipient.id, recipient.bounced_at is not None
        key = f"invitation:{round_id}:{rid}"
        status = Status.failed if refused else Status.sent
        messages.append(
            _message(Kind.invitation, round_id, key, _at(opens, 7, n), status, recipient_id=rid)
        )
        if refused or recipient.opted_out_at is not None:
            continue
        for day, status in reminders:
            if person.answered_at is not None and person.answered_at < _at(day, 7):
                continue
            key = f"reminder:{rid}:{day.isoformat()}"
            messages.append(
                _message(Kind.reminder, round_id, key, _at(day, 7, n), status, recipient_id=rid)
            )
    return messages


def add_demo_mail(
    session: Session,
    *,
    community_id: int,
    round_id: int,
    opens_on: date,
    people: Sequence[DemoPerson],
    lead_id: int,
) -> int:
    """The demo's addresses (on the links of these people of the community) and the running
    round's outbox; returns how many messages."""
    chosen = _assign(people, _at(opens_on + FIRST_REMINDER, 7))
    recipients = _recipients(community_id, chosen, opens_on)
    demo_store.add_rows(session, rows=recipients)
    messages = _outbox(round_id, list(zip(recipients, chosen, strict=True)), opens_on, lead_id)
    for recipient, message in ((r, m) for r in recipients for m in messages):
        if message.recipient_id == recipient.id and message.status == Status.sent.value:
            recipient.last_mailed_at = message.sent_at
    demo_store.add_rows(session, rows=[*recipients, *messages])
    return len(messages)
