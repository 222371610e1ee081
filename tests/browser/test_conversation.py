"""In Chromium at 1280 px: a lead runs the group's conversation from the overview, through the
dot vote and a "discussed, no action" note, to the closing summary; all of it is stored, and
the page never gets wider than the window."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlmodel import col

from lc_health.store import db
from lc_health.store.models import AgendaItem, Community, MeetingSummary, Round
from tests.browser.conftest import LEAD_PASSWORD, Server, open_step, settle, sign_in

LEAD = "trekker@demo.lc-health.nl"
FISH = "Noordzeevis op de Kaart"  # the other browser tests talk about the greenhouse
NOTE = "Chefs and fishers settled this <b>between</b> themselves"
SUMMARY = "We start with the shared vision.\nNext round: competition again."
NO_WIDER = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _community_id(server: Server) -> int:
    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        found = session.execute(select(Community.id).where(Community.name == FISH)).scalar_one()
    engine.dispose()
    return int(found)


def test_overview_vote_no_action_and_summary(page: Page, server: Server) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    community = _community_id(server)
    sign_in(page, server.url, LEAD, LEAD_PASSWORD, timeout_ms=20_000)
    page.goto(f"{server.url}/lead_conversation?lang=en&community={community}")
    expect(page.get_by_role("heading", name="The conversation", exact=True)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_role("heading", name="Actions still open")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name="Proposed for discussion")).to_be_visible()
    settle(page)
    assert page.evaluate(NO_WIDER)

    open_step(page, "Agenda")
    dots = page.get_by_role("spinbutton", name=re.compile(r"^Dots for "))
    expect(dots.first).to_be_visible(timeout=20_000)
    last = dots.last
    label = str(last.get_attribute("aria-label") or "")
    factor = label.removeprefix("Dots for ")
    last.fill("7")
    page.get_by_role("button", name="Save dots").click()
    expect(page.get_by_text("The dots are saved; the agenda is updated.")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_text(f"{factor} — 7 dots")).to_be_visible()
    settle(page)

    open_step(page, "Discuss")
    expect(page.get_by_role("heading", name=factor, exact=True)).to_be_visible(timeout=30_000)
    page.get_by_label("Why not? (briefly)").fill(NOTE)
    page.get_by_role("button", name="Record: no action").click()
    expect(page.get_by_text("Recorded: discussed, no action.")).to_be_visible(timeout=20_000)
    settle(page)
    assert page.evaluate(NO_WIDER)

    open_step(page, "Close")
    expect(page.get_by_text(NOTE, exact=True)).to_be_visible(timeout=20_000)  # as plain text
    page.get_by_role("textbox", name="Summary of the conversation").fill(SUMMARY)
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_text("The meeting is closed and the summary recorded.")).to_be_visible(
        timeout=20_000
    )
    expect(page.get_by_text(re.compile(r"^Closed on \d\d-\d\d-\d{4}\."))).to_be_visible()

    engine = db.make_engine(server.database_url)
    with db.read_session(engine) as session:
        # This community's agenda only: other browser tests share the server's database.
        items = (
            session.execute(
                select(AgendaItem)
                .join(Round, col(Round.id) == col(AgendaItem.round_id))
                .where(col(Round.community_id) == community)
            )
            .scalars()
            .all()
        )
        summaries = (
            session.execute(
                select(MeetingSummary)
                .join(Round, col(Round.id) == col(MeetingSummary.round_id))
                .where(col(Round.community_id) == community)
            )
            .scalars()
            .all()
        )
    engine.dispose()
    chosen = [i for i in items if factor.startswith(f"{i.factor_id}.")]
    assert len(chosen) == 1 and chosen[0].dots == 7
    assert (chosen[0].outcome, chosen[0].note) == ("no_action", NOTE)
    assert [s.text for s in summaries] == [SUMMARY]
