"""Who may see what. Pages ask here; nothing else decides access.

- administrators see every community, its comments and its administration;
- community leads see only the communities assigned to them, comments included;
- policy makers see every community, or only their portfolio's, and never comments or anything
  below the anonymity threshold;
- participants have no account: their link gives them their own answers and their community's
  aggregates, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from lc_health.domain.enums import Role
from lc_health.store.models import PortfolioCommunity, User, UserCommunity


@dataclass(frozen=True)
class Viewer:
    """A signed-in user as the pages see them."""

    user_id: int
    email: str
    name: str
    role: Role
    # None: every community; otherwise the ids this user may see.
    community_ids: frozenset[int] | None

    @property
    def sees_comments(self) -> bool:
        return self.role in (Role.admin, Role.lead)


def viewer_for(*, session: Session, user: User) -> Viewer | None:
    """The viewer for an active account, or None when it may not sign in."""
    if not user.active or user.id is None:
        return None
    role = Role(user.role)
    ids: frozenset[int] | None = None
    if role == Role.lead:
        ids = frozenset(
            session.exec(
                select(UserCommunity.community_id).where(col(UserCommunity.user_id) == user.id)
            ).all()
        )
    elif role == Role.policy and user.portfolio_id is not None:
        ids = frozenset(
            session.exec(
                select(PortfolioCommunity.community_id).where(
                    col(PortfolioCommunity.portfolio_id) == user.portfolio_id
                )
            ).all()
        )
    return Viewer(user_id=user.id, email=user.email, name=user.name, role=role, community_ids=ids)


def load_viewer(*, session: Session, user_id: int) -> Viewer | None:
    user = session.get(User, user_id)
    return None if user is None else viewer_for(session=session, user=user)
