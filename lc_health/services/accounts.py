"""Writes on accounts and portfolios: create, change role and communities, set or change a
password, (de)activate, and the portfolios that limit what a policy maker sees.

Accounts are named by email in the audit log; the administration page and `lc-health user`
call the same functions, so both leave the same records.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.domain.credentials import normalise_email
from lc_health.domain.errors import Invalid, Problem
from lc_health.services.auth import find_user
from lc_health.services.signin import check_current_password
from lc_health.services.signin_limits import DEFAULT_LIMITS, NO_CLIENT, Client, Limits
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import users as ustore
from lc_health.store.db import write_session
from lc_health.store.models import Portfolio, Role, User


def _account(session: Session, email: str) -> User:
    """The account with this email (any case); Invalid when there is none."""
    user = find_user(session=session, email=email)
    if user is None or user.id is None:
        raise Invalid([Problem("email", "error.unknown_account", {"email": email.strip()})])
    return user


def _is_actor(user: User, actor: str) -> bool:
    return normalise_email(actor) == user.email


def create_account(
    *,
    session: Session,
    email: str,
    role: Role,
    actor: str,
    name: str = "",
    password: str | None = None,
    confirm: str | None = None,
    community_ids: Iterable[int] = (),
    portfolio_id: int | None = None,
) -> User:
    """A new account; without a password it signs in through single sign-on only (raises
    Invalid for a bad or taken email, a weak or unconfirmed password, a lead without
    communities or with an unknown community; nothing is written then)."""
    community_ids = list(community_ids)
    for community_id in community_ids:
        cstore.known_community(session=session, community_id=community_id)
    user = ustore.create_user(
        session=session,
        email=email,
        role=role,
        name=name,
        password=password or None,
        confirm=confirm if password else None,
        community_ids=community_ids,
        portfolio_id=portfolio_id,
    )
    audit.record(
        session=session, actor=actor, action="account.create", target=user.email, role=role.value
    )
    return user


def update_account(
    *,
    session: Session,
    email: str,
    name: str,
    role: Role,
    actor: str,
    community_ids: Iterable[int] = (),
    portfolio_id: int | None = None,
) -> User:
    """Name, role, a lead's communities and a policy maker's portfolio (raises Invalid for an
    unknown account, a lead without communities, or an administrator taking away their own
    administrator role)."""
    user = _account(session, email)
    assert user.id is not None
    if _is_actor(user, actor) and role != Role.admin:
        raise Invalid([Problem("role", "error.own_admin_role")])
    ustore.update_user(
        session=session,
        user_id=user.id,
        name=name,
        role=role,
        community_ids=community_ids,
        portfolio_id=portfolio_id,
    )
    audit.record(
        session=session, actor=actor, action="account.update", target=user.email, role=role.value
    )
    return user


def reset_password(
    *, session: Session, email: str, password: str, confirm: str | None, actor: str
) -> User:
    """A new password set by an administrator: unlocks the account and ends its sign-ins
    (raises Invalid for an unknown account or a weak or unconfirmed password)."""
    user = _account(session, email)
    assert user.id is not None
    ustore.set_password(session=session, user_id=user.id, password=password, confirm=confirm)
    audit.record(session=session, actor=actor, action="account.password_reset", target=user.email)
    return user


def change_own_password(
    engine: Engine,
    *,
    email: str,
    current: str,
    password: str,
    confirm: str,
    client: Client = NO_CLIENT,
    limits: Limits = DEFAULT_LIMITS,
) -> User:
    """A signed-in person's new password; the current one must be given when there is one
    (raises Invalid otherwise, or for a weak or unconfirmed new one). A wrong current password
    counts towards the sign-in limits (services.signin_limits), so its count is committed in a
    transaction of its own before the change is tried."""
    with write_session(engine) as session:
        user = _account(session, email)
        problem = None
        if user.password_hash:
            problem = check_current_password(
                session=session, user=user, password=current, client=client, limits=limits
            )
    if problem is not None:
        raise Invalid([problem])
    with write_session(engine) as session:
        user = _account(session, email)
        assert user.id is not None
        ustore.set_password(session=session, user_id=user.id, password=password, confirm=confirm)
        audit.record(
            session=session, actor=user.email, action="account.own_password", target=user.email
        )
        return user


def set_active(*, session: Session, email: str, active: bool, actor: str) -> User:
    """Deactivate (which ends the account's sign-ins) or activate again (raises Invalid for an
    unknown account, or for deactivating one's own)."""
    user = _account(session, email)
    assert user.id is not None
    if not active and _is_actor(user, actor):
        raise Invalid([Problem("active", "error.own_deactivate")])
    ustore.set_active(session=session, user_id=user.id, active=active)
    action = "account.activate" if active else "account.deactivate"
    audit.record(session=session, actor=actor, action=action, target=user.email)
    return user


def create_portfolio(
    *, session: Session, name: str, community_ids: Iterable[int], actor: str
) -> Portfolio:
    """A named set of communities (raises Invalid for an empty or taken name)."""
    members = list(community_ids)
    row = ustore.create_portfolio(session=session, name=name, community_ids=members)
    audit.record(
        session=session,
        actor=actor,
        action="portfolio.create",
        target=row.name,
        communities=len(members),
    )
    return row


def set_portfolio_communities(
    *, session: Session, portfolio_id: int, community_ids: Iterable[int], actor: str
) -> Portfolio:
    """Replace a portfolio's communities (raises Invalid for an unknown portfolio)."""
    row = ustore.get_portfolio(session=session, portfolio_id=portfolio_id)
    if row is None:
        raise Invalid([Problem("portfolio", "error.unknown_portfolio", {"id": portfolio_id})])
    members = list(community_ids)
    ustore.set_portfolio_communities(
        session=session, portfolio_id=portfolio_id, community_ids=members
    )
    audit.record(
        session=session,
        actor=actor,
        action="portfolio.update",
        target=row.name,
        communities=len(members),
    )
    return row


def account(*, session: Session, user_id: int) -> User | None:
    """One account by id (None when there is none)."""
    return ustore.get_user(session=session, user_id=user_id)
