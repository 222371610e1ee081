"""E-mail invitations, reminders and notices: the writes a page, the command line or a schedule
makes. Each decides who gets which message and writes it to the outbox (store.mail) in one
transaction with its audit event; the sender (services.mail_sender) delivers it later.

Idempotent by construction: every message has a dedupe key (one invitation per address and
round, one reminder per address and day, one notice per lead, round and kind, one "you said, we
did" per address and round), and enqueuing an existing key adds nothing.

Addresses are personal data: audit events count them, never name them, and nothing here logs
them or a token.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.domain import mail_links
from lc_health.domain.credentials import hash_token
from lc_health.domain.errors import Invalid, Problem, check
from lc_health.domain.i18n import LANGUAGES
from lc_health.domain.mail import MAX_ADDRESSES_AT_ONCE, Kind, Notice, parse_addresses
from lc_health.store import audit, db
from lc_health.store import communities as cstore
from lc_health.store import invitations as istore
from lc_health.store import mail as mail_store
from lc_health.store import publication as publication_store
from lc_health.store import rounds as round_store
from lc_health.store.models import MailRecipient, Role, Round, utcnow

SCHEDULE_ACTOR = "schedule"
# A wrong file can have thousands of bad lines: the first are named, the rest counted.
MAX_BAD_LINES_SHOWN = 50


@dataclass(frozen=True)
class Added:
    added: int
    skipped: int  # already there, or opted out before


def add_addresses(
    session: Session,
    *,
    community_id: int,
    text: str,
    default_language: str,
    secret: bytes | None,
    actor: str,
) -> Added:
    """Add the addresses in `text` (pasted, or a file's text) to a community, each with its own
    personal link. All or nothing: any bad line raises Invalid naming the bad lines (the first
    MAX_BAD_LINES_SHOWN, and how many more)."""
    community = cstore.known_community(session=session, community_id=community_id)
    parsed = parse_addresses(text)
    problems = [
        Problem("addresses", bad.code, {"line": bad.line, "text": bad.text})
        for bad in parsed.bad[:MAX_BAD_LINES_SHOWN]
    ]
    if len(parsed.bad) > MAX_BAD_LINES_SHOWN:
        more = len(parsed.bad) - MAX_BAD_LINES_SHOWN
        problems.append(Problem("addresses", "error.mail_more_bad", {"count": more}))
    if len(parsed.entries) > MAX_ADDRESSES_AT_ONCE:
        problems.append(Problem("addresses", "error.mail_too_many", {"max": MAX_ADDRESSES_AT_ONCE}))
    if secret is None:
        problems.append(Problem("addresses", "error.mail_no_secret"))
    check(problems)
    assert secret is not None
    fallback = default_language if default_language in LANGUAGES else "nl"
    known = mail_store.known_hashes(session, community_id=community_id)
    added = 0
    for entry in parsed.entries:
        key = mail_links.address_key(secret, entry.address)
        if key in known:
            continue
        known.add(key)
        salt = mail_links.new_salt()
        mail_store.add_recipient(
            session,
            community_id=community_id,
            address=entry.address,
            address_hash=key,
            language=entry.language or fallback,
            salt=salt,
            token_hash=hash_token(mail_links.link_token(secret, salt)),
            optout_hash=hash_token(mail_links.optout_token(secret, salt)),
        )
        added += 1
    skipped = len(parsed.entries) - added
    audit.record(
        session=session,
        actor=actor,
        action="mail.addresses_add",
        target=community.name,
        count=added,
        skipped=skipped,
    )
    return Added(added=added, skipped=skipped)


def delete_addresses(
    session: Session,
    *,
    community_id: int,
    recipient_ids: Iterable[int],
    actor: str,
    actor_role: Role,
) -> int:
    """Delete addresses of one community with every message to them, all or none; only an
    administrator may. Each address's personal link is revoked with it (answers given stay).

    Why only administrators, and why the link goes: a lead who could delete every address but
    one and then send reminders would learn from the count whether that one person responded
    (reminders go only to those who have not); and a deleted address added again would get a
    second valid link, so one person could answer twice."""
    if actor_role is not Role.admin:
        raise Invalid([Problem("addresses", "error.mail_delete_admin_only")])
    community = cstore.known_community(session=session, community_id=community_id)
    chosen = [int(i) for i in recipient_ids]
    mine = set(
        mail_store.community_recipient_ids(session, community_id=community_id, recipient_ids=chosen)
    )
    check(
        [
            Problem("addresses", "error.mail_unknown_address", {"id": i})
            for i in chosen
            if i not in mine
        ]
    )
    for invitation_id in mail_store.invitations_of(session, recipient_ids=mine):
        istore.revoke(session=session, invitation_id=invitation_id)
    count = mail_store.delete_recipients(session, recipient_ids=mine)
    audit.record(
        session=session,
        actor=actor,
        action="mail.addresses_delete",
        target=community.name,
        count=count,
    )
    return count


def erase_for_invitation(session: Session, *, invitation_id: int) -> int:
    """A privacy erasure of a personal link: its address goes with it (no audit of its own; the
    erasure is audited)."""
    found = mail_store.recipient_ids_for_invitation(session, invitation_id=invitation_id)
    return mail_store.delete_recipients(session, recipient_ids=found)


class OptOutOutcome(StrEnum):
    done = "done"
    already = "already"
    unknown = "unknown"


@dataclass(frozen=True)
class OptOut:
    outcome: OptOutOutcome
    community: str = ""


MAX_TOKEN_CHARS = 200


def optout_status(session: Session, *, token: str | None) -> OptOut:
    """What the opt-out link with this token would do (nothing is written)."""
    recipient = _by_optout_token(session, token)
    if recipient is None:
        return OptOut(OptOutOutcome.unknown)
    name = mail_store.community_name(session, community_id=recipient.community_id)
    if recipient.opted_out_at is not None:
        return OptOut(OptOutOutcome.already, name)
    return OptOut(OptOutOutcome.done, name)


def _by_optout_token(session: Session, token: str | None) -> MailRecipient | None:
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    return mail_store.by_optout_hash(session, optout_hash=hash_token(token))


def opt_out(session: Session, *, token: str | None, now: datetime | None = None) -> OptOut:
    """The recipient asks for no more mail (no account needed): the address is erased, only its
    keyed hash stays so it is not added again, and waiting messages are skipped."""
    recipient = _by_optout_token(session, token)
    if recipient is None:
        return OptOut(OptOutOutcome.unknown)
    name = mail_store.community_name(session, community_id=recipient.community_id)
    if recipient.opted_out_at is not None:
        return OptOut(OptOutOutcome.already, name)
    mail_store.opt_out(session, recipient=recipient, now=now or utcnow())
    audit.record(
        session=session, actor="participant (opt-out link)", action="mail.opt_out", target=name
    )
    return OptOut(OptOutOutcome.done, name)


def _round(session: Session, round_id: int) -> Round:
    rnd = round_store.get_round(session=session, round_id=round_id)
    if rnd is None:
        raise Invalid([Problem("round", "error.unknown_round", {"round_id": round_id})])
    return rnd


def _record(session: Session, rnd: Round, actor: str, action: str, count: int) -> None:
    name = mail_store.community_name(session, community_id=rnd.community_id)
    audit.record(
        session=session, actor=actor, action=action, target=f"{name} {rnd.period}", count=count
    )


def _enqueue(
    session: Session, rnd: Round, messages: list[mail_store.NewMessage], actor: str, action: str
) -> list[int]:
    added = mail_store.enqueue(session, messages=messages, now=utcnow())
    if added:
        _record(session, rnd, actor, action, len(added))
    return added


def enqueue_invitations(
    engine: Engine, *, round_id: int, today: date | None = None, actor: str = SCHEDULE_ACTOR
) -> int:
    """One invitation per mailable address of the round's community, for an open round; how
    many were added (0 for a round that is not open, and for addresses invited before)."""
    today = today or date.today()
    with db.write_session(engine) as session:
        rnd = _round(session, round_id)
        if round_store.state(rnd, today) != round_store.RoundState.open:
            return 0
        targets = mail_store.mailable_recipients(session, community_id=rnd.community_id)
        messages = [
            mail_store.NewMessage(Kind.invitation.value, round_id, f"invitation:{round_id}:{r}", r)
            for r in targets
        ]
        return len(_enqueue(session, rnd, messages, actor, "mail.invitations"))


def enqueue_reminders(
    engine: Engine, *, round_id: int, today: date, actor: str = SCHEDULE_ACTOR
) -> int:
    """A reminder to each address whose personal link has not responded in the open round and
    whose invitation was sent: at most one a day per address, never to opted-out or refused
    addresses; how many were added."""
    with db.write_session(engine) as session:
        rnd = _round(session, round_id)
        if round_store.state(rnd, today) != round_store.RoundState.open:
            return 0
        targets = mail_store.not_responded(
            session, round_id=round_id, community_id=rnd.community_id
        )
        day = today.isoformat()
        messages = [
            mail_store.NewMessage(Kind.reminder.value, round_id, f"reminder:{r}:{day}", r)
            for r in targets
        ]
        # No reminder date is kept per address (it would tell who has not responded); the
        # outbox alone knows which reminders went where, and is never shown with addresses.
        return len(_enqueue(session, rnd, messages, actor, "mail.reminders"))


def enqueue_lead_notice(
    engine: Engine, *, round_id: int, kind: str, actor: str = SCHEDULE_ACTOR
) -> int:
    """A notice to each lead of the round's community: `kind` is round_opened, round_closing
    (a week before it closes; the caller decides when) or round_published. Once per lead,
    round and kind; how many were added."""
    if kind not in set(Notice):
        raise Invalid([Problem("kind", "error.mail_unknown_notice", {"kind": kind})])
    notice = Notice(kind)
    with db.write_session(engine) as session:
        rnd = _round(session, round_id)
        users = mail_store.lead_user_ids(session, community_id=rnd.community_id)
        messages = [
            mail_store.NewMessage(
                Kind.lead_notice.value,
                round_id,
                f"lead:{notice.value}:{round_id}:{u}",
                user_id=u,
                notice=notice.value,
            )
            for u in users
        ]
        return len(_enqueue(session, rnd, messages, actor, f"mail.lead_{notice.value}"))


def enqueue_you_said(engine: Engine, *, round_id: int, actor: str = SCHEDULE_ACTOR) -> int:
    """After publication, a mail to every mailable address of the community linking to their
    "you said, we did" page (their survey link); once per address and round. 0 while the round
    is not published."""
    with db.write_session(engine) as session:
        rnd = _round(session, round_id)
        if publication_store.publication_of(session, round_id=round_id) is None:
            return 0
        targets = mail_store.mailable_recipients(session, community_id=rnd.community_id)
        messages = [
            mail_store.NewMessage(Kind.you_said.value, round_id, f"you_said:{round_id}:{r}", r)
            for r in targets
        ]
        return len(_enqueue(session, rnd, messages, actor, "mail.you_said"))


def retention_before(now: datetime, years: int) -> datetime | None:
    """Addresses last used before this moment are past retention; None when it is off."""
    if years <= 0:
        return None
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def purgeable_addresses(session: Session, *, now: datetime, years: int) -> int:
    before = retention_before(now, years)
    return 0 if before is None else mail_store.count_purgeable(session, before=before)


def purge_addresses(session: Session, *, now: datetime, years: int, actor: str) -> int:
    """The retention setting for addresses: delete those not added, mailed or opted out within
    `years` years, with their messages."""
    before = retention_before(now, years)
    if before is None:
        return 0
    count = mail_store.purge_before(session, before=before)
    if count:
        audit.record(
            session=session,
            actor=actor,
            action="mail.addresses_purge",
            target=f"last used before {before.date().isoformat()}",
            count=count,
        )
    return count
