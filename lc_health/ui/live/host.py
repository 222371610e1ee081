"""The lead's live session page: start a session for a community (tied to its open round or
not), then the projector's screen with the facilitator's controls in the sidebar: reveal, the
order of the factors to discuss, into the conversation, end. The paper route is offered too."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lc_health.domain.periods import period_label
from lc_health.metrics.live import ordered, read_payload
from lc_health.services import live
from lc_health.services.live import Projector
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.models import Community, LiveSession, Role, utcnow
from lc_health.ui import navigation
from lc_health.ui.context import app, language, t
from lc_health.ui.forms import show_flash
from lc_health.ui.guard import COMMUNITY_PARAM, pick_community, require
from lc_health.ui.live import projector
from lc_health.ui.widgets import demo_notice
from lc_health.ui.writes import attempt

SESSION_PARAM = "session"
LIVE_PARAM = "live"  # the conversation page's link back to a session


def _sessions(community_id: int) -> list[LiveSession]:
    with read_session(app().engine) as session:
        return live.sessions(session, community_id=community_id)


def _start_form(community: Community, actor: str) -> None:
    assert community.id is not None
    with read_session(app().engine) as session:
        rnd = round_store.open_round_for(
            session=session, community_id=community.id, today=date.today()
        )
    st.markdown(t("live.intro"))
    with st.form("live_start"):
        tie = False
        if rnd is not None:
            tie = st.checkbox(t("live.tie", period=period_label(rnd.period)), value=False)
            st.caption(t("live.tie_help"))
        if st.form_submit_button(t("live.start"), type="primary", icon=":material/play_arrow:"):
            started = attempt(
                lambda session: live.start(
                    session,
                    actor=actor,
                    community_id=community.id,  # type: ignore[arg-type]
                    round_id=rnd.id if tie and rnd is not None else None,
                    threshold=app().settings.anonymity_threshold,
                    today=date.today(),
                )
            )
            if started is not None:
                st.query_params[SESSION_PARAM] = str(started.id)
                st.rerun()


def _earlier(rows: list[LiveSession]) -> None:
    if not rows:
        return
    st.subheader(t("live.earlier"))
    for row in rows[:10]:
        state = t("live.state_ended") if row.ended_at else t("live.state_running")
        label = t("live.earlier_line", date=row.started_at.date().isoformat(), state=state)
        if st.button(label, key=f"live_open_{row.id}"):
            st.query_params[SESSION_PARAM] = str(row.id)
            st.rerun()


def _paper() -> None:
    st.subheader(t("live.paper_title"))
    st.caption(t("live.paper_help"))
    st.page_link(navigation.page("lead_paper"), label=t("live.paper_link"), icon=":material/print:")


def _chosen(rows: list[LiveSession]) -> LiveSession | None:
    """The session named in the URL, if it is one of this community's."""
    wanted = st.query_params.get(SESSION_PARAM, "")
    if not (wanted.isascii() and wanted.isdecimal()):
        return None
    return next((r for r in rows if r.id == int(wanted)), None)


def render() -> None:
    viewer = require(Role.lead, Role.admin)
    show_flash()
    with st.sidebar if st.query_params.get(SESSION_PARAM) else st.container():
        community = pick_community(viewer)  # on the projector it goes to the sidebar
    assert community.id is not None
    rows = _sessions(community.id)
    chosen = _chosen(rows)
    if chosen is not None and chosen.id is not None:
        _controls(chosen, community, viewer.email)
        st.html(projector.PROJECTOR_CSS)
        projector.screen(chosen.id, app().registry.latest(), language())
        return
    st.title(t("live.title"))
    demo_notice()
    _start_form(community, viewer.email)
    _earlier(rows)
    _paper()


def _controls(row: LiveSession, community: Community, actor: str) -> None:
    """The facilitator's buttons, in the sidebar (the main area is the projector's)."""
    assert row.id is not None
    side = st.sidebar
    side.subheader(t("live.controls"))
    state = projector.current(row.id)
    if state is None:
        return
    if not state.revealed and not state.ended:
        if side.button(t("live.reveal"), type="primary", icon=":material/visibility:"):
            used = projector.instrument_of(state.instrument)
            if attempt(
                lambda s: live.reveal(
                    s,
                    actor=actor,
                    session_id=row.id,  # type: ignore[arg-type]
                    now=utcnow(),
                    instrument=used,
                )
            ):
                st.rerun()
    if state.revealed and state.published:
        _order_form(state, community, actor)
    if not state.ended and side.button(t("live.end"), icon=":material/stop:"):
        attempt(lambda s: live.end(s, actor=actor, session_id=row.id))  # type: ignore[arg-type]
        st.rerun()
    if side.button(t("live.back"), icon=":material/arrow_back:"):
        del st.query_params[SESSION_PARAM]
        st.rerun()


def _order_form(state: Projector, community: Community, actor: str) -> None:
    """Reorder the factors to discuss, and move into the conversation with them."""
    data = read_payload(state.published)
    proposed = [int(f) for f in data["proposed"]]
    current = ordered(proposed, list(state.order))
    names = {f.id: f"{f.id}. {f.short.get(language())}" for f in app().registry.latest().factors}
    with st.sidebar.form("live_order"):
        factor = int(st.selectbox(t("live.order"), list(names), format_func=names.__getitem__))
        st.caption(t("live.order_help"))
        first = st.form_submit_button(t("live.put_first"), icon=":material/vertical_align_top:")
        off = st.form_submit_button(t("live.take_off"), icon=":material/remove:")
        if first or off:
            rest = [f for f in current if f != factor]
            order = rest if off else [factor, *rest]
            attempt(
                lambda s: live.reorder(s, actor=actor, session_id=state.session_id, order=order)
            )
            st.rerun()
    if st.sidebar.button(t("live.to_conversation"), type="primary", icon=":material/forum:"):
        st.switch_page(
            navigation.page("lead_conversation"),
            query_params={
                COMMUNITY_PARAM: str(community.id),
                LIVE_PARAM: str(state.session_id),
                "lang": language(),
            },
        )
