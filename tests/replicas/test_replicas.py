"""Three `lc-health serve` replicas on one fresh PostgreSQL database behind nginx configured as
docs/deployment.md shows (tests/replicas/cluster.py says what is substituted on loopback).

- Started at the same moment, one replica migrates and the others wait for the advisory lock
  and find nothing to do (their logs, and alembic_version).
- A sign-in through the proxy holds on the other replicas (reached directly: every test client
  is 127.0.0.1, so the documented ip_hash sends all of them to one replica), and signing out
  ends it on all of them.
- 200 participants submit at once: some in Chromium through a round-robin variant of the
  documented proxy (the same file without ip_hash), the rest from threads through the app's own
  submission path (services.survey.submit, the function the survey page calls on Send, with its
  group-commit writer) on the same database. The survey is a Streamlit page with no HTTP form
  to post to, and two cores cannot run 200 browsers: the threads are the workshop's load on the
  database, the browsers prove the replicas and the proxy under it. One replica is killed with
  SIGKILL as the browsers press Send: every acknowledged answer is stored, participants whose
  page lost its replica open their link again through the proxy and finish on another one, and
  the totals are exactly 200 with tallies equal to a from-scratch aggregation.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import func, select, text
from sqlmodel import col

from lc_health.domain.instrument import Instrument, load_registry
from lc_health.runtime.config import Settings
from lc_health.services import accounts
from lc_health.services import survey as survey_service
from lc_health.store import db
from lc_health.store.models import Response, Role
from tests.browser.conftest import CHROMIUM_ARGS, SETTLED, _chromium
from tests.browser.test_load import STEP_TIMEOUT_MS, _fill_in, _prepare
from tests.factories import make_response_in
from tests.replicas.cluster import (
    Nginx,
    Replica,
    fresh_database,
    health,
    run_async,
    run_nginx,
    start_replicas,
    stop_replicas,
    wait_healthy,
)
from tests.tally_checks import assert_tallies_match_scratch

pytestmark = [pytest.mark.replicas, pytest.mark.postgres, pytest.mark.slow]

REPLICAS = 3
TOTAL = 200
BROWSERS = 6
FILLING_AT_ONCE = 6
THREADS = 30
ADMIN = "admin@replicas.example.org"
PASSWORD = "harbour-lantern-quiet-2026"
THANKS = "Thank you! Your answers are saved."


@dataclass
class Cluster:
    database_url: str
    replicas: list[Replica]
    sticky: Nginx
    spread: Nginx
    started_in: float
    instrument: Instrument


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("replicas")
    with fresh_database() as url:
        began = time.monotonic()
        replicas = start_replicas(url, folder, REPLICAS)
        try:
            for replica in replicas:
                wait_healthy(replica.url)
            started_in = time.monotonic() - began
            ports = [r.port for r in replicas]
            with (
                run_nginx(ports, folder) as sticky,
                run_nginx(ports, folder, spread=True) as spread,
            ):
                instrument = load_registry(Settings().surveys_dir).latest()
                yield Cluster(url, replicas, sticky, spread, started_in, instrument)
        finally:
            stop_replicas(replicas)
            for replica in replicas:
                assert "Traceback" not in replica.log_text(), replica.log_text()[-3000:]


def test_replicas_started_together_migrate_once(cluster: Cluster) -> None:
    logs = [replica.log_text() for replica in cluster.replicas]
    migrated = [log for log in logs if "database migrated from None to" in log]
    waited = [log for log in logs if re.search(r"database already at \w+ after", log)]
    assert len(migrated) == 1, logs
    # The others either waited for the lock while it migrated (logged) or, started later, found
    # it done; started in one loop, at least one of them waits on any machine.
    assert len(waited) >= 1, "no replica waited for the migration lock"
    engine = db.make_engine(cluster.database_url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert versions == [db.head_revision()]
    print(f"\n{REPLICAS} replicas healthy {cluster.started_in:.1f} s after a simultaneous start")  # noqa: T201


def _create_admin(url: str) -> None:
    engine = db.make_engine(url)
    with db.write_session(engine) as session:
        accounts.create_account(
            session=session,
            email=ADMIN,
            role=Role.admin,
            actor="test",
            password=PASSWORD,
            confirm=PASSWORD,
        )
    engine.dispose()


async def _signed_in(page: Page, url: str) -> bool:
    await page.goto(f"{url}/?lang=en")
    sign_out = page.get_by_role("button", name="Sign out")
    sign_in = page.get_by_role("button", name="Sign in", exact=True)
    await expect(sign_out.or_(sign_in)).to_be_visible(timeout=60_000)
    return await sign_out.is_visible()


async def _sign_in_everywhere(cluster: Cluster) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(args=CHROMIUM_ARGS, executable_path=_chromium())
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(f"{cluster.sticky.url}/?lang=en")
        await page.get_by_label("Email address").fill(ADMIN)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=60_000)
        cookie = next(c for c in await context.cookies() if c["name"] == "lc_health_session")
        # Cookies do not keep ports apart: the same browser reaches every replica with it.
        for replica in cluster.replicas:
            assert await _signed_in(page, replica.url), f"not signed in on {replica.url}"
        await page.goto(f"{cluster.sticky.url}/?lang=en")
        await page.wait_for_function(SETTLED, timeout=60_000)
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(
            timeout=60_000
        )
        # The browser forgot its cookie; a copy of it (stolen, or another tab) must be dead
        # on every replica too.
        for replica in cluster.replicas:
            other = await browser.new_context()
            await other.add_cookies([{**cookie, "domain": "127.0.0.1", "path": "/"}])  # type: ignore[list-item]
            assert not await _signed_in(await other.new_page(), replica.url)
            await other.close()
        await browser.close()


def test_sign_in_holds_on_every_replica_and_sign_out_ends_it_everywhere(cluster: Cluster) -> None:
    _create_admin(cluster.database_url)
    run_async(lambda: _sign_in_everywhere(cluster))


async def _finish_again(page: Page, base: str, token: str, instrument: Instrument) -> None:
    """A participant whose page lost its replica opens the link again (through the proxy):
    already stored, or restored at a step, or from the start."""
    await page.goto(f"{base}/?t={token}&lang=en")
    start = page.get_by_role("button", name="Start")
    change = page.get_by_role("button", name="Change my answers")
    send = page.get_by_role("button", name="Send")
    await expect(start.or_(change).or_(send)).to_be_visible(timeout=STEP_TIMEOUT_MS)
    if await change.is_visible():
        return  # the killed replica had stored it before it died
    if await start.is_visible():
        await start.click()
        await expect(page.get_by_text(re.compile(r"Step \d of 8"))).to_be_visible(
            timeout=STEP_TIMEOUT_MS
        )
        if not await send.is_visible():
            await _fill_in(page, base, token, instrument)
    await send.click(timeout=STEP_TIMEOUT_MS)
    await expect(page.get_by_text(THANKS)).to_be_visible(timeout=STEP_TIMEOUT_MS)


@dataclass
class BrowserOutcome:
    acknowledged: list[str]
    retried: list[str]
    errors: list[BaseException]
    ack_seconds: list[float] = field(default_factory=list)
    memory_mb: dict[int, tuple[float, float]] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # the replicas' CPU time while the browsers filled in the survey


def _cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (/proc/PID/stat fields 14 and 15)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]


async def _browser_burst(
    cluster: Cluster, tokens: list[str], go: threading.Event, kill: Replica
) -> BrowserOutcome:
    base, instrument = cluster.spread.url, cluster.instrument
    filling = asyncio.Semaphore(FILLING_AT_ONCE)
    outcome = BrowserOutcome([], [], [])

    async def fill(page: Page, token: str) -> None:
        async with filling:
            await _fill_in(page, base, token, instrument)

    async def send(page: Page, token: str) -> None:
        began = time.monotonic()
        await page.get_by_role("button", name="Send").click(timeout=STEP_TIMEOUT_MS)
        try:
            await expect(page.get_by_text(THANKS)).to_be_visible(timeout=30_000)
            outcome.acknowledged.append(token)
            outcome.ack_seconds.append(time.monotonic() - began)
        except AssertionError:
            outcome.retried.append(token)
            await _finish_again(page, base, token, instrument)

    before = {r.port: _rss_mb(r.proc.pid) for r in cluster.replicas}
    cpu_before = _cpu_seconds([r.proc.pid for r in cluster.replicas])
    async with async_playwright() as p:
        browser: Browser = await p.chromium.launch(args=CHROMIUM_ARGS, executable_path=_chromium())
        pages = [await (await browser.new_context()).new_page() for _ in tokens]
        filled = await asyncio.gather(
            *(fill(page, token) for page, token in zip(pages, tokens, strict=True)),
            return_exceptions=True,
        )
        outcome.cpu_seconds = _cpu_seconds([r.proc.pid for r in cluster.replicas]) - cpu_before
        outcome.memory_mb = {
            r.port: (before[r.port], _rss_mb(r.proc.pid)) for r in cluster.replicas
        }
        outcome.errors += [r for r in filled if isinstance(r, BaseException)]
        go.set()  # the threads submit now, and the replica dies as the browsers press Send
        os.kill(kill.proc.pid, signal.SIGKILL)
        sent = await asyncio.gather(
            *(send(page, token) for page, token in zip(pages, tokens, strict=True)),
            return_exceptions=True,
        )
        outcome.errors += [r for r in sent if isinstance(r, BaseException)]
        await browser.close()
    return outcome


def _thread_burst(
    cluster: Cluster, round_id: int, invitations: list[int], go: threading.Event
) -> tuple[list[BaseException], float]:
    engine = db.make_engine(cluster.database_url)
    errors: list[BaseException] = []

    def one(invitation_id: int) -> None:
        response = make_response_in(
            cluster.instrument,
            round_id=round_id,
            rng=random.Random(invitation_id),
            invitation_id=invitation_id,
            submission_key=f"thread-{invitation_id}",
        )
        try:
            survey_service.submit(
                engine,
                response=response,
                instrument=cluster.instrument,
                mark_invitation=invitation_id,
                open_link=False,
                session_id=uuid.uuid4().hex,
                seconds=None,
            )
        except BaseException as exc:  # noqa: BLE001  (collected and asserted)
            errors.append(exc)

    go.wait()
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(one, invitations))
    seconds = time.monotonic() - began
    engine.dispose()
    return errors, seconds


def test_two_hundred_at_once_over_the_replicas_one_killed(cluster: Cluster) -> None:
    round_id, tokens, invitations = _prepare(cluster.database_url, cluster.instrument)
    go = threading.Event()
    killed = cluster.replicas[-1]
    result: dict[str, object] = {}

    def threads() -> None:
        result["errors"], result["seconds"] = _thread_burst(
            cluster, round_id, invitations[BROWSERS:], go
        )

    worker = threading.Thread(target=threads)
    worker.start()
    try:
        outcome = run_async(lambda: _browser_burst(cluster, tokens[:BROWSERS], go, killed))
    finally:
        go.set()
        worker.join()
    assert outcome.errors == []
    assert result["errors"] == []
    assert killed.proc.wait(timeout=10) == -signal.SIGKILL
    # The proxy carries on: every request after the kill is answered by a live replica.
    assert [health(cluster.sticky.url) for _ in range(10)] == [200] * 10
    assert [health(cluster.spread.url) for _ in range(10)] == [200] * 10

    engine = db.make_engine(cluster.database_url)
    with db.read_session(engine) as session:
        stored = session.execute(
            select(func.count()).select_from(Response).where(Response.round_id == round_id)
        ).scalar_one()
        by_browser = session.execute(
            select(func.count())
            .select_from(Response)
            .where(col(Response.invitation_id).in_(invitations[:BROWSERS]))
        ).scalar_one()
    assert stored == TOTAL
    assert by_browser == BROWSERS  # acknowledged ones kept, the others finished elsewhere
    assert_tallies_match_scratch(engine, cluster.instrument, round_id)
    engine.dispose()
    seconds = float(str(result["seconds"]))
    print(  # noqa: T201  (the figures docs/deployment.md quotes; shown with -s)
        f"\n{TOTAL - BROWSERS} thread submissions in {seconds:.1f} s "
        f"({(TOTAL - BROWSERS) / seconds:.0f}/s) beside {BROWSERS} browsers; "
        f"{len(outcome.acknowledged)} acknowledged, {len(outcome.retried)} sent again "
        f"after the kill; Send to thanks p50 "
        f"{statistics.median(outcome.ack_seconds or [0.0]):.1f} s; replica memory (MB, before "
        f"and with {BROWSERS} sessions open): {outcome.memory_mb}; replica CPU while they "
        f"filled in the survey: {outcome.cpu_seconds:.1f} s ({outcome.cpu_seconds / BROWSERS:.1f}"
        " s a participant)"
    )
