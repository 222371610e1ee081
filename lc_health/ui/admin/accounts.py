"""Administration: accounts (create, role and communities, password reset, deactivate) and the
portfolios that limit what a policy maker sees."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.services import accounts
from lc_health.store import communities as cstore
from lc_health.store import users as ustore
from lc_health.store.db import read_session
from lc_health.store.models import Role, User
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require
from lc_health.ui.writes import attempt

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
        placeholder=t("survey.choose"),
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


def _password_fields(key: str) -> tuple[str, str]:
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
    return password, confirm


def _new_account(actor: str, communities: dict[int, str], portfolios: dict[int, str]) -> None:
    key = form_key("new_account")
    with st.form(key):
        email = st.text_input("E-mail", max_chars=254, key=f"{key}_email")
        name = st.text_input(t("admin.name"), max_chars=120, key=f"{key}_name")
        role, community_ids, portfolio_id = _access_fields(key, communities, portfolios)
        st.caption(t("admin_accounts.password_help"))
        password, confirm = _password_fields(key)
        if not st.form_submit_button(t("admin.create"), type="primary"):
            return
    made = attempt(
        lambda session: accounts.create_account(
            session=session,
            email=email,
            role=role,
            actor=actor,
            name=name,
            password=password or None,
            confirm=confirm if password else None,
            community_ids=community_ids,
            portfolio_id=portfolio_id,
        )
    )
    if made is not None:
        reset_form("new_account")
        flash(t("admin.saved", name=made.email))
        st.rerun()


def _edit_form(
    actor: str, user: User, communities: dict[int, str], portfolios: dict[int, str]
) -> None:
    assert user.id is not None
    with read_session(app().engine) as session:
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
        if not st.form_submit_button(t("admin.save"), type="primary"):
            return
    saved = attempt(
        lambda session: accounts.update_account(
            session=session,
            email=user.email,
            name=name,
            role=role,
            actor=actor,
            community_ids=community_ids,
            portfolio_id=portfolio_id,
        )
    )
    if saved is not None:
        flash(t("admin.saved", name=user.email))
        st.rerun()


def _reset_form(actor: str, user: User) -> None:
    key = form_key(f"reset_{user.id}")
    with st.form(key):
        st.markdown(f"**{t('admin_accounts.reset')}**")
        password, confirm = _password_fields(key)
        if not st.form_submit_button(t("admin_accounts.reset_button")):
            return
    done = attempt(
        lambda session: accounts.reset_password(
            session=session, email=user.email, password=password, confirm=confirm, actor=actor
        )
    )
    if done is not None:
        reset_form(f"reset_{user.id}")
        flash(t("admin_accounts.reset_done", email=user.email))
        st.rerun()


def _status(actor_id: int, actor: str, user: User) -> None:
    st.markdown(f"**{t('admin.status')}**")
    if user.active:
        st.caption(t("admin_accounts.deactivate_help"))
        pressed = st.button(
            t("admin_accounts.deactivate"),
            icon=":material/person_off:",
            disabled=user.id == actor_id,
        )
    else:
        pressed = st.button(t("admin_accounts.activate"), icon=":material/person_check:")
    if not pressed:
        return
    done = attempt(
        lambda session: accounts.set_active(
            session=session, email=user.email, active=not user.active, actor=actor
        )
    )
    if done is not None:
        flash(t("admin.saved", name=user.email))
        st.rerun()


def _edit_account(
    actor_id: int, actor: str, user: User, communities: dict[int, str], portfolios: dict[int, str]
) -> None:
    _edit_form(actor, user, communities, portfolios)
    left, right = st.columns(2, gap="large")
    with left:
        _reset_form(actor, user)
    with right:
        _status(actor_id, actor, user)


def _new_portfolio(actor: str, communities: dict[int, str]) -> None:
    key = form_key("new_portfolio")
    with st.form(key):
        st.markdown(f"**{t('admin_accounts.new_portfolio')}**")
        name = st.text_input(t("admin.name"), max_chars=120, key=f"{key}_name")
        members = st.multiselect(
            t("admin_accounts.communities"),
            list(communities),
            format_func=lambda c: communities[c],
            key=f"{key}_members",
            placeholder=t("survey.choose"),
        )
        if not st.form_submit_button(t("admin.create"), type="primary"):
            return
    made = attempt(
        lambda session: accounts.create_portfolio(
            session=session, name=name, community_ids=members, actor=actor
        )
    )
    if made is not None:
        reset_form("new_portfolio")
        flash(t("admin.saved", name=made.name))
        st.rerun()


def _portfolio_members(actor: str, communities: dict[int, str], portfolios: dict[int, str]) -> None:
    pick = st.selectbox(
        t("admin_accounts.portfolio"),
        list(portfolios),
        format_func=lambda p: portfolios[p],
        key="portfolio_pick",
    )
    with read_session(app().engine) as session:
        current = cstore.portfolio_community_ids(session=session, portfolio_id=int(pick))
    with st.form(f"portfolio_{pick}"):
        members = st.multiselect(
            t("admin_accounts.communities"),
            list(communities),
            default=[c for c in current if c in communities],
            format_func=lambda c: communities[c],
            placeholder=t("survey.choose"),
        )
        if not st.form_submit_button(t("admin.save"), type="primary"):
            return
    saved = attempt(
        lambda session: accounts.set_portfolio_communities(
            session=session, portfolio_id=int(pick), community_ids=members, actor=actor
        )
    )
    if saved is not None:
        flash(t("admin.saved", name=saved.name))
        st.rerun()


def _portfolios(actor: str, communities: dict[int, str], portfolios: dict[int, str]) -> None:
    _new_portfolio(actor, communities)
    if portfolios:
        _portfolio_members(actor, communities, portfolios)


def _pick_account(users: pd.DataFrame) -> User | None:
    emails = dict(zip(users["user_id"].astype(int), users["email"], strict=True))
    pick = st.selectbox("E-mail", list(emails), format_func=lambda u: emails[u], key="user_pick")
    with read_session(app().engine) as session:
        return accounts.account(session=session, user_id=int(pick))


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
        user = _pick_account(users)
        if user is not None:
            _edit_account(viewer.user_id, viewer.email, user, communities, portfolios)
    with tab_portfolios:
        _portfolios(viewer.email, communities, portfolios)
