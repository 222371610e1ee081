"""A participant's phone in a live session: no account. The code is typed or comes with the
QR's link (?join=CODE); the phone then gets a random token in its URL (&p=...), under which
every answer is kept on the server as it is given, so a phone that loses its connection or
reloads finds its answers again. Twelve statements, one per factor, 1-5 or don't know; a
session tied to the open round asks the round's own statements instead (ui.live.phone_round)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from lc_health.domain import credentials
from lc_health.domain import live as rules
from lc_health.services import live
from lc_health.services.live import Phone
from lc_health.store.db import read_session
from lc_health.store.models import utcnow
from lc_health.ui.context import app, language, language_switch, t
from lc_health.ui.live import phone_round
from lc_health.ui.session import client
from lc_health.ui.writes import attempt

log = logging.getLogger(__name__)
T = TypeVar("T")
JOIN_PARAM = "join"
MAX_TYPED = 12  # a code with spaces or dashes
PHONE_PARAM = "p"
OPTIONS = [1, 2, 3, 4, 5, rules.DONT_KNOW]
# One statement per row, the six answers side by side on a 390 px phone.
PHONE_CSS = """<style>
.stMainBlockContainer { max-width: 640px; padding-top: 1rem; }
.st-key-live_answers [data-testid="stButtonGroup"] button { min-width: 2.6rem; min-height: 2.6rem; }
</style>"""


def _write(work: Callable[[Session], T]) -> T | None:
    """A phone's write (ui.writes.attempt); a database that fails (busy, or two phones of one
    network counting a wrong code at the same moment) asks to try again instead of crashing:
    nothing of that write was stored, every earlier answer was."""
    try:
        return attempt(work)
    except SQLAlchemyError as exc:
        log.warning("live session write failed: %s", type(exc).__name__)
        st.error(t("live.not_saved"), icon=":material/cloud_off:")
        return None


def _join_form(code: str) -> None:
    """Type the code (pre-filled from the QR's link) and join."""
    with st.form("live_join"):
        typed = st.text_input(
            t("live.code"), value=code[:MAX_TYPED], max_chars=MAX_TYPED, autocomplete="off"
        )
        if st.form_submit_button(t("live.join"), type="primary", width="stretch"):
            token = credentials.new_token()
            joined = _write(
                lambda session: [
                    live.join(
                        session,
                        code=typed,
                        phone_token=token,
                        client=client().address,
                        language=language(),
                        now=utcnow(),
                    )
                ]
            )
            if joined is None:  # the problem is on screen (wait before trying again)
                return
            if joined[0] is None:
                st.error(t("live.wrong_code"))
                return
            st.query_params[JOIN_PARAM] = rules.normalise_code(typed) or typed
            st.query_params[PHONE_PARAM] = token
            st.rerun()


def _resume(code: str, token: str) -> Phone | None:
    with read_session(app().engine) as session:
        return live.phone_by_code(session, code=code, phone_token=token)


def _statements(state: Phone) -> dict[int, int]:  # an untied session: factor -> answer
    """The twelve statements with their answers so far; returns what is chosen on screen."""
    labels = {v: str(v) for v in OPTIONS[:-1]} | {rules.DONT_KNOW: "?"}
    st.caption(t("live.scale"))
    chosen: dict[int, int] = {}
    with st.container(key="live_answers"):
        for factor in rules.FACTORS:
            key = f"live_{state.session_id}_{factor}"
            if key not in st.session_state and factor in state.answers:
                st.session_state[key] = state.answers[factor]  # type: ignore[index]
            value = st.segmented_control(
                f"{factor}. {t(f'live.statement.{factor}')}",
                OPTIONS,
                format_func=labels.__getitem__,
                key=key,
            )
            if value is not None:
                chosen[factor] = int(value)
    return chosen


def _keep(state: Phone, chosen: dict[int, int], token: str) -> dict[int, int]:
    """Store the answers that changed since the server last had them (one write)."""
    had = {int(f): v for f, v in state.answers.items()}
    changed = {f: v for f, v in chosen.items() if had.get(f) != v}
    if not changed:
        return had
    kept = _write(
        lambda session: live.save_answers(
            session, session_id=state.session_id, phone_token=token, answers=changed
        )
    )
    return {int(f): v for f, v in kept.items()} if kept is not None else had


def _answer(state: Phone, token: str) -> None:
    chosen = _statements(state)
    kept = _keep(state, chosen, token)
    missing = len(rules.FACTORS) - len(kept)
    st.caption(t("live.kept", count=len(kept)))
    if missing:
        st.caption(t("live.missing", count=missing))
    if st.button(t("live.send"), type="primary", width="stretch", disabled=bool(missing)):
        sent = _write(
            lambda session: live.send(
                session, session_id=state.session_id, phone_token=token, now=utcnow()
            )
        )
        if sent:
            st.rerun()


def render() -> None:
    st.html(PHONE_CSS)
    language_switch(st)
    st.header(t("live.phone_title"))
    code = st.query_params.get(JOIN_PARAM, "")
    token = st.query_params.get(PHONE_PARAM, "")
    state = _resume(code, token) if code and token else None
    if state is None:
        st.markdown(t("live.phone_intro"))
        _join_form(code)
        return
    if state.sent:
        st.success(t("live.thanks"), icon=":material/check_circle:")
        if state.round_id is not None:
            phone_round.thanks(state, token)
        return
    if state.ended:
        st.info(t("live.ended"))
        return
    if state.instrument is not None:
        phone_round.answer(state, token)
        return
    _answer(state, token)
