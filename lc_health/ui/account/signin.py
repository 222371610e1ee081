"""Sign in: email and password (within the limits of services.signin_limits), or single sign-on.
In demo mode the demo accounts are listed, each with a one-click sign-in."""

from __future__ import annotations

import streamlit as st

from lc_health.domain.demo_data import ACCOUNTS
from lc_health.services import signin
from lc_health.store.db import write_session
from lc_health.ui import sso
from lc_health.ui.context import app, t
from lc_health.ui.session import client, limits, sign_in
from lc_health.ui.widgets import demo_notice, md_escape


def _attempt(email: str, password: str) -> None:
    """Every refusal shows the same message, whatever its reason (no account enumeration)."""
    ctx = app()
    with write_session(ctx.engine) as session:
        result = signin.sign_in(
            session=session, email=email, password=password, client=client(), limits=limits()
        )
        user_id = result.user.id if result.user else None
    if result.outcome == signin.SignInOutcome.ok and user_id is not None:
        sign_in(user_id)
        st.rerun()
    st.error(t("signin.invalid"), icon=":material/error:")


def _demo_accounts() -> None:
    """Each demo account with its password and a button that signs in as it (demo mode only)."""
    with st.container(border=True):
        st.markdown(t("signin.demo_accounts"))
        for email, password, role, _name, _communities in ACCOUNTS:
            label = t(f"role.{role.value}")
            st.markdown(
                f"**{md_escape(label)}**  \n`{email}`  \n{t('signin.col_password')}: `{password}`"
            )
            if st.button(
                t("signin.demo_sign_in", role=label),
                key=f"demo_signin_{role.value}",
                icon=":material/login:",
            ):
                _attempt(email, password)


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
