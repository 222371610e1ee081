"""Communities: the communities with their latest health index, reading band and change, found
by name and shown a page at a time (an administrator may see ten thousand)."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.domain.i18n import format_number
from lc_health.domain.periods import period_label
from lc_health.services.communities_overview import PAGE_SIZE, CommunitiesPage, communities_page
from lc_health.store.db import read_session
from lc_health.ui.context import app, language, publish_due, t
from lc_health.ui.guard import require
from lc_health.ui.widgets import (
    band_labels,
    band_text,
    demo_notice,
    md_escape,
    ranked,
    show_chart,
)


@st.cache_data(show_spinner=False, ttl=30, max_entries=256)
def _page(
    database_url: str,  # noqa: ARG001  (part of the cache key)
    threshold: int,
    community_ids: frozenset[int] | None,
    text: str,
    page: int,
) -> CommunitiesPage:
    """One page of the viewer's communities with `text` in their name, with their health."""
    publish_due()
    with read_session(app().engine) as session:
        return communities_page(
            session, community_ids=community_ids, threshold=threshold, text=text, page=page
        )


def _page_choice(total: int) -> int:
    """The page of the list to show (from 0); a choice only when there is more than one."""
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    if pages == 1:
        return 0
    chosen = st.number_input(
        t("communities.page"), min_value=1, max_value=pages, value=1, step=1, key="_list_page"
    )
    first = (int(chosen) - 1) * PAGE_SIZE
    last = min(first + PAGE_SIZE, total)
    st.caption(t("communities.shown", first=first + 1, last=last, total=total))
    return int(chosen) - 1


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
    threshold = ctx.settings.anonymity_threshold
    st.title(t("communities.title"))
    demo_notice()
    text = st.text_input(
        t("communities.search"), key="_list_search", help=t("communities.search_help")
    ).strip()[:100]
    key = (ctx.settings.database_url, threshold, viewer.community_ids, text)
    total = _page(*key, 0).total
    if total == 0:
        st.info(t("communities.no_match", text=md_escape(text)) if text else t("communities.empty"))
        return
    frame = _page(*key, _page_choice(total)).rows.copy()
    if frame.empty:  # the list shrank since the page number was chosen
        frame = _page(*key, 0).rows.copy()
    st.caption(t("communities.caption", threshold=threshold))
    _chart(frame)
    _table(frame, threshold)
    st.caption(t("communities.bands_legend") + " " + t("band.uncertain_legend"))


def _chart(frame: pd.DataFrame) -> None:
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
            lang=language(),
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


def _table(frame: pd.DataFrame, threshold: int) -> None:
    lang = language()
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
