"""Production checks: outside demo mode no start without a cookie secret, with error details
shown, with XSRF protection off, or with invitation links over plain http."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lc_health.runtime.config import Settings
from lc_health.runtime.production import STREAMLIT_OPTIONS, production_problems

SECRET = "k3Jx9-vQ2mW8_pL5rT1yZ6uB4nC7eA0dFgHs"  # 36 characters
SAFE = {
    "server.cookieSecret": SECRET,
    "server.enableXsrfProtection": True,
    "client.showErrorDetails": "none",
}


def _settings(**values: Any) -> Settings:
    defaults: dict[str, Any] = {"public_url": "https://lc.example.org", "cookie_secret": SECRET}
    return Settings(**(defaults | values))


def test_safe_settings_have_no_problems() -> None:
    assert set(SAFE) == set(STREAMLIT_OPTIONS)
    assert production_problems(_settings(), SAFE) == []
    assert production_problems(_settings()) == []
    assert production_problems(_settings(public_url="http://localhost:8501")) == []


@pytest.mark.parametrize(
    ("settings", "options", "expected"),
    [
        ({"cookie_secret": None}, None, "LC_HEALTH_COOKIE_SECRET is not set"),
        ({"cookie_secret": "   "}, None, "LC_HEALTH_COOKIE_SECRET is not set"),
        ({"cookie_secret": "short-secret"}, None, "too short (12 characters; at least 32)"),
        ({"public_url": "http://lc.example.org"}, None, "is not https"),
        ({}, {"server.enableXsrfProtection": False}, "XSRF protection is off"),
        ({}, {"client.showErrorDetails": "full"}, "shows error details"),
        ({}, {"client.showErrorDetails": "stacktrace"}, "shows error details"),
        ({}, {"server.cookieSecret": "a-random-per-process-one"}, "does not sign cookies"),
    ],
)
def test_each_unsafe_setting_is_named(
    settings: dict[str, Any], options: dict[str, object] | None, expected: str
) -> None:
    problems = production_problems(
        _settings(**settings), None if options is None else SAFE | options
    )
    assert len(problems) == 1 and expected in problems[0], problems
    assert SECRET not in problems[0]  # the secret itself is never repeated


def test_everything_wrong_at_once_lists_every_problem() -> None:
    options = {"server.enableXsrfProtection": False, "client.showErrorDetails": "full"}
    problems = production_problems(Settings(public_url="http://192.0.2.7:8501"), SAFE | options)
    assert len(problems) == 4


def test_demo_mode_is_exempt() -> None:
    assert production_problems(Settings(demo=True), {"client.showErrorDetails": "full"}) == []


def test_secret_from_the_environment_reaches_streamlit() -> None:
    """The wiring docs/deployment.md describes: Streamlit reads its cookie secret from
    STREAMLIT_SERVER_COOKIE_SECRET, and the shipped config hides errors and keeps XSRF on."""
    root = Path(__file__).resolve().parents[2]
    code = (
        "import streamlit as st\n"
        "from lc_health.runtime.config import Settings\n"
        "from lc_health.runtime.production import STREAMLIT_OPTIONS, production_problems\n"
        "options = {n: st.get_option(n) for n in STREAMLIT_OPTIONS}\n"
        "print(production_problems(Settings(), options))\n"
    )
    env = dict(
        os.environ,
        LC_HEALTH_COOKIE_SECRET=SECRET,
        STREAMLIT_SERVER_COOKIE_SECRET=SECRET,
        LC_HEALTH_PUBLIC_URL="https://lc.example.org",
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_mail_is_never_sent_unencrypted_to_another_machine() -> None:
    problems = production_problems(_settings(smtp_host="smtp.example.org", smtp_security="none"))
    assert len(problems) == 1 and "LC_HEALTH_SMTP_SECURITY" in problems[0]
    assert production_problems(_settings(smtp_host="smtp.example.org")) == []  # starttls
    assert production_problems(_settings(smtp_host="localhost", smtp_security="none")) == []
