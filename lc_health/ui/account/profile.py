"""Your account: who you are signed in as, change your own password, sign out."""

from __future__ import annotations

import streamlit as st

from lc_health.domain.errors import Invalid
from lc_health.services import accounts
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require, show_problems
from lc_health.ui.session import client, limits
from lc_health.ui.widgets import md_escape


def render() -> None:
    viewer = require()
    st.title(t("account.title"))
    show_flash()
    st.markdown(
        t(
            "account.signed_in_as",
            email=md_escape(viewer.email),
            role=t(f"role.{viewer.role.value}"),
        )
    )
    st.subheader(t("account.change_password"))
    with st.form(form_key("own_password")):
        current = st.text_input(
            t("account.current"), type="password", autocomplete="current-password"
        )
        password = st.text_input(
            t("admin_accounts.password"), type="password", autocomplete="new-password"
        )
        confirm = st.text_input(
            t("admin_accounts.confirm"), type="password", autocomplete="new-password"
        )
        if not st.form_submit_button(t("account.save"), type="primary"):
            return
    ctx = app()
    try:  # the current password counts towards the sign-in limits
        accounts.change_own_password(
            ctx.engine,
            email=viewer.email,
            current=current,
            password=password,
            confirm=confirm,
            client=client(),
            limits=limits(),
        )
    except Invalid as problems:
        show_problems(problems)
        return
    reset_form("own_password")
    flash(t("account.saved"))
    st.rerun()
