"""Page timings in Chromium: `lc-health bench --pages [--scale L] [--database-url URL]` serves
the app (`streamlit run app.py`) on a kept benchmark database, signs in as an administrator
through the sign-in form, and times how long each page takes to show its content; it also reads
the server's resident memory from /proc.

Every tab of a page is timed too: opened by its URL (`?tab=...`, as the pages keep the open tab
in the URL) until something drawn in the open tab shows (a chart drawn by Vega, a table, a
download button, a notice or a comment).

Run `lc-health bench --scale L --keep` first. Pages are described generically (menu path and a
CSS selector that appears once the content is there), so pages still being written are
measured once they are in the menu, and skipped (with a note) until then.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lc_health.bench.target import BenchError, Target, default_url, holds_bench_data
from lc_health.domain.enums import Role
from lc_health.domain.i18n import translate
from lc_health.services.auth import find_user
from lc_health.store import db
from lc_health.store import users as ustore

ROOT = Path(__file__).resolve().parents[2]
ADMIN_EMAIL = "bench-admin@example.org"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 90
PAGE_TIMEOUT_MS = 120_000
VISITS = 6  # the first is cold (empty server caches), the rest warm
TAB_VISITS = 3  # per further tab: its first view (the data is cached by then), two more
TAB_TARGET_S = 2.0  # every tab drawn within this
SESSIONS = 20  # signed-in browser sessions held open at once for the memory measure
SESSIONS_TARGET_MB = 500  # the server's VmRSS with SESSIONS sessions open
# A chart counts once Vega has drawn it (its canvas or svg of marks), not when its box appears.
CHART = '[data-testid="stVegaLiteChart"] .marks'
TAB_CONTENT = ", ".join(
    [f'[role="tabpanel"] {CHART}']
    + [
        f'[role="tabpanel"] [data-testid="{kind}"]'
        for kind in ("stDataFrame", "stDownloadButton", "stAlert", "stText")
    ]
)


@dataclass(frozen=True)
class PageSpec:
    label: str
    module: str  # the URL path the page is served at
    ready: str  # CSS selector that appears when the content is shown
    target_s: float | None = None
    tabs: tuple[str, ...] = ()  # message keys of the tabs after the first (timed one by one)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "portfolio",
        "portfolio",
        CHART,
        2.5,
        tuple(
            f"portfolio.tab_{tab}"
            for tab in ("spread", "time", "forces", "participation", "export")
        ),
    ),
    PageSpec(
        "round review",
        "lead_review",
        '[data-testid="stMetric"]',
        2.0,
        tuple(
            f"review.tab_{tab}"
            for tab in ("factors", "change", "forces", "trends", "breakdowns", "comments", "export")
        ),
    ),
    PageSpec("communities overview", "communities", CHART),
)


@dataclass(frozen=True)
class PageOptions:
    scale: str
    database_url: str | None


@dataclass(frozen=True)
class PageTiming:
    spec: PageSpec
    first: float
    warm: list[float]
    rss_kib: int
    peak_kib: int
    tabs: tuple[tuple[str, float, float], ...] = ()  # label, first view, warm p50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory_kib(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM (the peak) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _admin(url: str) -> str:
    """An administrator account in the benchmark database, with a fresh password."""
    password = secrets.token_urlsafe(18)
    engine = db.make_engine(url)
    try:
        if not holds_bench_data(engine):
            raise BenchError("--pages needs a database made by `lc-health bench --keep`")
        with db.write_session(engine) as session:
            user = find_user(session=session, email=ADMIN_EMAIL)
            if user is None:
                ustore.create_user(
                    session=session,
                    email=ADMIN_EMAIL,
                    role=Role.admin,
                    name="Bench",
                    password=password,
                    confirm=password,
                )
            else:
                assert user.id is not None
                ustore.set_password(
                    session=session, user_id=user.id, password=password, confirm=password
                )
    finally:
        engine.dispose()
    return password


def _menu_pages() -> set[str]:
    # The UI modules cache with Streamlit, which warns when imported outside a running app.
    import streamlit.runtime.caching.cache_data_api  # noqa: F401  (creates the logger first)

    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
    from lc_health.ui.navigation import pages_for

    return set(pages_for(Role.admin))


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_HEALTH_")}
    cookie = secrets.token_urlsafe(32)
    env |= {
        "LC_HEALTH_DATABASE_URL": url,
        "LC_HEALTH_COOKIE_SECRET": cookie,
        "STREAMLIT_SERVER_COOKIE_SECRET": cookie,
        "LC_HEALTH_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise BenchError(f"the app did not start; see {log}")


def _sign_in(page: Any, base: str, password: str) -> None:
    page.goto(base)
    page.get_by_role("textbox", name=translate("en", "signin.email")).fill(ADMIN_EMAIL)
    page.get_by_role("textbox", name=translate("en", "signin.password")).fill(password)
    page.get_by_role("button", name=translate("en", "signin.submit")).click()
    # Signed in once the account box offers to sign out.
    page.get_by_role("button", name=translate("en", "nav.sign_out")).wait_for(
        timeout=PAGE_TIMEOUT_MS
    )


def _shown(page: Any, url: str, selector: str) -> float:
    """Seconds from navigating to url until selector is visible; inf when it never shows
    within PAGE_TIMEOUT_MS (the report says so, and the run goes on)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.perf_counter()
    try:
        page.goto(url, wait_until="commit", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(selector, state="visible", timeout=PAGE_TIMEOUT_MS)
    except PlaywrightTimeout:
        return math.inf
    return time.perf_counter() - started


def _time_page(page: Any, base: str, spec: PageSpec, pid: int) -> PageTiming:
    samples: list[float] = []
    while len(samples) < VISITS and math.inf not in samples:  # a page that times out once
        samples.append(_shown(page, f"{base}/{spec.module}", spec.ready))
    tabs = []
    for key in spec.tabs if math.inf not in samples else ():  # ... has its tabs skipped
        label = translate("en", key)
        url = f"{base}/{spec.module}?tab={urllib.parse.quote(label)}"
        seen: list[float] = []
        while len(seen) < TAB_VISITS and math.inf not in seen:  # one time-out is enough
            seen.append(_shown(page, url, TAB_CONTENT))
            if seen[-1] == math.inf:
                continue
            shown = page.locator('[role="tab"][aria-selected="true"]').first.inner_text()
            if shown.strip() != label:  # the default tab would have been timed instead
                raise BenchError(f"{spec.label}: asked for tab {label!r}, {shown!r} is open")
        tabs.append((label, seen[0], statistics.median(seen[1:] or seen)))
    rss, peak = _memory_kib(pid)
    return PageTiming(spec, samples[0], samples[1:] or samples, rss, peak, tuple(tabs))


@dataclass(frozen=True)
class SessionMemory:
    """The server's memory once SESSIONS signed-in sessions have each shown the pages."""

    sessions: int
    rss_kib: int
    peak_kib: int
    seconds: float  # to sign all of them in and show their pages
    pages: tuple[str, ...]  # the pages each session showed
    timed_out: int = 0  # pages that did not show within PAGE_TIMEOUT_MS


def _sessions(
    browser: Any, base: str, password: str, specs: list[PageSpec], pid: int
) -> SessionMemory:
    """SESSIONS browser contexts (each its own cookies, so its own sign-in and server
    session), every one signed in and showing each page; all stay open for the reading."""
    started = time.perf_counter()
    contexts = []
    late = 0
    try:
        for _ in range(SESSIONS):
            context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
            contexts.append(context)
            page = context.new_page()
            _sign_in(page, base, password)
            for spec in specs:
                late += _shown(page, f"{base}/{spec.module}", spec.ready) == math.inf
            if late:  # the pages do not show: more sessions would only wait longer
                break
        seconds = time.perf_counter() - started
        rss, peak = _memory_kib(pid)
    finally:
        for context in contexts:
            context.close()
    return SessionMemory(len(contexts), rss, peak, seconds, tuple(s.label for s in specs), late)


def run_pages(options: PageOptions) -> list[PageTiming]:
    from playwright.sync_api import sync_playwright

    target = Target(options.database_url or default_url(options.scale))
    path = target.sqlite_path
    # The server runs in the repository's folder: give it the file's absolute path.
    url = f"sqlite:///{path.resolve()}" if path is not None else target.url
    password = _admin(url)
    menu = _menu_pages()
    specs = [s for s in PAGES if s.module in menu]
    missing = [s.label for s in PAGES if s.module not in menu]
    port = _free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"lc-health-bench-pages-{port}.log"
    proc = _serve(url, port, log)
    base = f"http://127.0.0.1:{port}"
    timings = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                args=CHROMIUM_ARGS, executable_path=shutil.which("chromium")
            )
            page = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
            tab = page.new_page()
            _sign_in(tab, base, password)
            idle_rss, _ = _memory_kib(proc.pid)
            for spec in specs:
                timings.append(_time_page(tab, base, spec, proc.pid))
            page.close()  # the measuring session: the 20 below are new ones
            held = _sessions(browser, base, password, specs[:2], proc.pid)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(_render(options, timings, missing, idle_rss, held))
    return timings


def _s(seconds: float) -> str:
    """A column of ten characters: seconds, or the time-out when the content never showed."""
    shown = f"{seconds:.2f}s" if seconds != math.inf else f"> {PAGE_TIMEOUT_MS / 1000:.0f}s"
    return f"{shown:>10}"


def _render(
    options: PageOptions,
    timings: list[PageTiming],
    missing: list[str],
    idle_rss: int,
    held: SessionMemory,
) -> str:
    lines = [
        f"lc-health bench --pages, scale {options.scale}: time until the page shows its content "
        f"in Chromium (first visit, then p50 of {VISITS - 1} more); server memory from /proc",
        f"targets: the first portfolio visit <= {PAGES[0].target_s} s, every tab drawn <= "
        f"{TAB_TARGET_S} s, server VmRSS <= {SESSIONS_TARGET_MB} MB with {SESSIONS} sessions",
        f"{'page':<24}{'first':>10}{'warm p50':>10}{'target':>8}  server VmRSS / peak (VmHWM)",
    ]
    for t in timings:
        target = f"{t.spec.target_s:g} s" if t.spec.target_s else "-"
        lines.append(
            f"{t.spec.label:<24}{_s(t.first)}{_s(statistics.median(t.warm))}{target:>8}  "
            f"{t.rss_kib / 1024:,.0f} MB / {t.peak_kib / 1024:,.0f} MB"
        )
        for label, first, warm in t.tabs:
            lines.append(f"{'  tab ' + label:<24}{_s(first)}{_s(warm)}{f'{TAB_TARGET_S:g} s':>8}")
    lines.append(
        f"{f'{held.sessions} sessions':<24}{held.seconds:>9.1f}s{'':>10}"
        f"{f'{SESSIONS_TARGET_MB} MB':>8}  {held.rss_kib / 1024:,.0f} MB / "
        f"{held.peak_kib / 1024:,.0f} MB  (each signed in, showing "
        f"{' and '.join(held.pages)}; all open at the reading"
        + (f"; {held.timed_out} pages timed out)" if held.timed_out else ")")
    )
    lines.append(f"server VmRSS after sign-in, before the pages: {idle_rss / 1024:,.0f} MB")
    if any(math.inf in (t.first, *t.warm) for t in timings):
        lines.append(
            f"> {PAGE_TIMEOUT_MS / 1000:.0f}s: not shown within PAGE_TIMEOUT_MS; a page that "
            "times out is not visited again, nor are its tabs"
        )
    if missing:
        lines.append("not in the menu yet, so not measured: " + ", ".join(missing))
    return "\n".join(lines)
