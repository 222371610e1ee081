"""Withdrawing answers from the survey page of a personal link: an expander with what it means,
a confirm step (tick, then press), and a confirmation afterwards.

Call render_withdraw on every run of a personal link's survey page. After a withdrawal it
forgets the survey page's draft (so the page no longer shows the withdrawn answers) and reruns;
the confirmation then shows on the next call.
"""

from __future__ import annotations

import logging
from datetime import date

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from lc_health.domain.credentials import hash_token
from lc_health.domain.periods import period_label
from lc_health.services import privacy
from lc_health.store.db import read_session, write_session
from lc_health.ui.context import app, t
from lc_health.ui.widgets import md_escape

log = logging.getLogger(__name__)
SURE_KEY = "_withdraw_sure"


def _key(prefix: str, token: str) -> str:
    # The survey page keeps its draft under "draft_<first 16 of the token's hash>" (ui/survey.py).
    return f"{prefix}_{hash_token(token)[:16]}"


def render_withdraw(*, token: str, community_name: str) -> None:
    """The "Withdraw my answers" expander for a personal link (nothing for any other link)."""
    ctx = app()
    withdrawn = st.session_state.pop(_key("_withdrawn", token), None)
    if withdrawn is not None:
        st.success(t("privacy.withdraw_done", count=withdrawn), icon=":material/check_circle:")
    with read_session(ctx.engine) as session:
        stored = privacy.stored(session=session, token=token)
    if stored is None or stored.kind != privacy.LinkKind.personal or stored.revoked:
        return
    with st.expander(t("privacy.withdraw_title"), icon=":material/delete:"):
        if stored.responses == 0:
            st.caption(t("privacy.withdraw_nothing"))
            return
        periods = ", ".join(period_label(p) for p in stored.periods)
        st.markdown(
            t("privacy.withdraw_explain", community=md_escape(community_name), periods=periods)
        )
        sure = st.checkbox(t("privacy.withdraw_confirm"), key=SURE_KEY)
        if not st.button(
            t("privacy.withdraw_button"), icon=":material/delete_forever:", key="_withdraw_go"
        ):
            return
        if not sure:
            st.warning(t("privacy.withdraw_tick_first"), icon=":material/check_box:")
            return
        try:
            with write_session(ctx.engine) as session:
                removed = privacy.withdraw(
                    session=session,
                    token=token,
                    today=date.today(),
                    instrument_for=ctx.registry.get,
                )
        except (SQLAlchemyError, OSError) as exc:
            # Nothing was deleted (one transaction). Never log the token.
            log.warning("withdrawal failed: %s", type(exc).__name__)
            st.error(t("privacy.withdraw_failed"), icon=":material/error:")
            return
    st.session_state[_key("_withdrawn", token)] = removed.responses
    st.session_state.pop(_key("draft", token), None)
    st.rerun()
