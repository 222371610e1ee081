"""Real-browser tests: the app served by `streamlit run app.py` on a free port with a private
demo database, driven by Playwright in Chromium (the system's, e.g. Debian's package, when
there is one)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lc_health.bench.pages import CHROMIUM_ARGS
from lc_health.services.demo import DEMO_PARTICIPANT_TOKEN

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
REQUIRED_VAR = "LC_HEALTH_TEST_REQUIRE_BROWSER"
START_TIMEOUT_S = 60

# Texts that pass through the app in the browser tests and must never reach its log.
ADMIN_PASSWORD = "demo-admin-2026"
LEAD_PASSWORD = "demo-lead-2026"
WRONG_PASSWORD = "not the password"
COMMENT_TEXT = "Meer demo's graag 🌱"
ACTION_TEXT = "Browser test: invite the alderman to the spring demo"
LOG_SECRETS: tuple[str, ...] = (
    ADMIN_PASSWORD,
    LEAD_PASSWORD,
    WRONG_PASSWORD,
    DEMO_PARTICIPANT_TOKEN,
    "Meer demo's graag",
    "Browser test: invite the alderman",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(pytest.mark.browser)


def _chromium() -> str | None:
    return os.environ.get("LC_HEALTH_TEST_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    executable = _chromium()
    args: dict[str, Any] = {"args": CHROMIUM_ARGS}
    if executable:
        args["executable_path"] = executable
    return args


@pytest.fixture(scope="session", autouse=True)
def _browser_available(browser_type_launch_args: dict[str, Any]) -> None:
    if "executable_path" in browser_type_launch_args:
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        if Path(p.chromium.executable_path).exists():
            return
    if os.environ.get(REQUIRED_VAR):
        pytest.fail("no Chromium found, but browser tests are required")
    pytest.skip("no Chromium: apt-get install chromium, or python -m playwright install chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str


@dataclass(frozen=True)
class Running:
    server: Server
    log: Path


@contextmanager
def run_app(
    database_url: str, folder: Path, *, demo: bool = True, extra_env: dict[str, str] | None = None
) -> Iterator[Running]:
    """Start `streamlit run app.py` on a free port against database_url; stop it afterwards and
    fail if it logged a traceback or any of LOG_SECRETS."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_HEALTH_")}
    env |= {
        "LC_HEALTH_DATABASE_URL": database_url,
        "LC_HEALTH_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if demo:
        env["LC_HEALTH_DEMO"] = "true"
    env |= extra_env or {}
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
    log_path = folder / f"server-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"app did not start; see {log_path}")
        yield Running(Server(url=url, database_url=database_url), log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        text = log_path.read_text(encoding="utf-8", errors="replace")
        if "Traceback" in text:
            pytest.fail(f"the app logged a traceback during browser tests:\n{text[-4000:]}")
        leaked = [secret for secret in LOG_SECRETS if secret in text]
        if leaked:
            pytest.fail(f"the app logged texts it must keep to itself: {leaked} (see {log_path})")


@pytest.fixture(scope="session")
def running(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """The app on a free port with its own copy of the demo database, in demo mode."""
    folder = tmp_path_factory.mktemp("server")
    database = folder / "app.db"
    shutil.copyfile(demo_template, database)
    with run_app(f"sqlite:///{database}", folder) as app:
        yield app


@pytest.fixture(scope="session")
def server(running: Running) -> Server:
    return running.server


# True once Streamlit has finished a run: no running indicator, no stale element left over.
SETTLED = """() => !document.querySelector('[data-testid="stStatusWidget"]')
                  && !document.querySelector('[data-stale="true"]')"""


def settle(page: Any, timeout_ms: int = 20_000) -> None:
    """Wait until Streamlit has finished the current run: no running indicator and no element
    left over (stale) from the previous run. Call it after waiting for the run's own content;
    clicking a stale button would be a click on a widget the new run no longer has."""
    page.wait_for_function(SETTLED, timeout=timeout_ms)


def submit_sign_in(page: Any, url: str, email: str, password: str) -> None:
    """Fill in the sign-in form at `url` (in English) and send it; whether it works is the
    caller's to check."""
    page.goto(f"{url}/?lang=en")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in(page: Any, url: str, email: str, password: str, *, timeout_ms: int = 30_000) -> None:
    """Sign in and wait until the app shows the signed-in page, its run finished."""
    submit_sign_in(page, url, email, password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=timeout_ms)
    settle(page)


def open_step(page: Any, name: str) -> None:
    """Open a tab that keeps itself in the URL as `step=<name>` (the conversation's steps)."""
    settle(page)
    page.get_by_role("tab", name=name).click()
    expect(page).to_have_url(re.compile(rf"step={name}"), timeout=20_000)
    settle(page)


def axe_violations(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core in the page; the serious and critical violations as readable lines. It
    waits until no element is stale first: during a rerun Streamlit fades the previous run's
    elements (less contrast) until the new ones replace them."""
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in impacts
    ]
