"""The app's log holds no password, no survey token, no comment and no action text, although
all of them pass through the app. The test sends them itself, to an app of its own, so it does
not depend on which other browser tests ran before it; the shared app's log is checked for the
same texts when it stops (see `running` in conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lc_health.domain.instrument import load_registry
from lc_health.services.demo import DEMO_PARTICIPANT_TOKEN
from tests.browser.conftest import (
    ACTION_TEXT,
    ADMIN_PASSWORD,
    COMMENT_TEXT,
    LEAD_PASSWORD,
    LOG_SECRETS,
    WRONG_PASSWORD,
    Running,
    run_app,
    settle,
    submit_sign_in,
)

ADMIN_EMAIL = "beheer@demo.lc-health.nl"
LEAD_EMAIL = "trekker@demo.lc-health.nl"


@pytest.fixture(scope="module")
def own_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("logs")
    database = folder / "app.db"
    shutil.copyfile(demo_template, database)
    with run_app(f"sqlite:///{database}", folder) as app:
        yield app


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=15_000)


def _next(page: Page, label: str = "Next", *, step: int | None = None) -> None:
    page.get_by_role("button", name=label).click()
    if step is not None:
        expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=15_000)
        settle(page)


def _answer_the_survey(page: Page, url: str) -> None:
    page.goto(f"{url}/?t={DEMO_PARTICIPANT_TOKEN}&lang=en")
    expect(page.get_by_role("heading", name="Robotica Fieldlab Westland")).to_be_visible(
        timeout=20_000
    )
    settle(page)
    _next(page, "Start", step=1)
    page.get_by_role("radiogroup", name="What is your role").get_by_text("Student").click()
    page.get_by_role("radiogroup", name="What kind of organisation").get_by_text(
        "mbo school"
    ).click()
    _next(page, step=2)
    instrument = load_registry().latest()
    for layer, spec in enumerate(instrument.layers):
        items = instrument.items_in_layer(spec.id)
        expect(page.get_by_text(items[-1].text.en)).to_be_visible(timeout=15_000)
        groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
        expect(groups).to_have_count(len(items))
        for index in range(len(items)):
            groups.nth(index).get_by_text("Agree", exact=True).click()
        _next(page, step=layer + 3)
    page.get_by_role("button", name="Good communication").click()
    _next(page, step=7)
    page.get_by_label("Comment (optional)").fill(COMMENT_TEXT)
    _next(page, step=8)
    _next(page, "Send")
    expect(page.get_by_text("Thank you! Your answers are saved.")).to_be_visible(timeout=15_000)


def _record_an_action(page: Page, url: str) -> None:
    page.goto(f"{url}/lead_conversation?lang=en&community=2&step=Discuss")
    expect(page.get_by_role("heading", name="The conversation", exact=True)).to_be_visible(
        timeout=20_000
    )
    settle(page)
    page.get_by_label("What", exact=True).fill(ACTION_TEXT)
    page.get_by_label("Who", exact=True).fill("Community lead")
    page.get_by_role("button", name="Record action").click()
    expect(page.get_by_text("The action is recorded.")).to_be_visible(timeout=20_000)


def test_no_secret_comment_or_action_in_the_log(page: Page, own_app: Running) -> None:
    url = own_app.server.url
    page.set_viewport_size({"width": 1400, "height": 1000})
    submit_sign_in(page, url, ADMIN_EMAIL, WRONG_PASSWORD)
    expect(page.get_by_text("That email address and password do not match")).to_be_visible(
        timeout=15_000
    )
    submit_sign_in(page, url, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=20_000)
    settle(page)
    _sign_out(page)
    submit_sign_in(page, url, LEAD_EMAIL, LEAD_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=20_000)
    settle(page)
    _record_an_action(page, url)
    _sign_out(page)
    _answer_the_survey(page, url)

    log = own_app.log.read_text(encoding="utf-8", errors="replace")
    assert "Local URL" in log or "URL:" in log  # it is the app's log, and it has content
    assert [secret for secret in LOG_SECRETS if secret in log] == []
