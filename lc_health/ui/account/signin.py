"""Sign in: email and password (slowed down, then locked, after failures), or single sign-on."""

from __future__ import annotations

import time
from datetime import timedelta

import pandas as pd
import streamlit as st

from lc_health.domain.demo_data import ACCOUNTS
from lc_health.services import auth, signin
from lc_health.store.db import write_session
from lc_health.ui import sso
from lc_health.ui.context import app, t
from lc_health.ui.session import sign_in
from lc_health.ui.widgets import demo_notice


def _attempt(email: str, password: str) -> None:
    ctx = app()
    with write_session(ctx.engine) as session:
        result = signin.sign_in(
            session=session,
            email=email,
            password=password,
            max_failures=ctx.settings.max_failed_signins,
            lockout=timedelta(minutes=ctx.settings.lockout_minutes),
        )
        user_id = result.user.id if result.user else None
    if result.outcome == auth.SignInOutcome.ok and user_id is not None:
        sign_in(user_id)
        st.rerun()
    if result.outcome == auth.SignInOutcome.locked:
        st.error(t("signin.locked", minutes=ctx.settings.lockout_minutes), icon=":material/lock:")
        return
    time.sleep(result.delay_seconds)  # makes guessing slow; the form keeps what was typed
    st.error(t("signin.invalid"), icon=":material/error:")


def _demo_accounts() -> None:
    rows = [
        {
            t("signin.col_role"): t(f"role.{role.value}"),
            "E-mail": email,
            t("signin.col_password"): pw,
        }
        for email, pw, role, _name, _communities in ACCOUNTS
    ]
    with st.container(border=True):
        st.markdown(t("signin.demo_accounts"))
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def render() -> None:
    ctx = app()
    st.title(t("signin.title"))
    demo_notice()
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.write(t("signin.intro"))
        with st.form("signin", clear_on_submit=False, enter_to_submit=True):
            email = st.text_input(t("signin.email"), autocomplete="username", max_chars=254)
            password = st.text_input(
                t("signin.password"), type="password", autocomplete="current-password"
            )
            submitted = st.form_submit_button(t("signin.submit"), type="primary")
        if submitted:
            if not email.strip() or not password:
                st.error(t("signin.missing"), icon=":material/error:")
            else:
                _attempt(email, password)
        sso.section()
    with right:
        st.info(t("signin.participants"), icon=":material/info:")
        if ctx.settings.demo:
            _demo_accounts()
