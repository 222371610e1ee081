"""A phone in a live session tied to the open round: the round's own statements (the survey's
instrument, in the phone's language, with don't know), one layer per screen as the survey
shows them, every answer kept on the server as it is given. On the last screen the phone says
whether it already answered the round by its own link (then its sheet counts in the room only),
and sends. After sending, a sheet that became a round response can be taken out again."""

from __future__ import annotations

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lc_health.domain import live as rules
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.services import live
from lc_health.services.live import Phone
from lc_health.store.models import utcnow
from lc_health.ui.context import app, language, t
from lc_health.ui.guard import show_problems
from lc_health.ui.survey.form import scroll_to_top_on_new_step
from lc_health.ui.writes import attempt

log = logging.getLogger(__name__)
OPTIONS = [1, 2, 3, 4, 5, rules.DONT_KNOW]
LABELS = {v: str(v) for v in OPTIONS[:-1]} | {rules.DONT_KNOW: "?"}


def _layers(instrument: Instrument) -> list[str]:
    return [layer.id for layer in instrument.layers if instrument.items_in_layer(layer.id)]


def _scale(instrument: Instrument, lang: str) -> str:
    """The instrument's own scale, short: 1 = … 5 = …, ? = don't know."""
    ends = (instrument.scale.points[0], instrument.scale.points[-1])
    shown = " … ".join(f"{p.value} = {p.label.get(lang)}" for p in ends)
    return f"{shown}, ? = {instrument.scale.dont_know.get(lang)}"


def _statements(state: Phone, instrument: Instrument, layer_id: str) -> dict[str, int]:
    """One layer's statements with their answers so far; returns what is chosen on screen."""
    lang = language()
    layer = instrument.layer_by_id[layer_id]
    st.subheader(layer.name.get(lang))
    st.caption(_scale(instrument, lang))
    chosen: dict[str, int] = {}
    with st.container(key="live_answers"):
        for number, item in enumerate(instrument.items_in_layer(layer_id), start=1):
            key = f"live_{state.session_id}_{item.id}"
            if key not in st.session_state and item.id in state.answers:
                st.session_state[key] = state.answers[item.id]  # type: ignore[index]
            value = st.segmented_control(
                f"{number}. {item.text.get(lang)}",
                OPTIONS,
                format_func=LABELS.__getitem__,
                key=key,
            )
            if value is not None:
                chosen[item.id] = int(value)
    return chosen


def _keep(state: Phone, instrument: Instrument, chosen: dict[str, int], token: str) -> int:
    """Store the answers that changed (one write); returns how many the server has."""
    had = {str(k): v for k, v in state.answers.items()}
    changed = {i: v for i, v in chosen.items() if had.get(i) != v}
    if not changed:
        return len(had)
    try:
        kept = attempt(
            lambda session: live.save_answers(
                session,
                session_id=state.session_id,
                phone_token=token,
                answers=changed,
                instrument=instrument,
            )
        )
    except SQLAlchemyError as exc:
        log.warning("live session write failed: %s", type(exc).__name__)
        st.error(t("live.not_saved"), icon=":material/cloud_off:")
        return len(had)
    return len(kept) if kept is not None else len(had)


def _pages(page: int, pages: int, key: str) -> None:
    """Back and Next between the layers' screens."""
    back, forward = st.columns(2)
    if page > 0 and back.button(t("live.page_back"), width="stretch", key=f"{key}_back"):
        st.session_state[key] = page - 1
        st.rerun()
    if page < pages - 1 and forward.button(t("live.page_next"), width="stretch", key=f"{key}_next"):
        st.session_state[key] = page + 1
        st.rerun()


def _send(state: Phone, instrument: Instrument, token: str, missing: int) -> None:
    """The last screen: already answered the round?, then Send."""
    options = [t("live.already_no"), t("live.already_yes")]
    picked = st.radio(
        t("live.already"), options, index=None, key=f"live_already_{state.session_id}"
    )
    already = None if picked not in options else options.index(picked) == 1
    if st.button(
        t("live.send"),
        type="primary",
        width="stretch",
        disabled=bool(missing) or already is None,
    ):
        try:
            live.send_tied(
                app().engine,
                session_id=state.session_id,
                phone_token=token,
                instrument=instrument,
                already_answered=bool(already),
                now=utcnow(),
                today=utcnow().date(),
            )
        except Invalid as problems:
            show_problems(problems)
            return
        except SQLAlchemyError as exc:
            log.warning("live session send failed: %s", type(exc).__name__)
            st.error(t("live.not_saved"), icon=":material/cloud_off:")
            return
        st.rerun()


def answer(state: Phone, token: str) -> None:
    """The round's statements, a layer per screen, then sending."""
    assert state.instrument is not None
    instrument = app().registry.get(*state.instrument)
    st.caption(t("live.tied_intro"))
    layers = _layers(instrument)
    key = f"live_page_{state.session_id}"
    page = min(int(st.session_state.get(key, 0)), len(layers) - 1)
    scroll_to_top_on_new_step(key, page)  # as the survey: a new screen starts at its top
    st.caption(t("live.tied_page", page=page + 1, pages=len(layers)))
    chosen = _statements(state, instrument, layers[page])
    kept = _keep(state, instrument, chosen, token)
    missing = len(instrument.items) - kept
    st.caption(t("live.kept", count=kept))
    _pages(page, len(layers), key)
    if page == len(layers) - 1:
        if missing:
            st.caption(t("live.missing", count=missing))
        _send(state, instrument, token, missing)


def thanks(state: Phone, token: str) -> None:
    """After sending: where the answers count, and taking them out of the round."""
    if not state.in_round or state.instrument is None:
        st.info(t("live.room_only"))
        return
    st.info(t("live.in_round"))
    st.caption(t("live.withdraw_help"))
    if st.button(t("live.withdraw"), icon=":material/delete:"):
        instrument = app().registry.get(*state.instrument)
        done = attempt(
            lambda session: live.withdraw_sheet(
                session, session_id=state.session_id, phone_token=token, instrument=instrument
            )
        )
        if done is not None:
            st.rerun()
