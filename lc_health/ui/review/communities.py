"""Communities: every community with its latest health index, reading band and change."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.domain.i18n import format_number
from lc_health.domain.periods import period_label
from lc_health.services.communities_overview import communities_overview
from lc_health.store.db import read_session
from lc_health.ui.context import app, language, publish_due, t
from lc_health.ui.guard import require
from lc_health.ui.widgets import band_labels, band_text, demo_notice, ranked, show_chart


@st.cache_data(show_spinner=False, ttl=30)
def _overview(
    database_url: str,  # noqa: ARG001  (part of the cache key)
    threshold: int,
    community_ids: frozenset[int] | None,
) -> pd.DataFrame:
    """The viewer's communities joined with their latest health."""
    publish_due()
    with read_session(app().engine) as session:
        return communities_overview(session, community_ids=community_ids, threshold=threshold)


def change_text(status: object, difference: object, lang: str) -> str:
    """A published change as words, with its size only when it is clear."""
    if not isinstance(status, str):
        return ""
    words = t(f"change.{status}")
    if status in ("improved", "declined"):
        return f"{words} ({format_number(float(difference), lang, signed=True)})"  # type: ignore[arg-type]
    return words


def _reading(row: pd.Series, threshold: int) -> str:
    if pd.isna(row["period"]):
        return t("common.no_data")
    if row["suppressed"]:
        return t("common.too_few", threshold=threshold)
    return band_text(row["band"], row["uncertain"])


def render() -> None:
    viewer = require()
    ctx = app()
    lang = language()
    threshold = ctx.settings.anonymity_threshold
    st.title(t("communities.title"))
    demo_notice()
    frame = _overview(ctx.settings.database_url, threshold, viewer.community_ids).copy()
    if frame.empty:
        st.info(t("communities.empty"))
        return
    st.caption(t("communities.caption", threshold=threshold))
    labels = band_labels()
    chart_data = pd.DataFrame(
        {
            "label": frame["name"],
            "mean": frame["mean"],
            "band_label": frame["band"].map(lambda b: labels.get(b, "")),
            "band_text": [
                band_text(b, u) for b, u in zip(frame["band"], frame["uncertain"], strict=True)
            ],
            "n": frame["n"],
        }
    )
    show_chart(
        charts.health_bars(
            chart_data,
            lang=lang,
            band_labels=labels,
            x_title=t("communities.col_health"),
            tooltip_titles={
                "label": t("communities.col_name"),
                "mean": t("communities.col_health"),
                "band": t("communities.col_reading"),
                "n": t("common.respondents"),
            },
        ),
        theme=None,
        width="stretch",
        description=ranked(chart_data, t("communities.col_health")),
    )
    table = pd.DataFrame(
        {
            t("communities.col_name"): frame["name"],
            t("communities.col_phase"): frame["phase"].map(lambda p: t(f"phase.{p}") if p else ""),
            t("communities.col_period"): frame["period"].map(
                lambda p: "" if pd.isna(p) else period_label(p)
            ),
            t("communities.col_responses"): frame["responses"].astype("Int64"),
            t("communities.col_health"): frame["mean"].map(lambda v: format_number(v, lang)),
            t("communities.col_reading"): frame.apply(_reading, axis=1, threshold=threshold),
            t("communities.col_change"): [
                change_text(status, difference, lang)
                for status, difference in zip(frame["status"], frame["difference"], strict=True)
            ],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("communities.bands_legend") + " " + t("band.uncertain_legend"))
