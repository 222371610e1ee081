"""LC_HEALTH_LOG_LEVEL and LC_HEALTH_LOG_FORMAT reach lc_health's loggers: lines on stderr, at
that level, as plain text or one parseable JSON object per line."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from lc_health.runtime.logs import LOGGER, configure


def _run(args: list[str], tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=f"sqlite:///{tmp_path / 'logs.db'}")
    env |= {f"LC_HEALTH_{name.upper()}": value for name, value in settings.items()}
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def _json_lines(stderr: str) -> list[dict[str, object]]:
    """Every line that is a JSON object (the command's own one-line error message is not)."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_json_at_debug_is_one_parseable_object_per_line(tmp_path: Path) -> None:
    loaded = _run(["demo"], tmp_path, log_level="DEBUG", log_format="json")
    assert loaded.returncode == 0, loaded.stderr
    entries = _json_lines(loaded.stderr)
    assert entries, loaded.stderr
    assert all(set(e) >= {"time", "level", "logger", "message"} for e in entries)
    assert all(str(e["logger"]).startswith("lc_health.") for e in entries)
    assert any(
        e["level"] == "INFO" and str(e["message"]).startswith("Loaded demo data") for e in entries
    )
    # A failed command: one line for the user, its traceback as a DEBUG object for the log.
    close = ["round", "close", "--round", "999"]
    failed = _run(close, tmp_path, log_level="DEBUG", log_format="json")
    assert failed.returncode == 1
    debug = [e for e in _json_lines(failed.stderr) if e["level"] == "DEBUG"]
    assert debug and debug[0]["exc_type"] == "CliError"
    assert "Traceback" in str(debug[0]["exc_info"])
    user_lines = [line for line in failed.stderr.splitlines() if not line.startswith("{")]
    assert user_lines == ["lc-health: round not closed: There is no round with id 999."]


def test_plain_is_the_default_and_warning_hides_info(tmp_path: Path) -> None:
    loaded = _run(["demo"], tmp_path, log_level="INFO")
    assert loaded.returncode == 0, loaded.stderr
    assert re.search(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO lc_health\.runtime\.bootstrap "
        r"Loaded demo data",
        loaded.stderr,
        flags=re.M,
    ), loaded.stderr
    (tmp_path / "logs.db").unlink()
    quiet = _run(["demo"], tmp_path, log_level="WARNING")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    # Unset, the command line logs warnings only: scripts read its stderr.
    (tmp_path / "logs.db").unlink()
    unset = _run(["demo"], tmp_path)
    assert unset.returncode == 0 and unset.stderr == ""
    # At INFO the traceback of a failed command stays out of the log, as from the user.
    failed = _run(["round", "close", "--round", "999"], tmp_path)
    assert "Traceback" not in failed.stderr and len(failed.stderr.splitlines()) == 1


def test_configure_twice_keeps_one_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure("INFO", "plain", first)
    configure("WARNING", "json", second)
    logger = logging.getLogger(f"{LOGGER}.test")
    logger.info("not shown")
    logger.warning("shown once")
    assert first.getvalue() == ""
    assert [json.loads(line)["message"] for line in second.getvalue().splitlines()] == [
        "shown once"
    ]
    configure()  # back to the default for the tests that follow
