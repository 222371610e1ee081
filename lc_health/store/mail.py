"""E-mail addresses and the outbox. Addresses live in their own table (MailRecipient) and are
read only here, never together with anything a response holds; the one query that looks at
responses (who has not responded, for reminders) returns recipient ids, nothing else.

The outbox is claimed with a conditional UPDATE (on PostgreSQL after SELECT ... FOR UPDATE SKIP
LOCKED), so two senders never take the same message; a claim is a lease that runs out, so a
sender that dies leaves its messages to the next one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import and_, delete, exists, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from lc_health.domain.mail import Status
from lc_health.store import ids
from lc_health.store.models import (
    Community,
    Invitation,
    MailRecipient,
    OutboxMessage,
    Response,
    Round,
    User,
    UserCommunity,
)
from lc_health.store.responses import new_respondent_key

ERROR_CHARS = 300


def add_recipient(
    session: Session,
    *,
    community_id: int,
    address: str,
    address_hash: str,
    language: str,
    salt: str,
    token_hash: str,
    optout_hash: str,
) -> MailRecipient:
    """A new address with its own personal link (whose token the caller derived)."""
    invitation = Invitation(
        community_id=community_id,
        token_hash=token_hash,
        respondent_key=new_respondent_key(),
        label="e-mail",
    )
    session.add(invitation)
    session.flush()
    assert invitation.id is not None
    row = MailRecipient(
        community_id=community_id,
        invitation_id=invitation.id,
        address=address,
        address_hash=address_hash,
        language=language,
        link_salt=salt,
        optout_hash=optout_hash,
    )
    session.add(row)
    session.flush()
    return row


def known_hashes(session: Session, *, community_id: int) -> set[str]:
    """The address hashes a community has (opted-out addresses included)."""
    stmt = select(MailRecipient.address_hash).where(col(MailRecipient.community_id) == community_id)
    return set(session.exec(stmt).all())


def recipients_frame(session: Session, *, community_id: int) -> pd.DataFrame:
    """Columns: recipient_id, link (the invitation's number), address, language, state
    (active, opted_out, bounced), added. Never anything about responses, nor anything that
    implies them (reminders go only to those who have not responded, so no reminder date)."""
    rows = session.exec(
        select(MailRecipient)
        .where(col(MailRecipient.community_id) == community_id)
        .order_by(col(MailRecipient.id))
    ).all()
    return pd.DataFrame(
        [
            (
                r.id,
                r.invitation_id,
                r.address,
                r.language,
                "opted_out" if r.opted_out_at else "bounced" if r.bounced_at else "active",
                r.created_at,
            )
            for r in rows
        ],
        columns=[
            "recipient_id",
            "link",
            "address",
            "language",
            "state",
            "added",
        ],
    )


def community_recipient_ids(
    session: Session, *, community_id: int, recipient_ids: Iterable[int]
) -> list[int]:
    """Those of these recipients that belong to the community."""
    wanted = ids(recipient_ids)
    if not wanted:
        return []
    stmt = select(MailRecipient.id).where(
        col(MailRecipient.community_id) == community_id, col(MailRecipient.id).in_(wanted)
    )
    return ids(i for i in session.exec(stmt).all() if i is not None)


def delete_recipients(session: Session, *, recipient_ids: Iterable[int]) -> int:
    """Delete these addresses and every message to them (sent ones included)."""
    chosen = ids(recipient_ids)
    if not chosen:
        return 0
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.recipient_id).in_(chosen)))
    result = session.execute(delete(MailRecipient).where(col(MailRecipient.id).in_(chosen)))
    return int(getattr(result, "rowcount", 0) or 0)


def invitations_of(session: Session, *, recipient_ids: Iterable[int]) -> list[int]:
    """The personal links of these addresses."""
    chosen = ids(recipient_ids)
    if not chosen:
        return []
    stmt = select(MailRecipient.invitation_id).where(col(MailRecipient.id).in_(chosen))
    return ids(session.exec(stmt).all())


def recipient_ids_for_invitation(session: Session, *, invitation_id: int) -> list[int]:
    stmt = select(MailRecipient.id).where(col(MailRecipient.invitation_id) == invitation_id)
    return ids(i for i in session.exec(stmt).all() if i is not None)


def by_optout_hash(session: Session, *, optout_hash: str) -> MailRecipient | None:
    stmt = select(MailRecipient).where(col(MailRecipient.optout_hash) == optout_hash)
    return session.exec(stmt).first()


def community_name(session: Session, *, community_id: int) -> str:
    community = session.get(Community, community_id)
    return community.name if community else ""


def opt_out(session: Session, *, recipient: MailRecipient, now: datetime) -> None:
    """No more mail: the address is erased (its keyed hash stays), waiting messages skipped."""
    recipient.opted_out_at = recipient.opted_out_at or now
    recipient.address = ""
    session.add(recipient)
    _skip_waiting(session, recipient_ids=[recipient.id], reason="opted out")


def _skip_waiting(session: Session, *, recipient_ids: Sequence[int | None], reason: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.recipient_id).in_([i for i in recipient_ids if i is not None]),
            col(OutboxMessage.status) == Status.pending.value,
        )
        .values(status=Status.skipped.value, last_error=reason)
    )


def mark_bounced(session: Session, *, recipient_id: int, now: datetime, error: str) -> None:
    session.execute(
        update(MailRecipient)
        .where(col(MailRecipient.id) == recipient_id)
        .values(bounced_at=now, last_error=error[:ERROR_CHARS])
    )
    _skip_waiting(session, recipient_ids=[recipient_id], reason="address refused")


def purge_before(session: Session, *, before: datetime) -> int:
    """Delete addresses whose last use (added, mailed or opted out) is before `before`."""
    last_use = func.coalesce(
        col(MailRecipient.last_mailed_at),
        col(MailRecipient.opted_out_at),
        col(MailRecipient.created_at),
    )
    old = ids(i for i in session.exec(select(MailRecipient.id).where(last_use < before)).all() if i)
    return delete_recipients(session, recipient_ids=old)


def count_purgeable(session: Session, *, before: datetime) -> int:
    last_use = func.coalesce(
        col(MailRecipient.last_mailed_at),
        col(MailRecipient.opted_out_at),
        col(MailRecipient.created_at),
    )
    stmt = sa_select(func.count()).select_from(MailRecipient).where(last_use < before)
    return int(session.execute(stmt).scalar_one())


# Who gets which message


def _mailable() -> Any:
    return and_(
        col(MailRecipient.address) != "",
        col(MailRecipient.opted_out_at).is_(None),
        col(MailRecipient.bounced_at).is_(None),
        col(Invitation.revoked_at).is_(None),
    )


def mailable_recipients(session: Session, *, community_id: int) -> list[int]:
    """The community's addresses that may get mail: not opted out, not refused, link valid."""
    stmt = (
        select(MailRecipient.id)
        .join(Invitation, col(Invitation.id) == col(MailRecipient.invitation_id))
        .where(col(MailRecipient.community_id) == community_id, _mailable())
    )
    return ids(i for i in session.exec(stmt).all() if i is not None)


def _has_responded(round_id: int) -> Any:
    return exists().where(
        col(Response.round_id) == round_id,
        col(Response.invitation_id) == col(MailRecipient.invitation_id),
    )


def not_responded(session: Session, *, round_id: int, community_id: int) -> list[int]:
    """Mailable addresses whose link has no response in the round and whose invitation to it
    was sent (ids only: which addresses answered is never read out of here)."""
    invited = exists().where(
        col(OutboxMessage.recipient_id) == col(MailRecipient.id),
        col(OutboxMessage.round_id) == round_id,
        col(OutboxMessage.kind) == "invitation",
        col(OutboxMessage.status) == Status.sent.value,
    )
    stmt = (
        select(MailRecipient.id)
        .join(Invitation, col(Invitation.id) == col(MailRecipient.invitation_id))
        .where(
            col(MailRecipient.community_id) == community_id,
            _mailable(),
            invited,
            ~_has_responded(round_id),
        )
    )
    return ids(i for i in session.exec(stmt).all() if i is not None)


def has_responded(session: Session, *, round_id: int, recipient_id: int) -> bool:
    stmt = sa_select(
        exists().where(
            col(MailRecipient.id) == recipient_id,
            col(Response.round_id) == round_id,
            col(Response.invitation_id) == col(MailRecipient.invitation_id),
        )
    )
    return bool(session.execute(stmt).scalar_one())


def lead_user_ids(session: Session, *, community_id: int) -> list[int]:
    """Active lead accounts responsible for the community."""
    stmt = (
        select(User.id)
        .join(UserCommunity, col(UserCommunity.user_id) == col(User.id))
        .where(
            col(UserCommunity.community_id) == community_id,
            col(User.active).is_(True),
            col(User.role) == "lead",
        )
    )
    return ids(i for i in session.exec(stmt).all() if i is not None)


# The outbox


@dataclass(frozen=True)
class NewMessage:
    kind: str
    round_id: int
    dedupe_key: str
    recipient_id: int | None = None
    user_id: int | None = None
    notice: str = ""


def enqueue(session: Session, *, messages: Sequence[NewMessage], now: datetime) -> list[int]:
    """Add messages whose dedupe key is new; the recipient ids (or user ids) of those added."""
    added: list[int] = []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for message in messages:
        stmt = (
            insert(OutboxMessage)
            .values(
                kind=message.kind,
                round_id=message.round_id,
                recipient_id=message.recipient_id,
                user_id=message.user_id,
                notice=message.notice,
                dedupe_key=message.dedupe_key,
                status=Status.pending.value,
                attempts=0,
                next_attempt_at=now,
                lease_owner="",
                message_key=uuid.uuid4().hex,
                last_error="",
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(col(OutboxMessage.id))
        )
        if session.execute(stmt).first() is not None:
            target = message.recipient_id if message.recipient_id is not None else message.user_id
            added.append(int(target or 0))
    return added


def _claimable(now: datetime) -> Any:
    return or_(
        and_(
            col(OutboxMessage.status) == Status.pending.value,
            col(OutboxMessage.next_attempt_at) <= now,
        ),
        and_(
            col(OutboxMessage.status) == Status.sending.value,
            col(OutboxMessage.lease_until) < now,
        ),
    )


def claim(
    session: Session, *, now: datetime, lease_until: datetime, owner: str, limit: int
) -> list[int]:
    """Lease up to `limit` due messages to `owner` (oldest first); their ids. Messages whose
    lease ran out (a sender that died) are due again."""
    pick = (
        select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    chosen = ids(i for i in session.exec(pick).all() if i is not None)
    if not chosen:
        return []
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(chosen), _claimable(now))
        .values(
            status=Status.sending.value,
            lease_until=lease_until,
            lease_owner=owner,
            attempts=OutboxMessage.attempts + 1,
        )
    )
    stmt = select(OutboxMessage.id).where(
        col(OutboxMessage.id).in_(chosen), col(OutboxMessage.lease_owner) == owner
    )
    return ids(i for i in session.exec(stmt).all() if i is not None)


@dataclass(frozen=True)
class Outgoing:
    """Everything a message is put together from at send time."""

    message: OutboxMessage
    round: Round
    community: Community
    recipient: MailRecipient | None
    invitation: Invitation | None
    user: User | None


def outgoing(session: Session, *, message_id: int) -> Outgoing | None:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return None
    rnd = session.get(Round, message.round_id)
    community = session.get(Community, rnd.community_id) if rnd else None
    if rnd is None or community is None:
        return None
    recipient = session.get(MailRecipient, message.recipient_id) if message.recipient_id else None
    invitation = session.get(Invitation, recipient.invitation_id) if recipient else None
    user = session.get(User, message.user_id) if message.user_id else None
    return Outgoing(message, rnd, community, recipient, invitation, user)


def _held(message_id: int, owner: str) -> Any:
    return and_(
        col(OutboxMessage.id) == message_id,
        col(OutboxMessage.lease_owner) == owner,
        col(OutboxMessage.status) == Status.sending.value,
    )


def finish(
    session: Session,
    *,
    message_id: int,
    owner: str,
    status: Status,
    now: datetime,
    error: str = "",
) -> bool:
    """Close a leased message as sent, failed or skipped; False when the lease was lost."""
    values: dict[str, Any] = {"status": status.value, "lease_until": None, "last_error": error}
    if status == Status.sent:
        values["sent_at"] = now
    result = session.execute(update(OutboxMessage).where(_held(message_id, owner)).values(values))
    done = bool(getattr(result, "rowcount", 0))
    if done and status == Status.sent:
        message = session.get(OutboxMessage, message_id)
        if message is not None and message.recipient_id is not None:
            session.execute(
                update(MailRecipient)
                .where(col(MailRecipient.id) == message.recipient_id)
                .values(last_mailed_at=now)
            )
    return done


def retry_later(session: Session, *, message_id: int, owner: str, at: datetime, error: str) -> bool:
    """Give a leased message back, due again at `at`."""
    result = session.execute(
        update(OutboxMessage)
        .where(_held(message_id, owner))
        .values(
            status=Status.pending.value,
            lease_until=None,
            next_attempt_at=at,
            last_error=error[:ERROR_CHARS],
        )
    )
    return bool(getattr(result, "rowcount", 0))


def extend(session: Session, *, owner: str, until: datetime) -> int:
    """Renew the lease on every message this owner still holds (before each send, so a batch
    that takes long keeps its lease, and a sender that died lets go soon)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.lease_owner) == owner,
            col(OutboxMessage.status) == Status.sending.value,
        )
        .values(lease_until=until)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def release(session: Session, *, owner: str) -> int:
    """Give back every message this owner still holds (a sender stopping early)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.lease_owner) == owner,
            col(OutboxMessage.status) == Status.sending.value,
        )
        .values(status=Status.pending.value, lease_until=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def next_due(session: Session) -> datetime | None:
    """When the next waiting message is due."""
    stmt = sa_select(func.min(col(OutboxMessage.next_attempt_at))).where(
        col(OutboxMessage.status) == Status.pending.value
    )
    value: datetime | None = session.execute(stmt).scalar_one()
    return value


def status_counts(session: Session, *, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """Columns: kind, status, count (of the communities' rounds; None: all)."""
    stmt = (
        sa_select(col(OutboxMessage.kind), col(OutboxMessage.status), func.count())
        .join(Round, col(Round.id) == col(OutboxMessage.round_id))
        .group_by(col(OutboxMessage.kind), col(OutboxMessage.status))
        .order_by(col(OutboxMessage.kind), col(OutboxMessage.status))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["kind", "status", "count"])


def recent_messages(session: Session, *, community_id: int, limit: int = 50) -> pd.DataFrame:
    """Columns: kind, period, status, attempts, created_at, sent_at, last_error; newest first.
    No address, no body."""
    stmt = (
        sa_select(
            col(OutboxMessage.kind),
            col(Round.period),
            col(OutboxMessage.status),
            col(OutboxMessage.attempts),
            col(OutboxMessage.created_at),
            col(OutboxMessage.sent_at),
            col(OutboxMessage.last_error),
        )
        .join(Round, col(Round.id) == col(OutboxMessage.round_id))
        .where(col(Round.community_id) == community_id)
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    return pd.DataFrame(
        [tuple(r) for r in rows],
        columns=["kind", "period", "status", "attempts", "created_at", "sent_at", "last_error"],
    )
