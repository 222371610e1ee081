"""200 participants submit to one round within a minute: 180 through the store from threads and
20 in real Chromium sessions through the app, at the same time. Exactly 200 responses, no error;
on SQLite and on PostgreSQL.

The browsers first fill in the survey (as people do, over a few minutes), wait at the review
step, and then all press Send in the same moment the store threads start: the minute is the
submission window, not the time 20 headless browsers need to click through on two cores."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright, expect
from sqlalchemy import create_engine, func, select, text

from lc_health.domain.instrument import Instrument
from lc_health.store import communities as cstore
from lc_health.store import db, tallies
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store.models import Response
from lc_health.store.rounds import create_round
from tests.browser.conftest import CHROMIUM_ARGS, SETTLED, _chromium, run_app
from tests.conftest import _postgres_url
from tests.factories import make_response_in

TOTAL = 200
BROWSERS = 20
THREADS = 30
WITHIN_SECONDS = 60


def _prepare(url: str, instrument: Instrument) -> tuple[int, list[str], list[int]]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    today = date.today()
    with db.write_session(engine) as session:
        community = cstore.create_community(session=session, name="Drukte Lab")
        assert community.id is not None
        rnd = create_round(
            session=session,
            community_id=community.id,
            period="2026-Q4",
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=30),
            instrument_id=instrument.id,
            instrument_version=instrument.version,
        )
        links = istore.create_personal_links(
            session=session, community_id=community.id, count=TOTAL
        )
        assert rnd.id is not None
    engine.dispose()
    return rnd.id, [x.token for x in links], [x.invitation_id for x in links]


STEP_TIMEOUT_MS = 120_000
# How many browsers fill in their survey at the same time. Two cores cannot render twenty
# Streamlit pages at once in reasonable time; the moment that matters, pressing Send, is
# shared by all twenty.
FILLING_AT_ONCE = 4


async def _advance(page: Page, step: int) -> None:
    """Press Next until "Step {step} of 8" shows. Under load Streamlit can still show the
    previous screen for a moment, and a click on it is lost; a person would press again."""
    for _ in range(4):
        # Streamlit may briefly show the old screen's button next to the new one: wait for
        # the run to settle (see conftest.settle), and press again if a second one appeared.
        await page.wait_for_function(SETTLED, timeout=STEP_TIMEOUT_MS)
        await expect(page.get_by_role("button", name="Next")).to_have_count(
            1, timeout=STEP_TIMEOUT_MS
        )
        try:
            await page.get_by_role("button", name="Next").click(timeout=STEP_TIMEOUT_MS)
        except PlaywrightError:
            continue
        try:
            await expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=30_000)
            return
        except AssertionError:
            continue
    await expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=STEP_TIMEOUT_MS)


async def _participant(
    page: Page,
    base: str,
    token: str,
    instrument: Instrument,
    ready: asyncio.Queue[str],
    go: asyncio.Event,
    filling: asyncio.Semaphore,
) -> None:
    async with filling:
        await _fill_in(page, base, token, instrument)
    await ready.put(token)
    await go.wait()
    await page.get_by_role("button", name="Send").click(timeout=STEP_TIMEOUT_MS)
    await expect(page.get_by_text("Thank you! Your answers are saved.")).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )


async def _fill_in(page: Page, base: str, token: str, instrument: Instrument) -> None:
    await page.goto(f"{base}/?t={token}&lang=en")
    await page.get_by_role("button", name="Start").click(timeout=STEP_TIMEOUT_MS)
    await expect(page.get_by_text("Step 1 of 8")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    await page.get_by_role("radiogroup", name="What is your role").get_by_text("Teacher").click()
    await (
        page.get_by_role("radiogroup", name="What kind of organisation")
        .get_by_text("Company")
        .click()
    )
    await _advance(page, 2)
    for number, layer in enumerate(instrument.layers, start=3):
        items = instrument.items_in_layer(layer.id)
        await expect(page.get_by_text(items[-1].text.en)).to_be_visible(timeout=STEP_TIMEOUT_MS)
        groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
        for index in range(len(items)):
            group = groups.nth(index)
            await group.get_by_text("Agree", exact=True).click(timeout=STEP_TIMEOUT_MS)
            await expect(group.get_by_role("radio").nth(3)).to_be_checked(timeout=STEP_TIMEOUT_MS)
        await _advance(page, number)
    await _advance(page, 7)  # past the forces, nothing chosen
    await _advance(page, 8)  # past the comment, to the review


async def _browsers(
    base: str, tokens: list[str], instrument: Instrument, start: threading.Event
) -> tuple[list[BaseException], float]:
    """Run the browser participants; returns their errors and the submit phase's seconds."""
    executable = _chromium()
    ready: asyncio.Queue[str] = asyncio.Queue()
    go = asyncio.Event()
    filling = asyncio.Semaphore(FILLING_AT_ONCE)
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            args=CHROMIUM_ARGS, **({"executable_path": executable} if executable else {})
        )
        pages = []
        for _ in tokens:
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            pages.append(await context.new_page())
        tasks = [
            asyncio.create_task(_participant(page, base, token, instrument, ready, go, filling))
            for page, token in zip(pages, tokens, strict=True)
        ]
        arrived = 0
        # Wait until every participant is at the review step (or has failed on the way).
        while arrived + sum(task.done() for task in tasks) < len(tasks):
            try:
                await asyncio.wait_for(ready.get(), timeout=1)
                arrived += 1
            except TimeoutError:
                continue
        start.set()  # the store's participants submit now, too
        go.set()
        began = time.monotonic()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        seconds = time.monotonic() - began
        await browser.close()
    return [r for r in results if isinstance(r, BaseException)], seconds


def _store_participants(
    url: str,
    round_id: int,
    invitations: list[int],
    instrument: Instrument,
    start: threading.Event,
) -> list[BaseException]:
    engine = db.make_engine(url)
    start.wait()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one(invitation_id: int) -> None:
        response = make_response_in(
            instrument,
            round_id=round_id,
            invitation_id=invitation_id,
            submission_key=f"store-{invitation_id}",
        )
        try:
            with db.write_session(engine) as session:
                response_store.save_response(
                    session=session, response_in=response, instrument=instrument
                )
        except BaseException as exc:  # noqa: BLE001  (collected and asserted)
            with lock:
                errors.append(exc)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(one, invitations))
    engine.dispose()
    return errors


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_two_hundred_participants_within_a_minute(
    backend: str, tmp_path: Path, instrument: Instrument
) -> None:
    schema = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'load.db'}"
    else:
        base = _postgres_url()
        schema = f"load_{uuid.uuid4().hex[:10]}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    try:
        round_id, tokens, invitations = _prepare(url, instrument)
        with run_app(url, tmp_path, extra_env={"LC_HEALTH_SEED_DEMO_ON_EMPTY": "false"}) as app:
            start = threading.Event()
            outcome: dict[str, object] = {}

            def browsers() -> None:
                outcome["errors"], outcome["seconds"] = asyncio.run(
                    _browsers(app.server.url, tokens[:BROWSERS], instrument, start)
                )
                start.set()  # never leave the store waiting, even after a failure

            worker = threading.Thread(target=browsers)
            worker.start()
            began_store = None
            start.wait()
            began_store = time.monotonic()
            store_errors = _store_participants(
                url, round_id, invitations[BROWSERS:], instrument, start
            )
            store_seconds = time.monotonic() - began_store
            worker.join()
        browser_errors = outcome.get("errors", [])
        elapsed = max(float(str(outcome.get("seconds", 0.0))), store_seconds)
        assert browser_errors == [] and store_errors == []
        engine = db.make_engine(url)
        with db.read_session(engine) as session:
            stored = session.execute(
                select(func.count()).select_from(Response).where(Response.round_id == round_id)
            ).scalar_one()
            counted = tallies.round_counts(session=session, round_ids=[round_id])
        engine.dispose()
        assert stored == TOTAL
        assert counted["responses"].tolist() == [TOTAL]
        assert elapsed < WITHIN_SECONDS, f"{TOTAL} participants took {elapsed:.0f} s"
        print(  # noqa: T201  (shown with -s: the figure for the closing report)
            f"{backend}: {TOTAL} participants submitted in {elapsed:.1f} s "
            f"(store threads {store_seconds:.1f} s)"
        )
    finally:
        if schema is not None:
            admin = create_engine(_postgres_url())
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
