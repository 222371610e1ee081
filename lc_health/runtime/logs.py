"""lc-health's own log lines: to stderr, at LC_HEALTH_LOG_LEVEL, as plain text or one JSON
object per line (LC_HEALTH_LOG_FORMAT), for a log collector. Set up once per process by the
command line and by the app's server process; other libraries' loggers are left alone.

What is logged never holds a password, a token or a comment: callers log ids, counts and
exception types only (tests/browser/test_logs.py checks the app's log)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

LOGGER = "lc_health"
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_HANDLER_NAME = "lc_health.stderr"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message and, for an
    exception, its type and traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(
    level: str = "INFO",
    fmt: Literal["plain", "json"] = "plain",
    stream: TextIO | None = None,
) -> logging.Logger:
    """Send lc_health's loggers to stderr (or stream) at level in format fmt; calling it again
    replaces the earlier set-up instead of adding a second handler."""
    logger = logging.getLogger(LOGGER)
    for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(PLAIN_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # not twice through a root handler another library set up
    return logger


def configure_from_settings(unset_level: str | None = None) -> None:
    """configure() from the settings; unset_level, when given, replaces the level while
    LC_HEALTH_LOG_LEVEL is not set (the command line keeps stderr for its own messages unless
    asked). Invalid settings leave the default set-up (their error is reported by whoever loads
    the settings next)."""
    from lc_health.runtime.bootstrap import StartupError, load_settings

    try:
        settings = load_settings()
    except StartupError:
        configure(unset_level or "INFO")
        return
    level: str = settings.log_level
    if unset_level is not None and "log_level" not in settings.model_fields_set:
        level = unset_level
    configure(level, settings.log_format)
