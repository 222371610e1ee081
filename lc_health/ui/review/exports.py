"""The export tab of the round review: the lead's quarter report (documents.registry) as CSV,
Excel and HTML. The files are made in documents/; this page only offers them."""

from __future__ import annotations

import streamlit as st

from lc_health.documents.registry import ROUND_REPORT
from lc_health.ui.context import t
from lc_health.ui.downloads import download_buttons
from lc_health.ui.review.opening import ReviewContext


def render(ctx: ReviewContext) -> None:
    st.caption(t("review.export_intro", threshold=ctx.threshold))
    download_buttons(ROUND_REPORT, ctx.source(), ctx.audience, primary="html")
