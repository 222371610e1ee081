"""Single sign-on end to end, in Chromium, against a real OpenID Connect provider run locally
(npm's oidc-provider, tests/sso/provider) and the app started by `lc-health serve` with an [auth]
section: the account whose address the provider verified is signed in as the lc-health user
with that address; the one whose address is not verified is refused, and nobody is signed in."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import REQUIRED_VAR, START_TIMEOUT_S, _free_port

ROOT = Path(__file__).resolve().parents[2]
PROVIDER = ROOT / "tests" / "sso" / "provider"
VERIFIED = ("verified", "sso.verified@example.org")
UNVERIFIED = ("unverified", "sso.unverified@example.org")
ACCOUNT_PASSWORD = "sso test account password 2026"
SIGN_OUT = re.compile("Sign out|Uitloggen")


def _tools() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node, npm
    if os.environ.get(REQUIRED_VAR):
        pytest.fail("the SSO browser test needs Node.js and npm, but they are not installed")
    pytest.skip("no Node.js/npm: the SSO test runs a local OpenID Connect provider under Node")


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer; see {log}")


def _stop(proc: subprocess.Popen[bytes], log: IO[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@dataclass(frozen=True)
class Sso:
    url: str
    provider_url: str


def _lc_health(*args: str) -> list[str]:
    return [sys.executable, "-m", "lc_health.runtime.cli", *args]


def _create_accounts(env: dict[str, str]) -> None:
    for _login, email in (VERIFIED, UNVERIFIED):
        done = subprocess.run(
            _lc_health("user", "create", "--email", email, "--role", "admin"),
            input=f"{ACCOUNT_PASSWORD}\n{ACCOUNT_PASSWORD}\n",
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr


def _start_provider(
    port: int, app_url: str, client_secret: str, folder: Path
) -> tuple[subprocess.Popen[bytes], IO[str], Path]:
    node, npm = _tools()
    if not (PROVIDER / "node_modules").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER, check=True, timeout=300
        )
    log_path = folder / "provider.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [node, "server.mjs", str(port), app_url, client_secret],
        cwd=PROVIDER,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, log, log_path


def _secrets(folder: Path, app_url: str, provider_url: str, client_secret: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "lc-health"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n'
        # Streamlit asks for prompt=select_account, which oidc-provider does not offer.
        'client_kwargs = { prompt = "login" }\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def sso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sso]:
    """The provider on one free port, `lc-health serve` (outside demo mode, with an [auth]
    section pointing at the provider) on another, and an administrator account for each of the
    provider's two addresses."""
    folder = tmp_path_factory.mktemp("sso")
    app_port, provider_port = _free_port(), _free_port()
    app_url, provider_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{provider_port}"
    client_secret = secrets.token_urlsafe(24)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_HEALTH_", "STREAMLIT_"))}
    env |= {
        "LC_HEALTH_HOME": str(folder),
        "LC_HEALTH_DATABASE_URL": f"sqlite:///{folder / 'app.db'}",
        "LC_HEALTH_PUBLIC_URL": app_url,
        "LC_HEALTH_COOKIE_SECRET": secrets.token_urlsafe(32),
        "STREAMLIT_SERVER_HEADLESS": "true",
    }
    # serve hands Streamlit the home folder's secrets.toml, where [auth] belongs (README).
    _secrets(folder, app_url, provider_url, client_secret)
    _create_accounts(env)
    provider, provider_log, provider_log_path = _start_provider(
        provider_port, app_url, client_secret, folder
    )
    app_log_path = folder / "app.log"
    app_log = app_log_path.open("w")
    app = subprocess.Popen(
        _lc_health("serve", "--port", str(app_port), "--address", "127.0.0.1"),
        env=env,
        stdout=app_log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{provider_url}/.well-known/openid-configuration", provider, provider_log_path)
        _wait_for(f"{app_url}/_stcore/health", app, app_log_path)
        yield Sso(url=app_url, provider_url=provider_url)
    finally:
        _stop(app, app_log)
        _stop(provider, provider_log)
    text = app_log_path.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-4000:]
    assert ACCOUNT_PASSWORD not in text


def _sign_in_at_provider(page: Page, sso: Sso, login: str) -> None:
    """From the app's sign-in page through the provider's sign-in form, back to the app."""
    page.get_by_role("button", name="SSO").click()
    page.wait_for_url(f"{sso.provider_url}/**", timeout=20_000)
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password will do")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{sso.url}/**", timeout=20_000)


def _page(browser: Browser, locale: str) -> Page:
    context = browser.new_context(locale=locale)
    # The provider's development pages load a web font; nothing outside this machine is needed.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith("http://127.0.0.1:")
            else route.abort()
        ),
    )
    return context.new_page()


def test_verified_address_signs_in_as_its_account(browser: Browser, sso: Sso) -> None:
    page = _page(browser, "en-GB")
    page.goto(f"{sso.url}/?lang=en")
    _sign_in_at_provider(page, sso, VERIFIED[0])
    expect(page.get_by_role("button", name=SIGN_OUT)).to_be_visible(timeout=20_000)
    expect(page.get_by_text(VERIFIED[1]).first).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name=SIGN_OUT)).to_be_visible(timeout=20_000)
    expect(page.get_by_text(VERIFIED[1]).first).to_be_visible()
    page.context.close()


def test_unverified_address_is_refused_in_the_users_language(browser: Browser, sso: Sso) -> None:
    page = _page(browser, "nl-NL")
    page.goto(sso.url)
    _sign_in_at_provider(page, sso, UNVERIFIED[0])
    expect(page.get_by_text("niet geverifieerd")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=SIGN_OUT)).to_have_count(0)
    expect(page.get_by_text(UNVERIFIED[1])).to_have_count(0)
    page.goto(f"{sso.url}/?lang=en")
    expect(page.get_by_text("it is not verified")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=SIGN_OUT)).to_have_count(0)
    # The way out: sign out at the provider, back to a plain sign-in page.
    page.get_by_role("button", name="another account").click()
    page.wait_for_url(f"{sso.provider_url}/**", timeout=20_000)
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{sso.url}/**", timeout=20_000)
    expect(page.get_by_role("button", name="SSO")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("niet geverifieerd")).to_have_count(0)
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    page.context.close()
