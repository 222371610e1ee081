"""Conversation mode: the group's own meeting about a round, readable on a projector. It starts
with an overview (open and overdue actions, the factors the figures propose), the group sets the
agenda (dot voting, adding and dropping factors), discusses the factors one per screen and
records an action or "no action" for each, and closes with a summary (ui.review.agenda)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lc_health.domain.disclosure import Audience
from lc_health.metrics import agenda as agenda_metrics
from lc_health.store.models import Role
from lc_health.ui.context import language, t
from lc_health.ui.forms import show_flash
from lc_health.ui.guard import pick_community, require
from lc_health.ui.live import beside as live_beside
from lc_health.ui.review import action_forms
from lc_health.ui.review.agenda import Names, agenda_step, close_step, overview, proposal
from lc_health.ui.review.factor_screen import show_factor
from lc_health.ui.review.meeting import Meeting, agenda_frame
from lc_health.ui.review.opening import ReviewContext, open_round
from lc_health.ui.widgets import demo_notice

# Bigger type for a projector; layout only. Charts are enlarged by PROJECTOR_SCALE.
PROJECTOR_CSS = """
<style>
.stMainBlockContainer { max-width: 1500px; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.3rem; line-height: 1.5; }
.stMainBlockContainer h1 { font-size: 3rem; } .stMainBlockContainer h2 { font-size: 2.2rem; }
.stMainBlockContainer [data-testid="stMetricValue"] { font-size: 3rem; }
</style>
"""
PROJECTOR_SCALE = 1.6

Step = Callable[[ReviewContext, Meeting, Names], None]


def _navigator(order: list[int], names: dict[int, str], key: str) -> int:
    """Back, the factor list and next; returns the factor on screen (kept in the session)."""
    current = st.session_state.get(key, order[0])
    if current not in order:
        current = order[0]
    # Wide enough for "Volgende" and its icon at the projector's 1.6× scale.
    c1, c2, c3 = st.columns([3, 8, 3], vertical_alignment="bottom")
    index = order.index(current)
    if c1.button(
        t("survey.back"), icon=":material/arrow_back:", disabled=index == 0, width="stretch"
    ):
        st.session_state[key] = order[index - 1]
        st.rerun()
    picked = c2.selectbox(
        t("conversation.factor_of", n=index + 1, total=len(order)),
        order,
        index=index,
        format_func=names.__getitem__,
    )
    if picked != current:
        st.session_state[key] = picked
        st.rerun()
    if c3.button(
        t("survey.next"),
        icon=":material/arrow_forward:",
        disabled=index == len(order) - 1,
        width="stretch",
    ):
        st.session_state[key] = order[index + 1]
        st.rerun()
    return int(current)


def _discuss(ctx: ReviewContext, meeting: Meeting, names: Names) -> None:
    """The agenda's factors one per screen, each with its action and no-action forms."""
    frame = agenda_frame(meeting)
    order = agenda_metrics.order(frame)
    if not order:
        st.info(t("conversation.discuss_empty"))
        return
    current = _navigator(order, names, f"conv_{meeting.community_id}_{meeting.round_id}")
    scale = PROJECTOR_SCALE if st.session_state.get("projector") else 1.0
    show_factor(ctx, current, names[current], scale)
    room = live_beside.room(ctx)
    if room is not None:  # the conversation came from a live session: the room beside the round
        live_beside.beside(ctx, current, room)
    factor = ctx.instrument.factor_by_id[current]
    item = frame[frame["factor_id"] == current]
    left, right = st.columns(2, gap="large")
    with left:
        action_forms.new_action(factor, meeting)
    with right:
        action_forms.no_action(factor, meeting, item.iloc[0] if len(item) else None)
    action_forms.earlier_actions(factor, ctx.data, meeting, ctx.lang, ctx.threshold)


STEPS: tuple[tuple[str, Step], ...] = (
    ("conversation.step_overview", overview),
    ("conversation.step_agenda", agenda_step),
    ("conversation.step_discuss", _discuss),
    ("conversation.step_close", close_step),
)


def render() -> None:
    viewer = require(Role.lead, Role.admin)
    lang = language()
    if st.sidebar.toggle(t("conversation.projector"), key="projector"):
        st.html(PROJECTOR_CSS)
    st.title(t("conversation.title"))
    demo_notice()
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    ctx = open_round(community, Audience.lead, lang)
    if ctx is None:
        return
    room = live_beside.room(ctx)
    if ctx.factors["suppressed"].all() and room is None:  # a room's figures are enough
        st.info(t("review.all_hidden", threshold=ctx.threshold))
        return
    if room is not None:
        st.caption(t("live.conversation_from"))
    proposed = room.order if room is not None else proposal(ctx)
    meeting = Meeting(community.id, ctx.round_id, viewer.email, tuple(proposed))
    names = {f.id: f"{f.id}. {f.name.get(lang)}" for f in ctx.instrument.factors}
    tabs = st.tabs([t(key) for key, _ in STEPS], key="step", bind="query-params")
    for (_, step), tab in zip(STEPS, tabs, strict=True):
        with tab:
            if tab.open:
                step(ctx, meeting, names)
