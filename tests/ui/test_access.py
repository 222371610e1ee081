"""The access matrix: every role (and anonymous visitors, and a lead of another community)
against every page, at both layers: the navigation offers only permitted pages, and each page,
run directly, refuses anyone else. Plus URL tampering."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from lc_health.domain.enums import Role
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import users as ustore
from lc_health.ui.navigation import PAGES, pages_for
from tests.apptest import goto, new_app, page_app, page_text

ALL_PAGES = sorted({spec.url_path for spec in PAGES} | {"signin", "about", "privacy"})
ADMIN_ONLY = {spec.url_path for spec in PAGES if spec.roles == {Role.admin}}
SIGNED_IN = {"communities", "account", "about", "privacy"}
LEAD_PAGES = {"lead_review", "lead_conversation", "lead_live", "lead_paper", "lead_mail"}
POLICY_PAGES = {"portfolio", "portfolio_community"}
# Who may open which page. Everything not listed must be refused.
EXPECTED: dict[str, set[str]] = {
    "anonymous": {"signin", "about", "privacy"},
    "admin": ADMIN_ONLY | SIGNED_IN | LEAD_PAGES | POLICY_PAGES,
    "lead": SIGNED_IN | LEAD_PAGES,
    "lead_other": SIGNED_IN | LEAD_PAGES,
    "policy": SIGNED_IN | POLICY_PAGES,
    "policy_all": SIGNED_IN | POLICY_PAGES,
}
ACCOUNTS = {
    "admin": "beheer@demo.lc-health.nl",
    "lead": "trekker@demo.lc-health.nl",
    "policy": "beleid@demo.lc-health.nl",
    "lead_other": "other.lead@example.org",
    "policy_all": "all.policy@example.org",
}


@pytest.fixture
def accounts(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int | None]:
    """The demo accounts plus a lead of another community and a policy maker for all."""
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine: Engine = db.make_engine(demo_db)
    with db.write_session(engine) as session:
        frame = cstore.communities_frame(session=session)
        zwolle = int(frame.loc[frame["name"] == "Energiehub Zwolle", "community_id"].iloc[0])
        ustore.create_user(
            session=session, email=ACCOUNTS["lead_other"], role=Role.lead, community_ids=[zwolle]
        )
        ustore.create_user(session=session, email=ACCOUNTS["policy_all"], role=Role.policy)
        users = ustore.users_frame(session=session)
    ids = dict(zip(users["email"], users["user_id"].astype(int), strict=True))
    engine.dispose()
    return {"anonymous": None} | {role: ids[email] for role, email in ACCOUNTS.items()}


@pytest.mark.parametrize("role", [None, *Role])
def test_navigation_offers_exactly_the_permitted_pages(role: Role | None) -> None:
    key = "anonymous" if role is None else role.value
    assert set(pages_for(role)) == EXPECTED[key]


def _run_page(module: str, user_id: int | None) -> AppTest:
    at = page_app(module)
    at.query_params["lang"] = "en"
    if user_id is not None:
        at.session_state["user_id"] = user_id
    return at.run()


REFUSALS = ("Sign in to see this page.", "This page is not available for your role.")


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_page_checks_access_itself(role: str, accounts: dict[str, int | None]) -> None:
    for module in ALL_PAGES:
        at = _run_page(module, accounts[role])
        assert not at.exception, (role, module, at.exception)
        text = page_text(at)
        refused = any(r in text for r in REFUSALS)
        if module in EXPECTED[role] or module in ("signin", "about", "privacy"):
            assert not refused, (role, module)
            assert at.title, (role, module)
        else:
            assert refused, (role, module)
            # A refused page shows no data at all.
            assert not at.dataframe and not at.table and not at.get("vega_lite_chart"), module


def test_lead_sees_only_their_communities(accounts: dict[str, int | None]) -> None:
    at = _run_page("communities", accounts["lead"])
    names = set(at.dataframe[0].value.iloc[:, 0])
    assert names == {
        "Robotica Fieldlab Westland",
        "Duurzame Kas Lansingerland",
        "Noordzeevis op de Kaart",
        "Bijenlinten Midden-Delfland",
    }
    other = _run_page("communities", accounts["lead_other"])
    assert set(other.dataframe[0].value.iloc[:, 0]) == {"Energiehub Zwolle"}
    policy = _run_page("communities", accounts["policy"])
    assert len(policy.dataframe[0].value) == 6
    everyone = _run_page("communities", accounts["policy_all"])
    assert len(everyone.dataframe[0].value) == 8


def test_menu_pages_cannot_be_reached_by_switching(accounts: dict[str, int | None]) -> None:
    """Asking for an administrator's page by its address gives a lead their own first page."""
    at = new_app()
    at.query_params["lang"] = "en"
    at.session_state["user_id"] = accounts["lead"]
    at.run()
    assert not at.exception
    first = [title.value for title in at.title]
    goto(at, "admin_accounts").run()
    assert not at.exception
    assert [title.value for title in at.title] == first
    assert "Accounts" not in first[0]


def test_tampered_community_in_the_url_reveals_nothing(accounts: dict[str, int | None]) -> None:
    at = page_app("admin_invitations")
    at.query_params["lang"] = "en"
    at.query_params["community"] = "987654"
    at.session_state["user_id"] = accounts["admin"]
    at.run()
    assert not at.exception
    assert "The community in the link is not available" in page_text(at)
    assert at.query_params["community"] != "987654"


def test_deactivated_account_is_signed_out_at_once(accounts: dict[str, int | None]) -> None:
    at = _run_page("communities", accounts["lead"])
    assert at.dataframe
    engine = db.make_engine(os.environ["LC_HEALTH_DATABASE_URL"])
    with db.write_session(engine) as session:
        ustore.set_active(session=session, user_id=int(accounts["lead"] or 0), active=False)
    at.run()
    assert "Sign in to see this page." in page_text(at)
    assert not at.dataframe


def test_new_rounds_default_to_the_newest_instrument(accounts: dict[str, int | None]) -> None:
    at = _run_page("admin_rounds", accounts["admin"])
    assert not at.exception
    (picker,) = [s for s in at.selectbox if s.label == "Instrument version"]
    assert picker.value == "lc_health v2"
    assert "lc_health v1" in picker.options  # rounds may still be planned on v1
