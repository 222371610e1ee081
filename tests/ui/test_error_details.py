"""No traceback reaches a visitor of the app: outside demo mode Streamlit runs with
client.showErrorDetails = "none" (set by `lc-health serve`, shipped in .streamlit/config.toml,
and required by the production check), and then a failing page shows a generic message
without the error's text or its traceback."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from lc_health.runtime.config import Settings
from lc_health.runtime.production import production_problems
from lc_health.runtime.server import streamlit_environment
from tests.apptest import ROOT
from tests.conftest import TEST_COOKIE_SECRET

DETAIL = "secret-detail-of-a-failing-page"


def _failing_page() -> None:
    raise ValueError("secret-detail-of-a-failing-page")


@pytest.fixture
def error_details() -> Iterator[None]:
    yield
    config.set_option("client.showErrorDetails", "none")  # as conftest sets it for every test


@pytest.mark.usefixtures("error_details")
def test_a_failing_page_shows_no_detail_with_production_options() -> None:
    at = AppTest.from_function(_failing_page)
    at.run()
    shown = at.exception[0]
    assert DETAIL not in shown.message and shown.stack_trace == []
    # The same page with error details on would show them: the check above can fail.
    config.set_option("client.showErrorDetails", "full")
    at = AppTest.from_function(_failing_page)
    at.run()
    assert DETAIL in at.exception[0].message and at.exception[0].stack_trace


def test_serve_hides_error_details_outside_demo_mode() -> None:
    production = streamlit_environment(Settings(cookie_secret=TEST_COOKIE_SECRET), {})
    assert production["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] == "none"
    assert production["STREAMLIT_SERVER_COOKIE_SECRET"] == TEST_COOKIE_SECRET
    chosen = {"STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full"}
    kept = streamlit_environment(Settings(), chosen)["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"]
    assert kept == "full"  # an explicit choice is kept, and then refused:
    options = {"client.showErrorDetails": kept, "server.enableXsrfProtection": True}
    assert any("shows error details" in p for p in production_problems(Settings(), options))
    demo = streamlit_environment(Settings(demo=True), {})
    assert demo["LC_HEALTH_DEMO"] == "true"


def test_shipped_configuration_hides_error_details() -> None:
    shipped = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert shipped["client"]["showErrorDetails"] == "none"
