"""In Chromium against a running server: an export's download link works only for seconds.
The administrator downloads the import template; once the page is closed and the expiry has
passed, its /media link answers 404 to a fresh client (no cookie, no session). The download
is in the audit log (which export, format, who; never its content)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from lc_health.runtime.media import EXPIRE_SECONDS, SWEEP_SECONDS
from lc_health.store import db
from lc_health.store.models import AuditEvent
from tests.browser.conftest import ADMIN_PASSWORD, Server, settle

ADMIN = "beheer@demo.lc-health.nl"


def _status(url: str) -> int:
    """The status a client without any cookie gets for url."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _export_events(server: Server) -> list[AuditEvent]:
    engine = db.make_engine(server.database_url)
    try:
        with db.read_session(engine) as session:
            found = select(AuditEvent).where(AuditEvent.action == "export")
            return list(session.execute(found).scalars())
    finally:
        engine.dispose()


def test_a_download_link_expires_within_seconds_and_is_audited(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    before = len(_export_events(server))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server.url}/?lang=en")
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=20_000)
    page.goto(f"{server.url}/admin_import?lang=en")
    expect(page.get_by_role("button", name="Template (CSV)", exact=True)).to_be_visible(
        timeout=20_000
    )
    settle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Template (CSV)", exact=True).click()
    url = download.value.url
    target = tmp_path / "template.csv"
    download.value.save_as(target)
    assert "/media/" in url and target.read_bytes().startswith(b"\xef\xbb\xbf")
    made = time.monotonic()
    context.close()  # the page, its session and its cookie are gone

    time.sleep(max(0.0, made + EXPIRE_SECONDS + 3 * SWEEP_SECONDS - time.monotonic()))
    assert _status(url) == 404

    events = _export_events(server)[before:]
    assert [(e.actor, e.action) for e in events] == [(ADMIN, "export")]
    detail = json.loads(events[0].detail)
    assert detail == {"audience": "admin", "export": "import-template", "format": "csv"}
    assert "import template" in events[0].target
