"""The README documents every setting and the two commands CI relies on."""

from __future__ import annotations

import re
from pathlib import Path

from lc_health.runtime.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme() -> None:
    missing = [
        f"LC_HEALTH_{name.upper()}"
        for name in Settings.model_fields
        if f"`LC_HEALTH_{name.upper()}`" not in README
    ]
    assert missing == []


def test_readme_settings_table_has_no_stale_entries() -> None:
    documented = set(re.findall(r"^\| `LC_HEALTH_([A-Z_]+)`", README, flags=re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "./scripts/test.sh" in README and "./scripts/test.sh" in ci
