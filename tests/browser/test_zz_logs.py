"""After the other browser tests (this file runs last): the app's log holds no password, no
survey token and no comment, although all of them passed through the app."""

from __future__ import annotations

from lc_health.services.demo import DEMO_PARTICIPANT_TOKEN
from tests.browser.conftest import Running

SECRETS = (
    "demo-admin-2026",  # signed in with (test_signin)
    "demo-lead-2026",  # signed in with (test_lead_and_policy)
    "not the password",  # a failed attempt (test_signin)
    DEMO_PARTICIPANT_TOKEN,  # the survey link (test_survey_mobile)
    "Meer demo's graag",  # a comment (test_survey_mobile)
    "Browser test: invite the alderman",  # an action's text (test_lead_and_policy)
)


def test_no_secret_or_comment_in_the_log(running: Running) -> None:
    log = running.log.read_text(encoding="utf-8", errors="replace")
    assert "Local URL" in log or "URL:" in log  # it is the app's log, and it has content
    leaked = [secret for secret in SECRETS if secret in log]
    assert leaked == []
