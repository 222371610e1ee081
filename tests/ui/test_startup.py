"""A broken setup shows one clear message instead of a traceback, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apptest import ROOT, new_app, page_text


def test_malformed_instrument_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    surveys = tmp_path / "surveys"
    surveys.mkdir()
    text = (ROOT / "surveys" / "lc_health-v1.toml").read_text(encoding="utf-8")
    (surveys / "broken.toml").write_text(text.replace("factor = 12", "factor = 13"), "utf-8")
    monkeypatch.setenv("LC_HEALTH_SURVEYS_DIR", str(surveys))
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    at = new_app()
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    assert "lc-health cannot start." in page_text(at)
    detail = at.code[0].value
    assert "broken.toml: items[19] (id 'eco_f12').factor: unknown factor 13" in detail
    assert not (tmp_path / "x.db").exists()  # nothing written before the instrument is valid


def test_unreachable_database_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", "postgresql+psycopg://lc:topsecret@127.0.0.1:1/lc")
    at = new_app()
    at.query_params["lang"] = "nl"
    at.run()
    assert not at.exception
    assert "lc-health kan niet starten." in page_text(at)
    detail = at.code[0].value
    assert "Cannot reach the database" in detail and "topsecret" not in detail


def test_invalid_setting_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_ANONYMITY_THRESHOLD", "2")
    at = new_app()
    at.run()
    assert not at.exception
    assert "LC_HEALTH_ANONYMITY_THRESHOLD" in at.code[0].value
