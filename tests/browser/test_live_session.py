"""A whole live session in Chromium: a lead starts it on a 1920×1080 projector, ten phones
(390×844, each its own browser context) join with the code, answer the twelve statements (one
of them loses its page halfway and finds its answers again) and send; the projector counts
them, the lead reveals, reorders the factors to discuss and moves into the conversation, where
the room stands next to the round and an action is recorded."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlmodel import col

from lc_health.store import db
from lc_health.store.models import Action, Community, LiveSession, LiveSheet
from tests.browser.conftest import LEAD_PASSWORD, Server, open_step, settle, sign_in

LEAD = "trekker@demo.lc-health.nl"
ROOM = "Bijenlinten Midden-Delfland"  # the other browser tests talk about the others
PHONES = 10
ACTION = "Live test: ask the province about a second funding year"
NO_SCROLL = "() => document.querySelector('.stMain').scrollHeight <= window.innerHeight + 2"
SHOTS = os.environ.get("LC_HEALTH_TEST_SHOTS")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def _community_id(server: Server, name: str) -> int:
    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        found = session.execute(select(Community.id).where(Community.name == name)).scalar_one()
    engine.dispose()
    return int(found)


def _answer(phone: Page, values: list[str], *, upto: int = 12) -> None:
    groups = phone.locator(".st-key-live_answers [data-testid='stButtonGroup']")
    expect(groups.first).to_be_visible(timeout=30_000)
    for i in range(upto):
        # No wait between taps: each tap's run carries every answer chosen so far.
        groups.nth(i).get_by_text(values[i], exact=True).click()


def _values(n: int) -> list[str]:
    return [str(1 + (n + f) % 5) if (n + f) % 7 else "?" for f in range(12)]


def _phones(browser: Browser, url: str, code: str) -> None:
    """Ten phones, driven side by side (each step for all phones, then the next step), so
    the server serves them at the same time, as in a room."""
    contexts = [browser.new_context(viewport={"width": 390, "height": 844}) for _ in range(PHONES)]
    phones = [context.new_page() for context in contexts]
    for phone in phones:
        phone.goto(f"{url}/?join={code}&lang=en")
    for phone in phones:
        phone.get_by_role("button", name="Join").click()
    first = phones[0]
    _answer(first, _values(0), upto=5)
    expect(first.get_by_text("5 answers kept.")).to_be_visible(timeout=20_000)
    first.reload()  # the connection was lost: the answers come back from the server
    expect(first.get_by_text("5 answers kept.")).to_be_visible(timeout=30_000)
    _shot(first, "phone-resumed")
    for n, phone in enumerate(phones):
        _answer(phone, _values(n))
    for phone in phones:
        expect(phone.get_by_text("12 answers kept.")).to_be_visible(timeout=30_000)
        phone.get_by_role("button", name="Send").click()
    for phone in phones:
        expect(phone.get_by_text(re.compile("^Thank you!"))).to_be_visible(timeout=30_000)
    _shot(phones[1], "phone-sent")
    for context in contexts:
        context.close()


def test_a_room_scores_reveals_and_talks(page: Page, browser: Browser, server: Server) -> None:
    page.set_viewport_size({"width": 1920, "height": 1080})
    community = _community_id(server, ROOM)
    sign_in(page, server.url, LEAD, LEAD_PASSWORD)
    page.goto(f"{server.url}/lead_live?lang=en&community={community}")
    page.get_by_role("button", name="Start the session").click()
    code_box = page.locator(".st-key-live_code")
    expect(code_box).to_be_visible(timeout=30_000)
    code = code_box.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code), code
    expect(page.get_by_role("img", name=f"QR code to join with code {code}")).to_be_visible()
    expect(page.locator(".st-key-live_counts")).to_contain_text("Joined: 0")
    _shot(page, "projector-waiting")
    assert page.evaluate(NO_SCROLL)

    _phones(browser, server.url, code)
    counts = page.locator(".st-key-live_counts")
    expect(counts).to_contain_text(f"Answered: {PHONES}", timeout=5_000)  # refreshed every 1 s

    page.get_by_role("button", name="Reveal the result").click()
    expect(page.get_by_text("Proposed for discussion")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30_000)
    settle(page)
    _shot(page, "projector-revealed")
    assert page.evaluate(NO_SCROLL)

    # Reorder: factor 12 (whether proposed or not) is to be discussed first.
    side = page.get_by_test_id("stSidebar")
    side.get_by_label("Factor", exact=True).click()
    page.get_by_role("option", name="12. System innovation").click()
    side.get_by_role("button", name="Discuss first").click()
    first = page.locator(".st-key-live_discuss li").first
    expect(first).to_have_text("System innovation", timeout=20_000)
    settle(page)

    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        row = session.execute(
            select(LiveSession).where(col(LiveSession.community_id) == community)
        ).scalar_one()
        sheets = (
            session.execute(select(LiveSheet).where(col(LiveSheet.session_id) == row.id))
            .scalars()
            .all()
        )
        order = json.loads(row.factor_order)
    assert len(sheets) == PHONES and all(s.sent_at is not None for s in sheets)
    assert order[0] == 12 and sorted(order) == sorted(set(order))

    page.get_by_role("button", name="Discuss these factors").click()
    expect(page.get_by_text("This conversation comes from a live session")).to_be_visible(
        timeout=30_000
    )
    open_step(page, "Discuss")
    expect(
        page.get_by_role("heading", name="Today's room, next to the round's figures")
    ).to_be_visible(timeout=30_000)
    _shot(page, "conversation-room")
    page.get_by_label("What", exact=True).fill(ACTION)
    page.get_by_label("Who", exact=True).fill("Lead")
    page.get_by_role("button", name="Record action").click()
    expect(page.get_by_text("The action is recorded.")).to_be_visible(timeout=20_000)
    with db.read_session(engine) as session:
        actions = session.execute(select(Action).where(col(Action.what) == ACTION)).scalars().all()
    engine.dispose()
    assert len(actions) == 1 and actions[0].factor_id == order[0]


TIED_ROOM = "Duurzame Kas Lansingerland"
WIDE = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


def _tied_session(server: Server) -> tuple[str, int]:
    """A session tied to the community's open round (the demo's running quarter)."""
    from datetime import date

    from lc_health.services import live
    from lc_health.store.rounds import open_round_for

    community = _community_id(server, TIED_ROOM)
    engine = db.make_engine(server.database_url)
    with db.write_session(engine) as session:
        rnd = open_round_for(session=session, community_id=community, today=date.today())
        assert rnd is not None and rnd.id is not None
        row = live.start(
            session,
            actor=LEAD,
            community_id=community,
            round_id=rnd.id,
            threshold=5,
            today=date.today(),
        )
        code, session_id = row.code, row.id
    engine.dispose()
    assert session_id is not None
    return code, session_id


def test_a_tied_phone_pages_through_the_rounds_statements_at_390(
    browser: Browser, server: Server
) -> None:
    """A phone of a session tied to the open round: a layer per screen, no sideways scrolling
    at 390×844, and a sheet sent as "already answered" stays out of the round."""
    code, session_id = _tied_session(server)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(f"{server.url}/?join={code}&lang=en")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_text("Screen 1 of")).to_be_visible(timeout=30_000)
    pages = int(phone.get_by_text("Screen 1 of").inner_text().split()[-1])
    for page_number in range(1, pages + 1):
        expect(phone.get_by_text(f"Screen {page_number} of {pages}")).to_be_visible(timeout=20_000)
        settle(phone)
        assert phone.evaluate(WIDE), f"screen {page_number} scrolls sideways"
        groups = phone.locator(".st-key-live_answers [data-testid='stButtonGroup']")
        for i in range(groups.count()):
            groups.nth(i).get_by_text("3" if i % 4 else "?", exact=True).click()
        settle(phone)
        _shot(phone, f"phone-tied-{page_number}")
        if page_number < pages:
            phone.get_by_role("button", name="Next").click()
    phone.get_by_text("Yes: count my answers in this room only").click()
    phone.get_by_role("button", name="Send").click()
    expect(phone.get_by_text("in the room's picture only")).to_be_visible(timeout=30_000)
    context.close()
    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        sheet = session.execute(
            select(LiveSheet).where(col(LiveSheet.session_id) == session_id)
        ).scalar_one()
    engine.dispose()
    assert sheet.sent_at is not None and sheet.in_round is False
