"""Round review for a community lead (and administrators): the quarter at a glance, by layer,
per factor, change, forces, trends, breakdowns, comments and exports."""

from __future__ import annotations

from functools import partial

import streamlit as st

from lc_health.domain.disclosure import Audience
from lc_health.store.models import Role
from lc_health.ui.context import language, t
from lc_health.ui.guard import pick_community, require
from lc_health.ui.review import participation as review_participation
from lc_health.ui.review import sections as review_sections
from lc_health.ui.review.opening import headline, open_round
from lc_health.ui.widgets import demo_notice


def render() -> None:
    viewer = require(Role.lead, Role.admin)
    lang = language()
    st.title(t("review.title"))
    demo_notice()
    community = pick_community(viewer)
    assert community.id is not None
    ctx = open_round(
        community,
        Audience.lead,
        lang,
        sees_comments=viewer.sees_comments,
        before_rounds=partial(review_participation.open_rounds, community.id, lang),
    )
    if ctx is None:
        return
    headline(ctx.view, lang, ctx.threshold)
    review_participation.pending_note(ctx.round_id, ctx.threshold)
    review_sections.show(ctx)
