"""The opt-out page of an e-mail (`/?optout=<token>`): no account needed, outside the menu like
the survey. It asks first and opts out on a button, so a mail scanner that opens links opts
nobody out; the token is never shown or logged."""

from __future__ import annotations

import streamlit as st

from lc_health.domain.mail import OPTOUT_PARAM
from lc_health.services import mail as mail_service
from lc_health.store.db import read_session
from lc_health.ui.context import app, language_switch, t
from lc_health.ui.widgets import md_escape
from lc_health.ui.writes import attempt

DONE = "_optout_done"


def render() -> None:
    language_switch(st.container())
    st.title(t("mail_optout.title"))
    token = st.query_params.get(OPTOUT_PARAM) or ""
    if st.session_state.get(DONE):
        st.success(t("mail_optout.done"), icon=":material/check_circle:")
        return
    with read_session(app().engine) as session:
        status = mail_service.optout_status(session, token=token)
    if status.outcome == mail_service.OptOutOutcome.unknown:
        st.info(t("mail_optout.unknown"), icon=":material/help:")
        return
    if status.outcome == mail_service.OptOutOutcome.already:
        st.info(t("mail_optout.already"), icon=":material/unsubscribe:")
        return
    st.markdown(t("mail_optout.ask", community=md_escape(status.community)))
    if not st.button(t("mail_optout.confirm"), type="primary", icon=":material/unsubscribe:"):
        return
    done = attempt(lambda session: mail_service.opt_out(session, token=token))
    if done is not None:
        st.session_state[DONE] = True
        st.rerun()
