"""Survey links. A personal link belongs to a community and works in each of its rounds, so a
participant's waves can be linked without knowing who they are; an open link belongs to one
round. The token is shown once, when the link is made; the database keeps only its hash."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from lc_health.domain.credentials import hash_token, new_token
from lc_health.domain.errors import Problem, check
from lc_health.store.models import Community, Invitation, Response, Round, utcnow
from lc_health.store.responses import new_respondent_key
from lc_health.store.rounds import RoundState, open_round_for, state

MAX_LINKS_AT_ONCE = 500
# new_token() gives 43 URL-safe characters; anything else cannot be one of ours.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class LinkStatus(StrEnum):
    ok = "ok"
    unknown = "unknown"  # malformed, never issued, or its community archived: never say which
    revoked = "revoked"
    not_open = "not_open"  # no round accepts answers yet
    closed = "closed"


@dataclass(frozen=True)
class Resolved:
    status: LinkStatus
    invitation: Invitation | None = None
    community: Community | None = None
    round: Round | None = None

    @property
    def personal(self) -> bool:
        return self.invitation is not None and self.invitation.round_id is None


@dataclass(frozen=True)
class NewLink:
    invitation_id: int
    token: str


def create_personal_links(
    *, session: Session, community_id: int, count: int, label: str = ""
) -> list[NewLink]:
    if not 1 <= count <= MAX_LINKS_AT_ONCE:
        check([Problem("count", "error.link_count", {"max": MAX_LINKS_AT_ONCE})])
    links = []
    for _ in range(count):
        token = new_token()
        row = Invitation(
            community_id=community_id,
            token_hash=hash_token(token),
            respondent_key=new_respondent_key(),
            label=label.strip()[:80],
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        links.append(NewLink(row.id, token))
    return links


def create_open_link(*, session: Session, round_id: int, label: str = "") -> NewLink:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise KeyError(round_id)
    token = new_token()
    row = Invitation(
        community_id=rnd.community_id,
        round_id=round_id,
        token_hash=hash_token(token),
        respondent_key=new_respondent_key(),
        label=label.strip()[:80],
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return NewLink(row.id, token)


def revoke(*, session: Session, invitation_id: int) -> None:
    row = session.get(Invitation, invitation_id)
    if row is None:
        raise KeyError(invitation_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)


def resolve(*, session: Session, token: str | None, today: date) -> Resolved:
    """What a link leads to today. Unknown and malformed links look the same."""
    if not token or not TOKEN_PATTERN.match(token):
        return Resolved(LinkStatus.unknown)
    invitation = session.exec(
        select(Invitation).where(col(Invitation.token_hash) == hash_token(token))
    ).first()
    if invitation is None:
        return Resolved(LinkStatus.unknown)
    community = session.get(Community, invitation.community_id)
    if community is None or community.archived_at is not None:
        return Resolved(LinkStatus.unknown)
    if invitation.revoked_at is not None:
        return Resolved(LinkStatus.revoked, invitation, community)
    if invitation.round_id is not None:
        rnd = session.get(Round, invitation.round_id)
        if rnd is None:
            return Resolved(LinkStatus.unknown)
        current = state(rnd, today)
        if current == RoundState.scheduled:
            return Resolved(LinkStatus.not_open, invitation, community, rnd)
        if current == RoundState.closed:
            return Resolved(LinkStatus.closed, invitation, community, rnd)
        return Resolved(LinkStatus.ok, invitation, community, rnd)
    assert community.id is not None
    rnd = open_round_for(session=session, community_id=community.id, today=today)
    if rnd is not None:
        return Resolved(LinkStatus.ok, invitation, community, rnd)
    latest = session.exec(
        select(Round)
        .where(col(Round.community_id) == community.id, col(Round.opens_on) <= today)
        .order_by(col(Round.opens_on).desc())
    ).first()
    if latest is not None:
        return Resolved(LinkStatus.closed, invitation, community, latest)
    return Resolved(LinkStatus.not_open, invitation, community)


def mark_used(*, session: Session, invitation_ids: Iterable[int]) -> None:
    """Note that these personal links were just used (one statement for a batch of them)."""
    used = sorted(set(invitation_ids))
    if used:
        session.execute(
            update(Invitation).where(col(Invitation.id).in_(used)).values(last_used_at=utcnow())
        )


def link_url(public_url: str, token: str, lang: str | None = None) -> str:
    query = {"t": token} | ({"lang": lang} if lang else {})
    # The survey is the only (default) page a link opens, and the default page lives at "/".
    return f"{public_url.rstrip('/')}/?{urlencode(query)}"


def invitations_frame(*, session: Session, community_id: int) -> pd.DataFrame:
    """Columns: invitation_id, kind (personal/open), period, label, created_at, revoked,
    last_used_at, responses."""
    stmt = (
        sa_select(
            col(Invitation.id),
            col(Invitation.round_id),
            col(Round.period),
            col(Invitation.label),
            col(Invitation.created_at),
            col(Invitation.revoked_at).is_not(None),
            col(Invitation.last_used_at),
            func.count(col(Response.id)),
        )
        .outerjoin(Round, col(Round.id) == col(Invitation.round_id))
        .outerjoin(Response, col(Response.invitation_id) == col(Invitation.id))
        .where(col(Invitation.community_id) == community_id)
        .group_by(
            col(Invitation.id),
            col(Invitation.round_id),
            col(Round.period),
            col(Invitation.label),
            col(Invitation.created_at),
            col(Invitation.revoked_at),
            col(Invitation.last_used_at),
        )
        .order_by(col(Invitation.id))
    )
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[
            "invitation_id",
            "round_id",
            "period",
            "label",
            "created_at",
            "revoked",
            "last_used_at",
            "responses",
        ],
    )
    frame.insert(1, "kind", frame["round_id"].map(lambda r: "personal" if pd.isna(r) else "open"))
    return frame.drop(columns="round_id")


def add_personal_link(
    session: Session,
    *,
    community_id: int,
    token_hash: str,
    respondent_key: str,
    label: str,
    created_at: datetime,
) -> int:
    """Store a personal link whose token and respondent key the caller chose (demo data)."""
    row = Invitation(
        community_id=community_id,
        token_hash=token_hash,
        respondent_key=respondent_key,
        label=label,
        created_at=created_at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def get_invitation(*, session: Session, invitation_id: int) -> Invitation | None:
    return session.get(Invitation, invitation_id)
