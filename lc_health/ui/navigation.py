"""Which pages exist for whom. Only declared pages can be reached."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from lc_health.ui.context import app, language_switch, t

UI_DIR = Path(__file__).resolve().parent


def _page(module: str, title_key: str, icon: str, *, default: bool = False) -> StreamlitPage:
    return st.Page(
        UI_DIR / f"{module}.py",
        title=t(title_key),
        icon=icon,
        url_path=module,
        default=default,
    )


def build_navigation() -> StreamlitPage:
    """The navigation for this session; returns the page to run."""
    app()  # fail early, with a readable message, when the app cannot start
    language_switch()
    pages = [
        _page("communities", "nav.communities", ":material/groups:", default=True),
        _page("about", "nav.about", ":material/info:"),
    ]
    return st.navigation(pages)
