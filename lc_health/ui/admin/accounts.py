"""Administration: accounts (create, role and communities, password reset, deactivate) and the
portfolios that limit what a policy maker sees."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.errors import Invalid, Problem
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import users as ustore
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Role, User
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require, show_problems

ALL_PORTFOLIO = 0  # "every community"


def _role_label(role: Role | str) -> str:
    return t(f"role.{Role(role).value}")


def _access_fields(
    prefix: str,
    communities: dict[int, str],
    portfolios: dict[int, str],
    *,
    role: Role = Role.lead,
    community_ids: list[int] | None = None,
    portfolio_id: int | None = None,
) -> tuple[Role, list[int], int | None]:
    role_names = {r: _role_label(r) for r in Role}
    chosen_role = st.selectbox(
        t("admin_accounts.role"),
        list(Role),
        index=list(Role).index(role),
        format_func=role_names.__getitem__,
        key=f"{prefix}_role",
    )
    chosen_communities = st.multiselect(
        t("admin_accounts.communities"),
        list(communities),
        default=community_ids or [],
        format_func=lambda c: communities[c],
        help=t("admin_accounts.communities_help"),
        key=f"{prefix}_communities",
    )
    options = [ALL_PORTFOLIO, *portfolios]
    chosen_portfolio = st.selectbox(
        t("admin_accounts.portfolio"),
        options,
        index=options.index(portfolio_id) if portfolio_id in options else 0,
        format_func=(portfolios | {ALL_PORTFOLIO: t("admin_accounts.all_communities")}).__getitem__,
        help=t("admin_accounts.portfolio_help"),
        key=f"{prefix}_portfolio",
    )
    return (
        Role(chosen_role or Role.lead),
        list(chosen_communities),
        None if chosen_portfolio == ALL_PORTFOLIO else chosen_portfolio,
    )


def _users_table(users: pd.DataFrame, portfolios: dict[int, str]) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "E-mail": users["email"],
                t("admin.name"): users["name"],
                t("admin_accounts.role"): users["role"].map(_role_label),
                t("admin_accounts.portfolio"): users["portfolio_id"].map(
                    lambda p: "" if pd.isna(p) else portfolios.get(int(p), "")
                ),
                t("admin.status"): users["active"].map(
                    lambda a: t("admin.active") if a else t("admin_accounts.inactive")
                ),
                t("admin_accounts.password"): users["has_password"].map(
                    lambda h: "✓" if h else t("admin_accounts.sso_only")
                ),
                t("admin_accounts.last_signin"): users["last_signin_at"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("admin_accounts.last_signin"): st.column_config.DatetimeColumn(
                format="DD-MM-YYYY HH:mm"
            )
        },
    )


def _new_account(actor: str, communities: dict[int, str], portfolios: dict[int, str]) -> None:
    ctx = app()
    key = form_key("new_account")
    with st.form(key):
        email = st.text_input("E-mail", max_chars=254, key=f"{key}_email")
        name = st.text_input(t("admin.name"), max_chars=120, key=f"{key}_name")
        role, community_ids, portfolio_id = _access_fields(key, communities, portfolios)
        st.caption(t("admin_accounts.password_help"))
        password = st.text_input(
            t("admin_accounts.password"),
            type="password",
            autocomplete="new-password",
            key=f"{key}_pw",
        )
        confirm = st.text_input(
            t("admin_accounts.confirm"),
            type="password",
            autocomplete="new-password",
            key=f"{key}_pw2",
        )
        if st.form_submit_button(t("admin.create"), type="primary"):
            try:
                with write_session(ctx.engine) as session:
                    user = ustore.create_user(
                        session=session,
                        email=email,
                        role=role,
                        name=name,
                        password=password or None,
                        confirm=confirm if password else None,
                        community_ids=community_ids,
                        portfolio_id=portfolio_id,
                    )
                    audit.record(
                        session=session,
                        actor=actor,
                        action="account.create",
                        target=user.email,
                        role=role.value,
                    )
            except Invalid as problems:
                show_problems(problems)
            else:
                reset_form("new_account")
                flash(t("admin.saved", name=email.strip().lower()))
                st.rerun()


def _edit_account(
    actor_id: int, actor: str, user: User, communities: dict[int, str], portfolios: dict[int, str]
) -> None:
    ctx = app()
    assert user.id is not None
    with read_session(ctx.engine) as session:
        current = ustore.user_communities(session=session, user_id=user.id)
    with st.form(f"edit_user_{user.id}"):
        name = st.text_input(t("admin.name"), value=user.name, max_chars=120)
        role, community_ids, portfolio_id = _access_fields(
            f"edit_{user.id}",
            communities,
            portfolios,
            role=Role(user.role),
            community_ids=current,
            portfolio_id=user.portfolio_id,
        )
        if st.form_submit_button(t("admin.save"), type="primary"):
            try:
                if user.id == actor_id and role != Role.admin:
                    raise Invalid([Problem("role", "error.own_admin_role")])
                with write_session(ctx.engine) as session:
                    ustore.update_user(
                        session=session,
                        user_id=user.id,
                        name=name,
                        role=role,
                        community_ids=community_ids,
                        portfolio_id=portfolio_id,
                    )
                    audit.record(
                        session=session,
                        actor=actor,
                        action="account.update",
                        target=user.email,
                        role=role.value,
                    )
            except Invalid as problems:
                show_problems(problems)
            else:
                flash(t("admin.saved", name=user.email))
                st.rerun()

    left, right = st.columns(2, gap="large")
    with left, st.form(form_key(f"reset_{user.id}")):
        st.markdown(f"**{t('admin_accounts.reset')}**")
        password = st.text_input(
            t("admin_accounts.password"), type="password", autocomplete="new-password"
        )
        confirm = st.text_input(
            t("admin_accounts.confirm"), type="password", autocomplete="new-password"
        )
        if st.form_submit_button(t("admin_accounts.reset_button")):
            try:
                with write_session(ctx.engine) as session:
                    ustore.set_password(
                        session=session, user_id=user.id, password=password, confirm=confirm
                    )
                    audit.record(
                        session=session,
                        actor=actor,
                        action="account.password_reset",
                        target=user.email,
                    )
            except Invalid as problems:
                show_problems(problems)
            else:
                reset_form(f"reset_{user.id}")
                flash(t("admin_accounts.reset_done", email=user.email))
                st.rerun()
    with right:
        st.markdown(f"**{t('admin.status')}**")
        if user.active:
            st.caption(t("admin_accounts.deactivate_help"))
            if st.button(
                t("admin_accounts.deactivate"),
                icon=":material/person_off:",
                disabled=user.id == actor_id,
            ):
                with write_session(ctx.engine) as session:
                    ustore.set_active(session=session, user_id=user.id, active=False)
                    audit.record(
                        session=session, actor=actor, action="account.deactivate", target=user.email
                    )
                flash(t("admin.saved", name=user.email))
                st.rerun()
        elif st.button(t("admin_accounts.activate"), icon=":material/person_check:"):
            with write_session(ctx.engine) as session:
                ustore.set_active(session=session, user_id=user.id, active=True)
                audit.record(
                    session=session, actor=actor, action="account.activate", target=user.email
                )
            flash(t("admin.saved", name=user.email))
            st.rerun()


def _portfolios(actor: str, communities: dict[int, str], portfolios: dict[int, str]) -> None:
    ctx = app()
    key = form_key("new_portfolio")
    with st.form(key):
        st.markdown(f"**{t('admin_accounts.new_portfolio')}**")
        name = st.text_input(t("admin.name"), max_chars=120, key=f"{key}_name")
        members = st.multiselect(
            t("admin_accounts.communities"),
            list(communities),
            format_func=lambda c: communities[c],
            key=f"{key}_members",
        )
        if st.form_submit_button(t("admin.create"), type="primary"):
            try:
                with write_session(ctx.engine) as session:
                    ustore.create_portfolio(session=session, name=name, community_ids=members)
                    audit.record(
                        session=session,
                        actor=actor,
                        action="portfolio.create",
                        target=name.strip(),
                        communities=len(members),
                    )
            except Invalid as problems:
                show_problems(problems)
            else:
                reset_form("new_portfolio")
                flash(t("admin.saved", name=name.strip()))
                st.rerun()
    if not portfolios:
        return
    pick = st.selectbox(
        t("admin_accounts.portfolio"),
        list(portfolios),
        format_func=lambda p: portfolios[p],
        key="portfolio_pick",
    )
    with read_session(ctx.engine) as session:
        current = cstore.portfolio_community_ids(session=session, portfolio_id=int(pick))
    with st.form(f"portfolio_{pick}"):
        members = st.multiselect(
            t("admin_accounts.communities"),
            list(communities),
            default=[c for c in current if c in communities],
            format_func=lambda c: communities[c],
        )
        if st.form_submit_button(t("admin.save"), type="primary"):
            with write_session(ctx.engine) as session:
                ustore.set_portfolio_communities(
                    session=session, portfolio_id=int(pick), community_ids=members
                )
                audit.record(
                    session=session,
                    actor=actor,
                    action="portfolio.update",
                    target=portfolios[pick],
                    communities=len(members),
                )
            flash(t("admin.saved", name=portfolios[pick]))
            st.rerun()


def render() -> None:
    viewer = require(Role.admin)
    ctx = app()
    st.title(t("admin_accounts.title"))
    show_flash()
    with read_session(ctx.engine) as session:
        users = ustore.users_frame(session=session)
        frame = cstore.communities_frame(session=session)
        portfolios = {p.id: p.name for p in ustore.portfolios(session=session) if p.id}
    communities = dict(zip(frame["community_id"].astype(int), frame["name"], strict=True))
    tab_list, tab_new, tab_edit, tab_portfolios = st.tabs(
        [
            t("admin.tab_overview"),
            t("admin.tab_new"),
            t("admin.tab_edit"),
            t("admin_accounts.tab_portfolios"),
        ]
    )
    with tab_list:
        _users_table(users, portfolios)
    with tab_new:
        _new_account(viewer.email, communities, portfolios)
    with tab_edit:
        emails = dict(zip(users["user_id"].astype(int), users["email"], strict=True))
        pick = st.selectbox(
            "E-mail", list(emails), format_func=lambda u: emails[u], key="user_pick"
        )
        with read_session(ctx.engine) as session:
            user = session.get(User, int(pick))
        if user is not None:
            _edit_account(viewer.user_id, viewer.email, user, communities, portfolios)
    with tab_portfolios:
        _portfolios(viewer.email, communities, portfolios)
