"""Drill-down for policy makers: one community's aggregates as its lead sees them, without
comments, without the lead's actions, and without anything below the anonymity threshold."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from lc_health.store.models import Role
from lc_health.ui.context import app, language, t
from lc_health.ui.guard import pick_community, require
from lc_health.ui.review import data as review_data
from lc_health.ui.review import sections as review_sections
from lc_health.ui.review.round import headline
from lc_health.ui.widgets import demo_notice


def render() -> None:
    viewer = require(Role.policy, Role.admin)
    ctx = app()
    lang = language()
    threshold = ctx.settings.anonymity_threshold
    st.title(t("portfolio.community_title"))
    demo_notice()
    community = pick_community(viewer)
    assert community.id is not None
    data = review_data.community(ctx.settings.database_url, community.id)
    # Actions are the lead's working notes (names, plans): not part of the portfolio view.
    data = replace(data, actions=data.actions.iloc[0:0])
    rounds = review_data.answered_rounds(data)
    if rounds.empty:
        st.info(t("review.no_rounds"))
        return
    round_id = review_data.pick_round(rounds)
    view = review_data.round_view(data, round_id)
    row = data.rounds[data.rounds["round_id"] == round_id].iloc[0]
    instrument = ctx.registry.get(row["instrument_id"], int(row["instrument_version"]))
    headline(view, lang, threshold)
    factors, changes = review_data.factor_frames(view, instrument, threshold)
    tabs = st.tabs([t("review.tab_layers"), t("review.tab_factors"), t("review.tab_change"),
                    t("review.tab_forces"), t("review.tab_trends"),
                    t("review.tab_breakdowns")])  # fmt: skip
    with tabs[0]:
        review_sections.by_layer(view, instrument, lang, threshold)
    with tabs[1]:
        review_sections.per_factor(factors, instrument, lang, threshold)
    with tabs[2]:
        review_sections.change(view, changes, instrument, lang)
    with tabs[3]:
        review_sections.force_field(view, instrument, lang, threshold)
    with tabs[4]:
        review_sections.trend(data, instrument, lang, threshold)
    with tabs[5]:
        review_sections.breakdown(view, instrument, lang, threshold)
