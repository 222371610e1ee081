"""Accounts: create, update, password resets, deactivation, community assignment, portfolios."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from lc_health.domain.credentials import (
    email_is_valid,
    hash_password,
    limit_key,
    normalise_email,
    password_problems,
)
from lc_health.domain.enums import Role
from lc_health.domain.errors import Problem, check
from lc_health.store import ids
from lc_health.store import sessions as session_store
from lc_health.store import signin_limits as signin_limit_store
from lc_health.store.models import Portfolio, PortfolioCommunity, User, UserCommunity

USER_COLUMNS = (
    "user_id",
    "email",
    "name",
    "role",
    "active",
    "portfolio_id",
    "has_password",
    "locked_until",
    "last_signin_at",
)


def _password_checks(password: str | None, email: str, confirm: str | None) -> list[Problem]:
    if password is None:
        return []
    return [
        Problem("password", f"password.{code}")
        for code in password_problems(password, email=email, confirm=confirm)
    ]


def create_user(
    *,
    session: Session,
    email: str,
    role: Role,
    name: str = "",
    password: str | None = None,
    confirm: str | None = None,
    community_ids: Iterable[int] = (),
    portfolio_id: int | None = None,
) -> User:
    """Create an account. Without a password it can only sign in through single sign-on
    until an administrator sets one."""
    email = normalise_email(email)
    problems: list[Problem] = []
    if not email_is_valid(email):
        problems.append(Problem("email", "error.email_invalid"))
    elif session_store.user_by_email(session, email=normalise_email(email)) is not None:
        problems.append(Problem("email", "error.email_taken"))
    problems += _password_checks(password, email, confirm)
    if role == Role.lead and not list(community_ids):
        problems.append(Problem("communities", "error.lead_needs_community"))
    check(problems)
    user = User(
        email=email,
        name=name.strip(),
        role=role.value,
        password_hash=hash_password(password) if password else None,
        portfolio_id=portfolio_id if role == Role.policy else None,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    if role == Role.lead:
        set_user_communities(session=session, user_id=user.id, community_ids=community_ids)
    return user


def update_user(
    *,
    session: Session,
    user_id: int,
    name: str,
    role: Role,
    community_ids: Iterable[int] = (),
    portfolio_id: int | None = None,
) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise KeyError(user_id)
    ids = list(community_ids)
    check(
        [Problem("communities", "error.lead_needs_community")]
        if role == Role.lead and not ids
        else []
    )
    user.name = name.strip()
    user.role = role.value
    user.portfolio_id = portfolio_id if role == Role.policy else None
    session.add(user)
    set_user_communities(
        session=session, user_id=user_id, community_ids=ids if role == Role.lead else ()
    )
    return user


def set_password(
    *, session: Session, user_id: int, password: str, confirm: str | None = None
) -> None:
    """Set a new password, unlock the account and end its other sign-ins."""
    user = session.get(User, user_id)
    if user is None:
        raise KeyError(user_id)
    check(_password_checks(password, user.email, confirm))
    user.password_hash = hash_password(password)
    user.failed_signins = 0
    user.locked_until = None
    session.add(user)
    session_store.delete_for_user(session, user_id=user_id)
    signin_limit_store.clear(session, key_hash=limit_key("address", normalise_email(user.email)))


def set_active(*, session: Session, user_id: int, active: bool) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise KeyError(user_id)
    user.active = active
    session.add(user)
    if not active:
        session_store.delete_for_user(session, user_id=user_id)


def set_user_communities(*, session: Session, user_id: int, community_ids: Iterable[int]) -> None:
    session.execute(delete(UserCommunity).where(col(UserCommunity.user_id) == user_id))
    for community_id in ids(community_ids):
        session.add(UserCommunity(user_id=user_id, community_id=community_id))
    session.flush()


def user_communities(*, session: Session, user_id: int) -> list[int]:
    return sorted(
        session.exec(
            select(UserCommunity.community_id).where(col(UserCommunity.user_id) == user_id)
        ).all()
    )


def users_frame(*, session: Session) -> pd.DataFrame:
    stmt = sa_select(
        col(User.id),
        col(User.email),
        col(User.name),
        col(User.role),
        col(User.active),
        col(User.portfolio_id),
        col(User.password_hash).is_not(None),
        col(User.locked_until),
        col(User.last_signin_at),
    ).order_by(col(User.email))
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(USER_COLUMNS))


def create_portfolio(*, session: Session, name: str, community_ids: Iterable[int]) -> Portfolio:
    name = name.strip()
    problems = []
    if not name:
        problems.append(Problem("name", "error.required"))
    elif session.exec(select(Portfolio).where(col(Portfolio.name) == name)).first():
        problems.append(Problem("name", "error.name_taken"))
    check(problems)
    row = Portfolio(name=name)
    session.add(row)
    session.flush()
    assert row.id is not None
    set_portfolio_communities(session=session, portfolio_id=row.id, community_ids=community_ids)
    return row


def set_portfolio_communities(
    *, session: Session, portfolio_id: int, community_ids: Iterable[int]
) -> None:
    session.execute(
        delete(PortfolioCommunity).where(col(PortfolioCommunity.portfolio_id) == portfolio_id)
    )
    for community_id in ids(community_ids):
        session.add(PortfolioCommunity(portfolio_id=portfolio_id, community_id=community_id))
    session.flush()


def portfolios(*, session: Session) -> list[Portfolio]:
    return list(session.exec(select(Portfolio).order_by(col(Portfolio.name))).all())


def get_portfolio(*, session: Session, portfolio_id: int) -> Portfolio | None:
    return session.get(Portfolio, portfolio_id)


def get_user(*, session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
