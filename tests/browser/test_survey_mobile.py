"""In Chromium at 390 px: a participant opens their personal link, completes the survey by
keyboard and touch, reopens the link, changes an answer; axe-core finds no serious or critical
violation on any step; the database holds exactly the final answers."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from lc_health.domain.credentials import hash_token
from lc_health.domain.instrument import load_registry
from lc_health.services.demo import DEMO_PARTICIPANT_TOKEN
from lc_health.store import db
from lc_health.store.models import Answer, Comment, Invitation, Response
from tests.browser.conftest import COMMENT_TEXT, Server, axe_violations, settle

MOBILE = {"width": 390, "height": 844}


def _next(page: Page, label: str = "Next", *, step: int | None = None) -> None:
    page.get_by_role("button", name=label).click()
    if step is not None:  # wait until the app has moved on
        expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=15_000)
        settle(page)


def _stored(server: Server) -> tuple[int, dict[str, int | None], str | None]:
    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        invitation = session.execute(
            select(Invitation).where(Invitation.token_hash == hash_token(DEMO_PARTICIPANT_TOKEN))
        ).scalar_one()
        responses = (
            session.execute(select(Response).where(Response.invitation_id == invitation.id))
            .scalars()
            .all()
        )
        latest = max(responses, key=lambda r: r.id or 0)
        answers = dict(
            session.execute(
                select(Answer.item_id, Answer.value).where(Answer.response_id == latest.id)
            ).all()
        )
        comment = session.execute(
            select(Comment.text).where(Comment.response_id == latest.id)
        ).scalar_one_or_none()
    engine.dispose()
    return len(responses), answers, comment


def test_participant_on_a_phone(page: Page, server: Server) -> None:
    page.set_viewport_size(MOBILE)
    before, _, _ = _stored(server)
    page.goto(f"{server.url}/?t={DEMO_PARTICIPANT_TOKEN}&lang=en")
    expect(page.get_by_role("heading", name="Robotica Fieldlab Westland")).to_be_visible(
        timeout=20_000
    )
    settle(page)
    problems: dict[str, list[str]] = {"welcome": axe_violations(page)}
    _next(page, "Start", step=1)
    page.get_by_role("radiogroup", name="What is your role").get_by_text("Student").click()
    kind = page.get_by_role("radiogroup", name="What kind of organisation")
    kind.get_by_text("mbo school").click()
    problems["profile"] = axe_violations(page)
    _next(page, step=2)
    instrument = load_registry().latest()
    for layer, spec in enumerate(instrument.layers):
        items = instrument.items_in_layer(spec.id)
        # Wait for this layer's own statements (Streamlit keeps the old screen a moment).
        expect(page.get_by_text(items[-1].text.en)).to_be_visible(timeout=15_000)
        groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
        expect(groups).to_have_count(len(items))
        for index in range(len(items)):
            # Keyboard: focus the group's first option, move with the arrow keys.
            group = groups.nth(index)
            group.get_by_role("radio").first.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")  # 4 = agree
        problems[f"layer {layer}"] = axe_violations(page)
        _next(page, step=layer + 3)
    page.get_by_role("button", name="Good communication").click()
    problems["forces"] = axe_violations(page)
    _next(page, step=7)
    page.get_by_label("Comment (optional)").fill(COMMENT_TEXT)
    problems["comment"] = axe_violations(page)
    _next(page, step=8)
    problems["review"] = axe_violations(page)
    _next(page, "Send")
    expect(page.get_by_text("Thank you! Your answers are saved.")).to_be_visible(timeout=15_000)
    problems["feedback"] = axe_violations(page)
    assert {step: found for step, found in problems.items() if found} == {}

    count, answers, comment = _stored(server)
    assert count == before + 1
    assert len(answers) == 21 and set(answers.values()) == {4}  # the current round is on v2
    assert comment == COMMENT_TEXT

    # Later: the same link, prefilled; change the first statement to "strongly agree".
    page.goto(f"{server.url}/?t={DEMO_PARTICIPANT_TOKEN}&lang=en")
    expect(page.get_by_text("You have already answered this round")).to_be_visible(timeout=20_000)
    settle(page)
    _next(page, "Change my answers", step=1)
    _next(page, step=2)
    first = page.locator(".st-key-ratings").get_by_role("radiogroup").first
    first.get_by_text("Strongly agree", exact=True).click()
    expect(first.get_by_role("radio").nth(4)).to_be_checked()
    for step in range(3, 9):
        _next(page, step=step)
    _next(page, "Send")
    expect(page.get_by_text("Thank you! Your answers are saved.")).to_be_visible(timeout=15_000)
    count_after, answers_after, _ = _stored(server)
    assert count_after == count  # replaced, not added
    assert answers_after["ind_f01"] == 5
    assert sum(v == 4 for v in answers_after.values()) == 20


def test_language_switch_keeps_unsent_answers(page: Page, server: Server) -> None:
    """Answers chosen on a step but not yet sent with Next survive a switch of language."""
    page.set_viewport_size(MOBILE)
    page.goto(f"{server.url}/?t={DEMO_PARTICIPANT_TOKEN}&lang=en")
    expect(page.get_by_role("heading", name="Robotica Fieldlab Westland")).to_be_visible(
        timeout=60_000
    )
    settle(page)
    # "Start", or "Change my answers" when the phone test ran first with the same link.
    start = page.get_by_role("button", name=re.compile(r"^(Start|Change my answers)$"))
    start.click()
    expect(page.get_by_text("Step 1 of 8")).to_be_visible(timeout=15_000)
    settle(page)
    page.get_by_role("radiogroup", name="What is your role").get_by_text("Teacher").click()
    page.get_by_role("radiogroup", name="What kind of organisation").get_by_text("Company").click()
    _next(page, step=2)
    instrument = load_registry().latest()
    items = instrument.items_in_layer(instrument.layers[0].id)
    groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
    expect(groups).to_have_count(len(items))
    for index in range(len(items)):
        groups.nth(index).get_by_text("Disagree", exact=True).click()
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_text("Stap 2 van 8")).to_be_visible(timeout=15_000)
    settle(page)
    groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
    for index in range(len(items)):
        expect(groups.nth(index).get_by_role("radio").nth(1)).to_be_checked()
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_text("Stap 3 van 8")).to_be_visible(timeout=15_000)
