"""In Chromium: sign in, reload and still be signed in, sign out; the cookie is HttpOnly and the
cookie route never redirects off-site; sign-out in one tab ends the other at its next click; a
hand-over code works only in the browser that signed in."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Route, expect

from tests.browser.conftest import ADMIN_PASSWORD, WRONG_PASSWORD, Server, submit_sign_in

ADMIN = ("beheer@demo.lc-health.nl", ADMIN_PASSWORD)


def test_sign_in_survives_reload_then_sign_out(page: Page, server: Server) -> None:
    submit_sign_in(page, server.url, *ADMIN)
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
    submit_sign_in(page, server.url, ADMIN[0], WRONG_PASSWORD)
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
    assert "lc_health_session" not in headers.get("set-cookie", "")  # only a browser id
    status, headers = _get(server, "/auth/signout?next=https://evil.example")
    assert status == 303 and headers["location"] == "/"


def test_sign_out_in_one_tab_ends_the_other_at_its_next_click(page: Page, server: Server) -> None:
    submit_sign_in(page, server.url, *ADMIN)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=15_000)
    other = page.context.new_page()
    other.goto(f"{server.url}/?lang=en")
    expect(other.get_by_role("button", name="Sign out")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=15_000)
    # The other tab, not reloaded: its next click finds the session gone.
    other.get_by_test_id("stSidebar").get_by_role("link", name="My account").click()
    expect(other.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=15_000)
    expect(other.get_by_role("button", name="Sign out")).to_have_count(0)


def test_an_intercepted_handover_code_signs_no_other_browser_in(
    page: Page, server: Server, browser: Browser
) -> None:
    codes: list[str] = []

    def intercept(route: Route) -> None:
        codes.append(route.request.url)
        route.abort()

    page.route("**/auth/session?**", intercept)
    submit_sign_in(page, server.url, *ADMIN)
    deadline = 150
    while not codes and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert codes, "the page never sent the browser to the hand-over route"
    page.unroute("**/auth/session?**")
    # Another browser (its own cookies, even after a visit of its own) cannot use the code.
    thief = browser.new_context()
    try:
        stolen = thief.new_page()
        stolen.goto(f"{server.url}/?lang=en")
        expect(stolen.get_by_role("button", name="Sign in", exact=True)).to_be_visible(
            timeout=15_000
        )
        stolen.goto(codes[0])
        expect(stolen.get_by_role("button", name="Sign in", exact=True)).to_be_visible(
            timeout=15_000
        )
        assert "lc_health_session" not in {c["name"] for c in thief.cookies()}
    finally:
        thief.close()
    # The browser that signed in still can: the refused try did not spend the code.
    page.goto(codes[0])
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=15_000)
    browser_cookie = {c["name"]: c for c in page.context.cookies()}["lc_health_browser"]
    assert browser_cookie["httpOnly"] and browser_cookie["sameSite"] == "Lax"


def test_demo_accounts_fit_at_1280_px_and_sign_in_with_one_click(
    page: Page, server: Server
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server.url}/?lang=en")
    for password in ("demo-admin-2026", "demo-lead-2026", "demo-policy-2026"):
        shown = page.get_by_text(password, exact=True)
        expect(shown).to_be_visible(timeout=15_000)
        box = shown.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    page.get_by_role("button", name="Sign in as Community lead").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("trekker@demo.lc-health.nl").first).to_be_visible()
