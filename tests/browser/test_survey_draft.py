"""In Chromium at 390 px: a participant answers two steps with a personal link, reloads the
page, finds the step and the answers back (kept on the server), and sends. And the link's
"You said, we did" page reads on a phone and a laptop (light and dark) without sideways
scrolling or a serious accessibility violation."""

from __future__ import annotations

from typing import Literal

from playwright.sync_api import Locator, Page, ViewportSize, expect
from sqlalchemy import func, select

from lc_health.domain.instrument import load_registry
from lc_health.store import db
from lc_health.store import invitations as istore
from lc_health.store.models import Answer, Community, Response, SurveyDraft
from tests.browser.conftest import Server, axe_violations, settle

MOBILE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
COMMUNITY = "Robotica Fieldlab Westland"


def _new_link(server: Server) -> tuple[str, int]:
    """A fresh personal link of the demo community (no answers, no draft)."""
    engine = db.make_engine(server.database_url)
    with db.write_session(engine) as session:
        community_id = session.execute(
            select(Community.id).where(Community.name == COMMUNITY)
        ).scalar_one()
        (link,) = istore.create_personal_links(session=session, community_id=community_id, count=1)
    engine.dispose()
    return link.token, link.invitation_id


def _stored(server: Server, invitation_id: int) -> tuple[dict[str, int | None], int]:
    """The link's stored answers and how many drafts it has."""
    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        answers = dict(
            session.execute(
                select(Answer.item_id, Answer.value)
                .join(Response, Response.id == Answer.response_id)
                .where(Response.invitation_id == invitation_id)
            ).all()
        )
        drafts = session.execute(
            select(func.count())
            .select_from(SurveyDraft)
            .where(SurveyDraft.invitation_id == invitation_id)
        ).scalar_one()
    engine.dispose()
    return answers, int(drafts)


def _next(page: Page, label: str = "Next", *, step: int | None = None) -> None:
    page.get_by_role("button", name=label).click()
    if step is not None:
        expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=15_000)
        settle(page)


def _layer_groups(page: Page, layer: int) -> Locator:
    instrument = load_registry().latest()
    items = instrument.items_in_layer(instrument.layers[layer].id)
    expect(page.get_by_text(items[-1].text.en)).to_be_visible(timeout=15_000)
    groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
    expect(groups).to_have_count(len(items))
    return groups


def test_answers_survive_a_reload_and_are_sent(page: Page, server: Server) -> None:
    token, invitation_id = _new_link(server)
    page.set_viewport_size(MOBILE)
    page.goto(f"{server.url}/?t={token}&lang=en")
    expect(page.get_by_role("heading", name=COMMUNITY)).to_be_visible(timeout=20_000)
    settle(page)
    _next(page, "Start", step=1)
    page.get_by_role("radiogroup", name="What is your role").get_by_text("Researcher").click()
    page.get_by_role("radiogroup", name="What kind of organisation").get_by_text("Company").click()
    _next(page, step=2)
    groups = _layer_groups(page, 0)
    count = groups.count()
    for index in range(count):
        groups.nth(index).get_by_text("Disagree", exact=True).click()
    _next(page, step=3)
    assert _stored(server, invitation_id) == ({}, 1)  # kept as a draft, nothing sent

    page.reload()
    expect(page.get_by_text("Step 3 of 8")).to_be_visible(timeout=20_000)
    settle(page)
    _next(page, "Back", step=2)
    groups = _layer_groups(page, 0)
    for index in range(count):
        radio = groups.nth(index).get_by_role("radio").nth(1)
        expect(radio).to_be_checked()
    _next(page, "Back", step=1)
    expect(page.get_by_role("radio", name="Researcher", exact=True)).to_be_checked()
    expect(page.get_by_role("radio", name="Company", exact=True)).to_be_checked()
    _next(page, step=2)
    _next(page, step=3)
    instrument = load_registry().latest()
    for layer in range(1, len(instrument.layers)):
        groups = _layer_groups(page, layer)
        for index in range(groups.count()):
            groups.nth(index).get_by_text("Agree", exact=True).click()
        _next(page, step=layer + 3)
    _next(page, step=7)  # forces
    _next(page, step=8)  # comment
    _next(page, "Send")
    expect(page.get_by_text("Thank you! Your answers are saved.")).to_be_visible(timeout=15_000)
    answers, drafts = _stored(server, invitation_id)
    assert drafts == 0
    first = {i.id for i in instrument.items_in_layer(instrument.layers[0].id)}
    assert {answers[i] for i in first} == {2}
    assert {v for k, v in answers.items() if k not in first} == {4}


def test_you_said_page_reads_on_a_phone_and_a_laptop(page: Page, server: Server) -> None:
    token, _ = _new_link(server)
    schemes: tuple[tuple[ViewportSize, Literal["light", "dark"]], ...] = (
        (MOBILE, "light"),
        (LAPTOP, "light"),
        (LAPTOP, "dark"),
    )
    for size, scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size(size)
        page.goto(f"{server.url}/?t={token}&lang=en&view=you_said")
        expect(page.get_by_role("heading", name="You said, we did")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("heading", name="What we are doing")).to_be_visible()
        settle(page)
        assert axe_violations(page) == [], scheme
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= size["width"], f"the page scrolls sideways at {size['width']} px"
