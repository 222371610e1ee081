"""The portfolio's export tab: its tables (as shown: suppressed figures empty) as CSV and Excel,
made by documents.registry.PORTFOLIO; this page only offers them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.documents.portfolio_export import PortfolioData, PortfolioSource
from lc_health.documents.registry import PORTFOLIO
from lc_health.domain.disclosure import Audience
from lc_health.ui.context import app, read_url, t
from lc_health.ui.downloads import download_buttons
from lc_health.ui.portfolio.data import force_totals


def source(
    data: PortfolioData, now: pd.DataFrame, period: str, chosen: pd.DataFrame, lang: str
) -> PortfolioSource:
    """The portfolio as filtered on the page, as the export's input."""
    ctx = app()
    ids = frozenset(int(c) for c in chosen["community_id"])
    return PortfolioSource(
        data=data,
        now=now,
        period=period,
        chosen=chosen,
        force_totals=force_totals(read_url(), ids, (period,)),
        instrument=ctx.registry.latest(),
        lang=lang,
    )


def render(
    data: PortfolioData, now: pd.DataFrame, period: str, chosen: pd.DataFrame, lang: str
) -> None:
    st.caption(t("portfolio.export_intro", threshold=app().settings.anonymity_threshold))
    download_buttons(PORTFOLIO, source(data, now, period, chosen, lang), Audience.policy)
