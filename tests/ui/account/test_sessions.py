"""AppTest, two sessions of one account: every run checks the sign-in session in the store, so
signing out in another tab or `lc-health user password` ends an open tab at its next
interaction. In demo mode each demo role signs in with one click."""

from __future__ import annotations

import io
import sys

import pytest
from streamlit.testing.v1 import AppTest

from lc_health.runtime import cli
from lc_health.ui.session import TOKEN_KEY
from tests.apptest import new_app, page_text

ADMIN = ("beheer@demo.lc-health.nl", "demo-admin-2026")


@pytest.fixture
def demo_env(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    monkeypatch.setenv("LC_HEALTH_DEMO", "true")
    monkeypatch.setenv("LC_HEALTH_SEED_DEMO_ON_EMPTY", "false")
    return demo_db


def _tab() -> AppTest:
    at = new_app()
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, email: str, password: str) -> AppTest:
    at.text_input[0].input(email)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def _signed_in(at: AppTest) -> bool:
    return any(b.key == "_sign_out" for b in at.button)


def _interact(at: AppTest) -> AppTest:
    at.run()  # any widget interaction reruns the script the same way
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("demo_env")
def test_sign_out_in_one_tab_ends_the_other() -> None:
    first = _sign_in(_tab(), *ADMIN)
    assert _signed_in(first)
    # A second tab of the same browser shares its sign-in session (the cookie).
    second = new_app()
    second.query_params["lang"] = "en"
    second.session_state[TOKEN_KEY] = first.session_state[TOKEN_KEY]
    assert _signed_in(_interact(second))
    first.button(key="_sign_out").click().run()
    assert not _signed_in(first)
    _interact(second)
    assert not _signed_in(second)
    assert second.title[0].value == "Sign in"


@pytest.mark.usefixtures("demo_env")
def test_lc_health_user_password_ends_every_open_tab(monkeypatch: pytest.MonkeyPatch) -> None:
    tabs = [_sign_in(_tab(), *ADMIN) for _ in range(2)]
    assert all(_signed_in(_interact(tab)) for tab in tabs)
    new = "een-nieuw-lang-wachtwoord-8"
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{new}\n{new}\n"))
    assert cli.main(["user", "password", "--email", ADMIN[0]]) == 0
    for tab in tabs:
        assert not _signed_in(_interact(tab))
    # The new password works; the old one does not.
    assert not _signed_in(_sign_in(_tab(), *ADMIN))
    assert _signed_in(_sign_in(_tab(), ADMIN[0], new))


@pytest.mark.usefixtures("demo_env")
def test_a_wrong_password_says_no_more_than_an_unknown_address() -> None:
    wrong = _sign_in(_tab(), ADMIN[0], "not-the-password")
    unknown = _sign_in(_tab(), "nobody@demo.lc-health.nl", ADMIN[1])
    assert [e.value for e in wrong.error] == [e.value for e in unknown.error]
    assert "do not match" in wrong.error[0].value


@pytest.mark.usefixtures("demo_env")
def test_each_demo_role_signs_in_with_one_click() -> None:
    for role, email in (
        ("Administrator", "beheer@"),
        ("Community lead", "trekker@"),
        ("Policy maker", "beleid@"),
    ):
        at = _tab()
        assert "demo-admin-2026" in page_text(at)  # the passwords are shown as text
        at.button(key=f"demo_signin_{_role_key(role)}").click().run()
        assert not at.exception, at.exception
        assert _signed_in(at), role
        assert email in page_text(at) or any(email in str(c.value) for c in at.sidebar.caption)


def _role_key(label: str) -> str:
    return {"Administrator": "admin", "Community lead": "lead", "Policy maker": "policy"}[label]
