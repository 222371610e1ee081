"""Round review for a community lead (and administrators): the quarter at a glance, by layer,
per factor, change, forces, trends, breakdowns, comments and exports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.i18n import format_number
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import HEALTH
from lc_health.metrics import review
from lc_health.services.open_link_audit import padding_flags
from lc_health.store import open_links
from lc_health.store.db import read_session
from lc_health.store.models import Role
from lc_health.ui.context import app, language, t
from lc_health.ui.guard import pick_community, require
from lc_health.ui.review import data as review_data
from lc_health.ui.review import exports as review_exports
from lc_health.ui.review import participation as review_participation
from lc_health.ui.review import sections as review_sections
from lc_health.ui.widgets import band_text, demo_notice, interval_text


def headline(view: review_data.RoundView, lang: str, threshold: int) -> None:
    """The round at a glance: what the figures rest on, the response rate, the health index
    with its reading band, and its change only when the change is clear."""
    ctx = app()
    now = review.health(view.scores, threshold)
    pub = view.publication
    rate = review_data.response_rate(view)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("review.responses"), view.responses, border=True)
    c2.metric(
        t("review.response_rate"),
        "—" if rate is None else f"{rate:.0%}",
        help=t("review.response_rate_help"),
        border=True,
    )
    st.caption(channels_text(pub, threshold))
    if padding_suspected(view.round_id, threshold):
        st.warning(t("review.padding_flag"), icon=":material/flag:")
    if now is None or now["suppressed"]:
        c3.metric(t("communities.col_health"), "—", border=True)
        st.info(
            t("review.health_hidden", threshold=threshold, factors=ctx.settings.health_min_factors),
            icon=":material/visibility_off:",
        )
        return
    health = review_data.changes_of(view, HEALTH)
    status = str(health["status"].iloc[0]) if len(health) else None
    clear = status in (review.IMPROVED, review.DECLINED)
    c3.metric(
        t("communities.col_health"),
        format_number(now["mean"], lang),
        # Colour and arrow only for a clear change (otherwise nothing moves on screen).
        delta=format_number(health["difference"].iloc[0], lang, signed=True) if clear else None,
        help=t("review.health_help"),
        border=True,
    )
    c4.metric(
        t("communities.col_reading"),
        t(f"band_short.{now['band']}"),  # the card stays short; the caption says if uncertain
        help=t("communities.bands_legend") + " " + t("band.uncertain_legend"),
        border=True,
    )
    st.caption(
        t("review.health_rests_on", count=int(now["n"]), factors=ctx.settings.health_min_factors)
        + " "
        + t("review.health_interval", interval=interval_text(now["ci_low"], now["ci_high"], lang))
        + (" " + band_text(now["band"], now["uncertain"]) + "." if now["uncertain"] else "")
    )
    if status is not None and view.previous_period:
        st.caption(
            t(f"review.health_{status}", period=period_label(view.previous_period))
            + " "
            + t("review.change_rule", min_change=format_number(ctx.settings.min_change, lang))
        )


def padding_suspected(round_id: int, threshold: int) -> bool:
    """Whether the round's open-link submissions look like padding (open_link_audit)."""
    with read_session(app().engine) as session:
        trail = open_links.open_link_trail(session=session, round_id=round_id)
    if trail.empty:
        return False
    return bool(padding_flags(trail, threshold=threshold)["flagged"].any())


def channels_text(pub: pd.Series, threshold: int) -> str:
    """What a round's figures rest on, by channel (so responses a lead typed in are visible)."""
    text = t(
        "review.channels",
        responses=int(pub["responses"]),
        personal=int(pub["personal"]),
        open_link=int(pub["open_link"]),
        paper=int(pub["paper"]),
        imported=int(pub["imported"]),
    )
    if int(pub["open_link"]) and int(pub["counted"]) < int(pub["responses"]):
        text += " " + t("review.open_not_counted", threshold=threshold)
    return text


def render() -> None:
    viewer = require(Role.lead, Role.admin)
    ctx = app()
    lang = language()
    threshold = ctx.settings.anonymity_threshold
    st.title(t("review.title"))
    demo_notice()
    community = pick_community(viewer)
    assert community.id is not None
    data = review_data.community(ctx.settings.database_url, community.id)
    review_participation.open_rounds(community.id, lang)
    rounds = review_data.answered_rounds(data)
    if rounds.empty:
        st.info(t("review.no_rounds"))
        return
    round_id = review_data.pick_round(rounds)
    view = review_data.round_view(data, round_id)
    row = data.rounds[data.rounds["round_id"] == round_id].iloc[0]
    instrument = ctx.registry.get(row["instrument_id"], int(row["instrument_version"]))
    headline(view, lang, threshold)
    review_participation.pending_note(round_id, threshold)
    factors, changes = review_data.factor_frames(view, instrument, threshold)
    tabs = st.tabs(
        [t("review.tab_layers"), t("review.tab_factors"), t("review.tab_change"),
         t("review.tab_forces"), t("review.tab_trends"), t("review.tab_breakdowns"),
         t("review.tab_comments"), t("review.tab_export")], key="tab", bind="query-params"
    )  # fmt: skip
    with tabs[0]:
        if tabs[0].open:
            review_sections.by_layer(view, instrument, lang, threshold)
    with tabs[1]:
        if tabs[1].open:
            review_sections.per_factor(factors, instrument, lang, threshold)
    with tabs[2]:
        if tabs[2].open:
            review_sections.change(view, changes, instrument, lang)
    with tabs[3]:
        if tabs[3].open:
            review_sections.force_field(view, instrument, lang, threshold)
    with tabs[4]:
        if tabs[4].open:
            review_sections.trend(data, instrument, lang, threshold)
    with tabs[5]:
        if tabs[5].open:
            review_sections.breakdown(view, instrument, lang, threshold)
    with tabs[6]:
        if tabs[6].open:
            review_sections.comments(view, viewer.sees_comments)
    with tabs[7]:
        if tabs[7].open:
            review_exports.render(community.name, data, view, factors, changes, instrument, lang)
