"""Drill-down for policy makers: one community's aggregates as its lead sees them, without
comments, without the lead's actions, and without anything below the anonymity threshold."""

from __future__ import annotations

import streamlit as st

from lc_health.domain.disclosure import Audience
from lc_health.store.models import Role
from lc_health.ui.context import language, t
from lc_health.ui.guard import pick_community, require
from lc_health.ui.review import sections as review_sections
from lc_health.ui.review.opening import headline, open_round
from lc_health.ui.widgets import demo_notice


def render() -> None:
    viewer = require(Role.policy, Role.admin)
    lang = language()
    st.title(t("portfolio.community_title"))
    demo_notice()
    community = pick_community(viewer)
    # The policy maker's view: no comments, no actions (disclosure.sees), whoever looks.
    ctx = open_round(community, Audience.policy, lang)
    if ctx is None:
        return
    headline(ctx.view, lang, ctx.threshold)
    review_sections.show(ctx, lazy=False)
