"""Helpers for Streamlit AppTest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
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


def chart_data(at: AppTest) -> list[pd.DataFrame]:
    """The data behind every Vega-Lite chart on the page (Streamlit sends it as Arrow)."""
    frames = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            table = pa.ipc.open_stream(dataset.data.data).read_all()
            frames.append(table.to_pandas())
    return frames


def each_tab(at: AppTest, key: str = "tab") -> Iterator[AppTest]:
    """The page once with each of its tabs open. Pages draw only the open tab (the tab is kept
    in the URL under `key`), so a check of everything on a page runs once per tab."""
    labels = [tab.label for tab in at.tabs]
    assert labels, "the page has no tabs"
    for label in labels:
        at.query_params[key] = label
        at.run()
        assert not at.exception, at.exception
        yield at


def open_tab(at: AppTest, label: str, key: str = "tab") -> AppTest:
    at.query_params[key] = label
    at.run()
    assert not at.exception, at.exception
    return at
