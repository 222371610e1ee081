"""Your account: who you are signed in as, change your own password, sign out."""

from __future__ import annotations

import streamlit as st

from lc_health.domain import credentials
from lc_health.domain.errors import Invalid, Problem
from lc_health.store import audit
from lc_health.store import users as ustore
from lc_health.store.db import read_session, write_session
from lc_health.store.models import User
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require, show_problems
from lc_health.ui.widgets import md_escape


def render() -> None:
    viewer = require()
    ctx = app()
    st.title(t("account.title"))
    show_flash()
    st.markdown(
        t(
            "account.signed_in_as",
            email=md_escape(viewer.email),
            role=t(f"role.{viewer.role.value}"),
        )
    )
    with read_session(ctx.engine) as session:
        user = session.get(User, viewer.user_id)
    assert user is not None
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
        if st.form_submit_button(t("account.save"), type="primary"):
            try:
                if user.password_hash and not credentials.verify_password(
                    current, user.password_hash
                ):
                    raise Invalid([Problem("current", "error.current_password")])
                with write_session(ctx.engine) as session:
                    ustore.set_password(
                        session=session,
                        user_id=viewer.user_id,
                        password=password,
                        confirm=confirm,
                    )
                    audit.record(
                        session=session,
                        actor=viewer.email,
                        action="account.own_password",
                        target=viewer.email,
                    )
            except Invalid as problems:
                show_problems(problems)
            else:
                reset_form("own_password")
                flash(t("account.saved"))
                st.rerun()
