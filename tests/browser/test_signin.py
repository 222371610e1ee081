"""In Chromium: sign in, reload and still be signed in, sign out; the cookie is HttpOnly and the
cookie route never redirects off-site."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import ADMIN_PASSWORD, WRONG_PASSWORD, Server

ADMIN = ("beheer@demo.lc-health.nl", ADMIN_PASSWORD)


def _sign_in(page: Page, server: Server, email: str, password: str) -> None:
    page.goto(f"{server.url}/?lang=en")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_survives_reload_then_sign_out(page: Page, server: Server) -> None:
    _sign_in(page, server, *ADMIN)
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible(timeout=15_000)
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["lc_health_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Manage communities")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=15_000)
    assert "lc_health_session" not in {c["name"] for c in page.context.cookies()}
    page.reload()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=15_000)


def test_wrong_password_keeps_the_email_and_says_so(page: Page, server: Server) -> None:
    _sign_in(page, server, ADMIN[0], WRONG_PASSWORD)
    expect(page.get_by_text("That email address and password do not match")).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_label("Email address")).to_have_value(ADMIN[0])


def _get(server: Server, path: str) -> tuple[int, dict[str, str]]:
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("GET", path)
        answer = conn.getresponse()
        answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        conn.close()


def test_cookie_route_refuses_bad_codes_and_offsite_redirects(server: Server) -> None:
    status, headers = _get(server, "/auth/session?code=forged&next=//evil.example/x")
    assert status == 303
    assert headers["location"] == "/"
    assert "set-cookie" not in headers
    status, headers = _get(server, "/auth/signout?next=https://evil.example")
    assert status == 303 and headers["location"] == "/"
