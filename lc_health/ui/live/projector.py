"""The projector's screen of a live session, refreshed every second (st.fragment): the join
code and QR until the reveal, how many joined and answered, then the room's picture. Large
type and high contrast, laid out for 1920×1080 without scrolling."""

from __future__ import annotations

import io
import logging
from typing import Any

import segno
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lc_health.domain.instrument import Instrument
from lc_health.metrics.live import ordered, read_payload
from lc_health.services import live
from lc_health.services.live import Projector
from lc_health.store.db import read_session, write_session
from lc_health.ui.context import app, t
from lc_health.ui.live import picture as live_picture

log = logging.getLogger(__name__)
REFRESH_SECONDS = 1.0  # an answer shows within this plus one database round trip
JOIN_PARAM = "join"
# Readable from the back of a room: big type in the theme's full text colour (black on white,
# or white on the dark theme), the code huge.
PROJECTOR_CSS = """
<style>
.stMainBlockContainer { max-width: 100%; padding-top: 1.5rem; padding-bottom: 0; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.55rem; line-height: 1.35; }
.st-key-live_code p { font-size: 6rem; font-weight: 800; letter-spacing: 0.6rem;
  font-family: monospace; margin: 0; }
.st-key-live_counts p { font-size: 2.4rem; margin: 0; }
</style>
"""


def join_url(code: str) -> str:
    return f"{app().settings.public_url.rstrip('/')}/?{JOIN_PARAM}={code}"


@st.cache_data(max_entries=32)
def qr_png(url: str) -> bytes:
    """The join URL as a QR code (PNG, black on white, a quiet zone of 2 modules)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=12, border=2)
    return out.getvalue()


def instrument_of(key: tuple[str, int] | None) -> Instrument | None:
    """A tied session's round instrument (its picture is computed from the round's items)."""
    return None if key is None else app().registry.get(*key)


def current(session_id: int) -> Projector | None:
    """Publish what is due, then read what the projector may show (None, with a notice, when
    the database did not answer: the next refresh tries again)."""
    engine = app().engine
    try:
        with read_session(engine) as session:
            state = live.projector(session, session_id=session_id)
        if state is None or not live.step_due(state):
            return state  # no write lock every second while phones are writing
        with write_session(engine) as session:
            live.publish_due(
                session, session_id=session_id, instrument=instrument_of(state.instrument)
            )
        with read_session(engine) as session:
            return live.projector(session, session_id=session_id)
    except SQLAlchemyError as exc:
        log.warning("live projector not refreshed: %s", type(exc).__name__)
        st.caption(t("live.not_refreshed"))
        return None


def _join_box(state: Projector) -> None:
    url = join_url(state.code)
    left, right = st.columns([2, 1], vertical_alignment="center")
    with left:
        st.markdown(t("live.join_at", url=url.split("?")[0]))
        with st.container(key="live_code"):
            st.markdown(state.code)
    right.image(qr_png(url), width=420, alt=t("live.qr_alt", code=state.code))


def _counts(state: Projector) -> None:
    """Joined, answered and in the picture, on one line of large type."""
    shown = state.published_count if state.revealed else "—"
    with st.container(key="live_counts"):
        st.markdown(
            f"{t('live.joined')}: **{state.joined}** · {t('live.answered')}: **{state.sent}**"
            f" · {t('live.in_picture')}: **{shown}**"
            + (f" · {t('live.code')}: **{state.code}**" if state.revealed else "")
        )
    if not state.revealed:
        need = max(state.threshold - state.sent, 0)
        st.caption(t("live.reveal_from", threshold=state.threshold, missing=need))
    else:
        st.caption(t("live.steps", threshold=state.threshold))


def _picture(state: Projector, instrument: Instrument, lang: str) -> None:
    data: dict[str, Any] = read_payload(state.published)
    shown = live_picture.frame(data, instrument, lang)
    left, middle, right = st.columns([6, 3, 3], gap="medium")
    with left:
        live_picture.spread_chart(shown, instrument, lang)
    with middle:
        live_picture.by_band(shown, lang)
    with right:
        order = ordered([int(f) for f in data["proposed"]], list(state.order))
        live_picture.to_discuss(order, shown)


@st.fragment(run_every=REFRESH_SECONDS)
def screen(session_id: int, instrument: Instrument, lang: str) -> None:
    """The projector's screen (re-run every second on its own)."""
    state = current(session_id)
    if state is None:
        return
    if state.ended:
        st.info(t("live.ended"))
    elif not state.revealed or not state.published:
        _join_box(state)
    _counts(state)
    if state.revealed and state.published:
        _picture(state, instrument, lang)
