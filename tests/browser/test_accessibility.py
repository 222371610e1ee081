"""axe-core in Chromium on every page for every role, at 1280 px and 390 px, in the light theme
and once more (at 1280 px) in the dark one: no serious or critical violation anywhere.

One server (the session's), one browser; each role signs in once in its own context and then
visits all of its pages, and every tab on them. The participant walks a fresh personal link
from welcome to thanks, so the demo's own link stays untouched for the other tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from lc_health.services.invitations import make_personal_links
from lc_health.store import db
from lc_health.store.models import Community, Role
from lc_health.ui.navigation import pages_for
from tests.browser.conftest import (
    ADMIN_PASSWORD,
    LEAD_PASSWORD,
    Server,
    axe_violations,
    settle,
    sign_in,
)

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ACCOUNTS: dict[Role, tuple[str, str]] = {
    Role.lead: ("trekker@demo.lc-health.nl", LEAD_PASSWORD),
    Role.policy: ("beleid@demo.lc-health.nl", "demo-policy-2026"),
    Role.admin: ("beheer@demo.lc-health.nl", ADMIN_PASSWORD),
}
# Every case: (who, colour scheme, widths). The dark theme is checked at one width: its colours
# do not depend on the width, the layouts are checked in the light theme.
CASES = [
    *((who, "light", (WIDE, PHONE)) for who in ("signed out", "participant", *ACCOUNTS)),
    *((who, "dark", (WIDE,)) for who in ("signed out", "participant", *ACCOUNTS)),
]
# The charts on screen that have not drawn yet (Vega draws after Streamlit's run has ended; a
# chart in a tab that is not shown may wait for a width until its tab is opened), each named by
# the heading above it so that a failure says which one.
UNDRAWN_CHARTS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .filter(c => c.checkVisibility() && !c.querySelector('svg, canvas'))
    .map(c => {
        const panel = c.closest('[role="tabpanel"]');
        const tab = panel && document.getElementById(panel.getAttribute('aria-labelledby'));
        return (tab ? tab.innerText + ': ' : '') + (c.getAttribute('aria-label') || '(chart)');
    })"""

# Pills whose text is cut off ("…") or that stick out of the window.
CUT_OFF_PILLS = """() => [...document.querySelectorAll('[data-testid="stButtonGroup"] button')]
    .filter(b => b.getBoundingClientRect().right > window.innerWidth
                 || [...b.querySelectorAll('p')].some(p => p.scrollWidth > p.clientWidth + 1))
    .map(b => b.innerText)"""


def _axe(page: Page) -> list[str]:
    """Serious and critical violations that persist: a page still fading in from Streamlit's
    transition (text at part opacity) is checked once more a moment later."""
    found = axe_violations(page)
    if found:
        page.wait_for_timeout(1500)
        settle(page)
        found = axe_violations(page)
    return found


def _label(who: object) -> str:
    return who.value if isinstance(who, Role) else str(who)


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    case = getattr(request.node, "callspec", None)
    scheme = case.params["case"][1] if case and "case" in case.params else "light"
    ctx = browser.new_context(color_scheme=scheme, viewport=WIDE)
    yield ctx
    ctx.close()


def _loaded(page: Page) -> None:
    expect(
        page.locator('[data-testid="stMain"] h1, [data-testid="stMain"] h2').first
    ).to_be_visible(timeout=30_000)
    settle(page)
    _charts_drawn(page)


def _charts_drawn(page: Page) -> None:
    """Wait until every chart on screen has drawn; if one never does, say which."""
    try:
        page.wait_for_function(f"() => ({UNDRAWN_CHARTS})().length === 0", timeout=60_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"charts not drawn after 60 s on {page.url}: {page.evaluate(UNDRAWN_CHARTS)}")


def _check_tabs(page: Page, where: str, problems: dict[str, list[str]]) -> None:
    """axe on the page as loaded, then on each further tab of its (first) row of tabs."""
    problems[where] = _axe(page)
    tabs = page.locator('[data-testid="stMain"] [role="tablist"]').first.get_by_role("tab")
    for index in range(1, tabs.count()):
        tab = tabs.nth(index)
        name = tab.inner_text()
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        page.wait_for_timeout(500)  # the tab's run starts: its old content turns stale
        settle(page)
        _charts_drawn(page)
        problems[f"{where} / {name}"] = _axe(page)


def _fresh_link(server: Server) -> str:
    """A new personal link of the demo community whose round is still open."""
    engine = db.make_engine(server.database_url)
    with db.write_session(engine) as session:
        community = session.execute(
            select(Community).where(Community.name == "Robotica Fieldlab Westland")
        ).scalar_one()
        assert community.id is not None
        (link,) = make_personal_links(
            session=session, community_id=community.id, count=1, label="axe", actor="test"
        )
    engine.dispose()
    return link.token


def _step(page: Page, button: str, text: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text(text).first).to_be_visible(timeout=20_000)
    settle(page)


def _walk_survey(page: Page, server: Server, problems: dict[str, list[str]]) -> None:
    page.goto(f"{server.url}/?t={_fresh_link(server)}&lang=en")
    expect(page.get_by_role("heading", name="Robotica Fieldlab Westland")).to_be_visible(
        timeout=30_000
    )
    settle(page)
    problems["welcome"] = _axe(page)
    _step(page, "Start", "Step 1 of 8")
    page.get_by_role("radiogroup", name="What is your role").get_by_text("Student").click()
    page.get_by_role("radiogroup", name="What kind of organisation").get_by_text(
        "mbo school"
    ).click()
    problems["profile"] = _axe(page)
    for step in range(2, 6):
        _step(page, "Next", f"Step {step} of 8")
        for group in page.locator(".st-key-ratings").get_by_role("radiogroup").all():
            group.get_by_text("Agree", exact=True).click()
        problems[f"step {step}"] = _axe(page)
    for step in range(6, 9):
        _step(page, "Next", f"Step {step} of 8")
        problems[f"step {step}"] = _axe(page)
        if step == 6:  # the forces: every pill shows its whole text, wrapped if need be
            problems["cut-off pills"] = page.evaluate(CUT_OFF_PILLS)
    _step(page, "Send", "Thank you! Your answers are saved.")
    _charts_drawn(page)
    problems["feedback"] = _axe(page)
    # Tables as plain tables: on a phone the page scrolls, not a box inside it.
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{_label(c[0])}-{c[1]}")
def test_no_serious_violation(
    context: BrowserContext, server: Server, case: tuple[object, str, tuple[dict[str, int], ...]]
) -> None:
    who, _scheme, widths = case
    page = context.new_page()
    if isinstance(who, Role):
        sign_in(page, server.url, *ACCOUNTS[who])
    problems: dict[str, list[str]] = {}
    for size in widths:
        page.set_viewport_size(size)
        found: dict[str, list[str]] = {}
        if who == "participant":
            _walk_survey(page, server, found)
        else:
            role = who if isinstance(who, Role) else None
            paths = pages_for(role) + (
                [] if role else ["?t=not-a-real-link", "?optout=not-a-real-link"]
            )
            for path in paths:
                page.goto(f"{server.url}/{path}{'&' if '?' in path else '?'}lang=en")
                _loaded(page)
                _check_tabs(page, path, found)
        problems |= {f"{size['width']}px {where}": v for where, v in found.items() if v}
    assert not problems, "\n".join(
        f"{where}: {v}" for where, found in problems.items() for v in found
    )


def test_lead_choice_is_kept_across_pages_and_in_the_url(
    context: BrowserContext, server: Server
) -> None:
    """After reviewing one community and round, the menu link to the conversation opens the
    same ones, named in the URL; a reload keeps them."""
    page = context.new_page()
    sign_in(page, server.url, *ACCOUNTS[Role.lead])
    page.goto(f"{server.url}/lead_review?lang=en&community=2")
    _loaded(page)
    expect(page).to_have_url(re.compile(r"round=\d+"), timeout=10_000)
    latest = re.search(r"round=(\d+)", page.url)
    assert latest is not None
    for attempt in range(3):  # a run that ends while the list is open closes it: again
        settle(page)
        page.get_by_role("combobox", name="Round").click()
        oldest = page.get_by_role("option").first  # not the default (the latest)
        try:
            oldest.wait_for(state="visible", timeout=10_000)
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            continue
        oldest.click()
        break
    expect(page).not_to_have_url(re.compile(rf"round={latest[1]}(&|$)"), timeout=10_000)
    settle(page)
    chosen = re.search(r"round=(\d+)", page.url)
    assert chosen is not None
    page.get_by_role("link", name="Conversation").click()
    expect(page.get_by_role("heading", name="The conversation", exact=True)).to_be_visible(
        timeout=30_000
    )
    for _ in range(2):  # as reached by the menu, then after a reload
        expect(page).to_have_url(re.compile(r"[?&]community=2(&|$)"), timeout=20_000)
        expect(page).to_have_url(re.compile(rf"[?&]round={chosen[1]}(&|$)"), timeout=20_000)
        expect(page.get_by_role("combobox", name="Community")).to_have_value(
            "Duurzame Kas Lansingerland"
        )
        page.reload()
        _loaded(page)
