"""Helpers for Streamlit AppTest tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from lc_health.ui.navigation import page_module

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def new_app() -> AppTest:
    return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT)


def _run_page(module: str) -> None:
    import importlib

    importlib.import_module(module).render()


def page_app(url_path: str) -> AppTest:
    """One page on its own (no menu, no sign-in), by the URL path it is served at."""
    return AppTest.from_function(_run_page, args=(page_module(url_path),), default_timeout=TIMEOUT)


def goto(at: AppTest, url_path: str) -> AppTest:
    """Open the page served at url_path on the next run. Pages are callables, which
    AppTest.switch_page (it takes a file) cannot name; Streamlit identifies a page by the hash
    of its URL path, so that is what the next run is asked for."""
    at._page_hash = calc_hash(url_path)
    return at


def page_text(at: AppTest) -> str:
    """All markdown, headings, captions and alerts on the page, joined."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
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
