"""services.accounts: every account and portfolio write comes with its audit record, and input
that is refused writes neither."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from lc_health.domain.credentials import verify_password
from lc_health.domain.errors import Invalid
from lc_health.services import accounts
from lc_health.store import db
from lc_health.store.models import AuditEvent, Portfolio, Role, User
from tests.factories import make_community
from tests.services.audited import count, events

ADMIN = "beheer@example.org"
PASSWORD = "zeer-geheim-wachtwoord-7"


def _admin_and_lead(engine: Engine) -> int:
    """An administrator (ADMIN) and a lead (lead@example.org) of one community; its id."""
    with db.write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        accounts.create_account(session=session, email=ADMIN, role=Role.admin, actor="setup")
        accounts.create_account(
            session=session,
            email="Lead@Example.org",
            role=Role.lead,
            actor="setup",
            community_ids=[community.id],
        )
        return community.id


def test_create_account_is_audited_with_its_role(engine: Engine) -> None:
    with db.write_session(engine) as session:
        user = accounts.create_account(
            session=session,
            email=" New@Example.org ",
            role=Role.policy,
            actor=ADMIN,
            password=PASSWORD,
            confirm=PASSWORD,
        )
    assert user.email == "new@example.org"
    assert events(engine) == [(ADMIN, "account.create", "new@example.org")]


@pytest.mark.parametrize(
    ("email", "password", "confirm", "role"),
    [
        ("not an email", None, None, Role.admin),
        ("a@example.org", PASSWORD, PASSWORD + "x", Role.admin),
        ("a@example.org", "welkom123", "welkom123", Role.admin),
        ("a@example.org", None, None, Role.lead),  # a lead without communities
    ],
)
def test_refused_account_writes_nothing(
    engine: Engine, email: str, password: str | None, confirm: str | None, role: Role
) -> None:
    with pytest.raises(Invalid), db.write_session(engine) as session:
        accounts.create_account(
            session=session,
            email=email,
            role=role,
            actor=ADMIN,
            password=password,
            confirm=confirm,
        )
    assert count(engine, User) == 0 and count(engine, AuditEvent) == 0


def test_update_reset_and_deactivate_are_audited(engine: Engine) -> None:
    community_id = _admin_and_lead(engine)
    with db.write_session(engine) as session:
        accounts.update_account(
            session=session,
            email="lead@example.org",
            name="Lea",
            role=Role.lead,
            actor=ADMIN,
            community_ids=[community_id],
        )
        accounts.reset_password(
            session=session,
            email="LEAD@example.org",
            password=PASSWORD,
            confirm=PASSWORD,
            actor=ADMIN,
        )
        accounts.set_active(session=session, email="lead@example.org", active=False, actor=ADMIN)
        accounts.set_active(session=session, email="lead@example.org", active=True, actor=ADMIN)
    with db.read_session(engine) as session:
        user = session.get(User, 2)
        assert user is not None and user.name == "Lea" and user.active
        assert verify_password(PASSWORD, user.password_hash)
    assert events(engine)[2:] == [
        (ADMIN, "account.update", "lead@example.org"),
        (ADMIN, "account.password_reset", "lead@example.org"),
        (ADMIN, "account.deactivate", "lead@example.org"),
        (ADMIN, "account.activate", "lead@example.org"),
    ]


def test_refused_account_changes_write_nothing(engine: Engine) -> None:
    _admin_and_lead(engine)
    attempts = [
        # an administrator cannot take away their own administrator role, nor deactivate
        lambda s: accounts.update_account(
            session=s, email=ADMIN, name="", role=Role.policy, actor=ADMIN
        ),
        lambda s: accounts.set_active(session=s, email=ADMIN, active=False, actor=ADMIN),
        # a lead needs a community; an unknown account; a weak password
        lambda s: accounts.update_account(
            session=s, email="lead@example.org", name="", role=Role.lead, actor=ADMIN
        ),
        lambda s: accounts.reset_password(
            session=s, email="x@example.org", password=PASSWORD, confirm=PASSWORD, actor=ADMIN
        ),
        lambda s: accounts.reset_password(
            session=s, email="lead@example.org", password="kort", confirm="kort", actor=ADMIN
        ),
    ]
    before = events(engine)
    for attempt in attempts:
        with pytest.raises(Invalid), db.write_session(engine) as session:
            attempt(session)
    assert events(engine) == before
    with db.read_session(engine) as session:
        admin = session.get(User, 1)
        assert admin is not None and admin.role == Role.admin.value and admin.active


def test_own_password_needs_the_current_one(engine: Engine) -> None:
    with db.write_session(engine) as session:
        accounts.create_account(
            session=session,
            email=ADMIN,
            role=Role.admin,
            actor="setup",
            password=PASSWORD,
            confirm=PASSWORD,
        )
    new = "een-ander-lang-wachtwoord-9"
    with pytest.raises(Invalid):
        accounts.change_own_password(engine, email=ADMIN, current="fout", password=new, confirm=new)
    # The wrong current password is kept as a failed check (it counts towards the limits).
    assert events(engine) == [
        ("setup", "account.create", ADMIN),
        (ADMIN, "account.current_password_failure", ""),
    ]
    accounts.change_own_password(engine, email=ADMIN, current=PASSWORD, password=new, confirm=new)
    assert events(engine)[-1] == (ADMIN, "account.own_password", ADMIN)


def test_portfolios_are_audited_and_a_taken_name_writes_nothing(engine: Engine) -> None:
    community_id = _admin_and_lead(engine)
    with db.write_session(engine) as session:
        row = accounts.create_portfolio(
            session=session, name=" Zuid ", community_ids=[community_id], actor=ADMIN
        )
        assert row.id is not None
        accounts.set_portfolio_communities(
            session=session, portfolio_id=row.id, community_ids=[], actor=ADMIN
        )
    with pytest.raises(Invalid), db.write_session(engine) as session:
        accounts.create_portfolio(session=session, name="Zuid", community_ids=[], actor=ADMIN)
    with pytest.raises(Invalid), db.write_session(engine) as session:
        accounts.set_portfolio_communities(
            session=session, portfolio_id=999, community_ids=[], actor=ADMIN
        )
    assert count(engine, Portfolio) == 1
    assert events(engine)[2:] == [
        (ADMIN, "portfolio.create", "Zuid"),
        (ADMIN, "portfolio.update", "Zuid"),
    ]
