"""Small display pieces shared by pages."""

from __future__ import annotations

import streamlit as st

from lc_health.metrics import BANDS
from lc_health.ui.context import demo_data_shown, t


def demo_notice() -> None:
    """Say plainly that the data on screen is fictional demo data."""
    if demo_data_shown():
        st.info(t("common.demo_notice"), icon=":material/science:")


def band_labels() -> dict[str, str]:
    """Reading band -> its name in the page language."""
    return {band: t(f"band.{band}") for band in BANDS}


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$&:")


def md_escape(text: str) -> str:
    """Text that st.markdown shows literally: names, emails and other data people typed."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in text)
