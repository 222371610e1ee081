"""In Chromium: a lead walks through the review, the conversation, records an action and
downloads the quarter report; a policy maker filters, sorts, drills down and exports."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from lc_health.store import db
from lc_health.store.models import Action
from tests.browser.conftest import ACTION_TEXT, LEAD_PASSWORD, Server, settle, sign_in

LEAD = ("trekker@demo.lc-health.nl", LEAD_PASSWORD)
POLICY = ("beleid@demo.lc-health.nl", "demo-policy-2026")


def _pick(page: Page, box: str, option: str, attempts: int = 3) -> None:
    """Choose an option of a selectbox. A run of the page that ends while the list is open
    redraws the box and closes the list: then wait for the page and open it again."""
    for attempt in range(attempts):
        settle(page)
        page.get_by_role("combobox", name=box).click()
        choice = page.get_by_role("option", name=option)
        try:
            choice.wait_for(state="visible", timeout=10_000)
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
            continue
        choice.click()
        return


def test_lead_review_conversation_action_report(page: Page, server: Server, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, server.url, *LEAD, timeout_ms=20_000)
    page.get_by_role("link", name="Round review").click()
    expect(page.get_by_role("heading", name="Round review")).to_be_visible(timeout=20_000)
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=20_000)
    page.get_by_role("tab", name="Forces").click()
    expect(page.get_by_text("mirror pairs share a line")).to_be_visible(timeout=20_000)
    settle(page)  # the tab's run has finished: the picker is not redrawn under the click

    _pick(page, "Community", "Duurzame Kas Lansingerland")
    expect(page).to_have_url(re.compile(r"community=2"), timeout=10_000)
    settle(page)
    page.goto(f"{server.url}/lead_conversation?lang=en&community=2")
    expect(page.get_by_role("heading", name="The conversation", exact=True)).to_be_visible(
        timeout=20_000
    )
    settle(page)
    page.get_by_role("tab", name="Discuss").click()  # the conversation opens on its overview
    expect(
        page.get_by_role("heading", name="9. (Securing) long-term (financial) support")
    ).to_be_visible(timeout=20_000)
    what = ACTION_TEXT
    page.get_by_label("What", exact=True).fill(what)
    page.get_by_label("Who", exact=True).fill("Community lead")
    page.get_by_role("button", name="Record action").click()
    expect(page.get_by_text("The action is recorded.")).to_be_visible(timeout=20_000)
    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        assert session.execute(select(Action).where(Action.what == what)).scalar_one()
    engine.dispose()

    page.goto(f"{server.url}/lead_review?lang=en&community=2")
    expect(page.get_by_role("heading", name="Round review")).to_be_visible(timeout=20_000)
    settle(page)
    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Quarter report (HTML)").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and what in html and "Agreed actions" in html


def test_policy_filters_sorts_drills_down_and_exports(
    page: Page, server: Server, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    sign_in(page, server.url, *POLICY, timeout_ms=20_000)
    page.goto(f"{server.url}/portfolio?lang=en&sector=Glastuinbouw&sector=Techniek+en+robotica")
    expect(page.get_by_text("2 communities.")).to_be_visible(timeout=20_000)
    settle(page)
    assert "sector=" in page.url
    page.get_by_label("Sort by (lowest first)").click()
    page.get_by_role("option", name="9. Long-term support").click()
    expect(page).to_have_url(re.compile(r"sort=9"), timeout=10_000)
    settle(page)  # a download made by the previous run is gone once the new run ends
    page.get_by_role("tab", name="Export").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Figures as Excel").click()
    target = tmp_path / "portfolio.xlsx"
    download.value.save_as(target)
    assert target.stat().st_size > 2000
    # The drill-down button by its key: selectboxes carry "Open" buttons of their own.
    page.locator(".st-key-drill-open").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Community view")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("tab", name="Comments")).to_have_count(0)
