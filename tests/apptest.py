"""Helpers for Streamlit AppTest tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)


def page_text(at: AppTest) -> str:
    """All markdown, headings, captions and alerts on the page, joined."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):  # fmt: skip
        parts.extend(str(el.value) for el in getattr(at, kind))
    return "\n".join(parts)
