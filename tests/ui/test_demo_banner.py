"""In demo mode every page, the participant's survey included, says at the top in the page's
language that this is a demo whose passwords are public; outside demo mode no page does."""

from __future__ import annotations

import pytest

from lc_health.domain.i18n import translate
from lc_health.services.demo import DEMO_PARTICIPANT_TOKEN
from tests.apptest import new_app

BANNER = {lang: translate(lang, "common.demo_mode") for lang in ("nl", "en")}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("survey", [False, True])
def test_every_page_in_demo_mode_shows_the_banner(
    demo_db: str, monkeypatch: pytest.MonkeyPatch, lang: str, survey: bool
) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    monkeypatch.setenv("LC_HEALTH_DEMO", "true")
    at = new_app()
    at.query_params["lang"] = lang
    if survey:
        at.query_params["t"] = DEMO_PARTICIPANT_TOKEN
    at.run()
    assert not at.exception
    assert at.warning[0].value == BANNER[lang]
    assert "passwords are public" in BANNER["en"] and "wachtwoorden" in BANNER["nl"]


def test_no_banner_outside_demo_mode(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    at = new_app()
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert BANNER["en"] not in [w.value for w in at.warning]
