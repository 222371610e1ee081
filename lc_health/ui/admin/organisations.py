"""Administration: organisations and their membership of communities."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.services import communities as csvc
from lc_health.store import communities as cstore
from lc_health.store.db import read_session
from lc_health.store.models import Role
from lc_health.ui.context import app, language, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require
from lc_health.ui.writes import attempt


def _list(orgs: pd.DataFrame, types: dict[str, str]) -> None:
    st.subheader(t("admin_organisations.list"))
    if orgs.empty:
        st.info(t("admin_organisations.empty"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("admin.name"): orgs["name"],
                t("admin_organisations.type"): orgs["type"].map(lambda x: types.get(x, x)),
                t("admin_organisations.memberships"): orgs["communities"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _new_organisation(actor: str, types: dict[str, str]) -> None:
    st.subheader(t("admin_organisations.new"))
    with st.form(form_key("new_org")):
        name = st.text_input(t("admin.name"), max_chars=160)
        kind = st.selectbox(
            t("admin_organisations.type"), list(types), format_func=lambda x: types[x]
        )
        if not st.form_submit_button(t("admin.create"), type="primary"):
            return
    made = attempt(
        lambda session: csvc.create_organisation(
            session=session, name=name, type=kind or "", types=list(types), actor=actor
        )
    )
    if made is not None:
        reset_form("new_org")
        flash(t("admin.saved", name=made.name))
        st.rerun()


def _members(actor: str, orgs: pd.DataFrame, communities: pd.DataFrame) -> None:
    st.subheader(t("admin_organisations.members_heading"))
    if communities.empty or orgs.empty:
        st.info(t("admin_organisations.members_empty"))
        return
    names = dict(zip(communities["community_id"], communities["name"], strict=True))
    chosen = st.selectbox(
        t("guard.community"), list(names), format_func=lambda c: names[c], key="members_pick"
    )
    with read_session(app().engine) as session:
        current = [
            o.id for o in cstore.community_organisations(session=session, community_id=int(chosen))
        ]
    org_names = dict(zip(orgs["organisation_id"], orgs["name"], strict=True))
    with st.form(f"members_{chosen}"):
        selected = st.multiselect(
            t("admin_organisations.members"),
            list(org_names),
            default=[o for o in current if o in org_names],
            format_func=lambda o: org_names[o],
            placeholder=t("survey.choose"),
        )
        if not st.form_submit_button(t("admin.save"), type="primary"):
            return
    saved = attempt(
        lambda session: csvc.set_members(
            session=session, community_id=int(chosen), organisation_ids=selected, actor=actor
        )
    )
    if saved is not None:
        flash(t("admin.saved", name=saved.name))
        st.rerun()


def render() -> None:
    viewer = require(Role.admin)
    ctx = app()
    lang = language()
    instrument = ctx.registry.latest()
    types = {o.id: o.label.get(lang) for o in instrument.profile.organisation_types}
    st.title(t("admin_organisations.title"))
    show_flash()
    with read_session(ctx.engine) as session:
        orgs = cstore.organisations_frame(session=session)
        communities = cstore.communities_frame(session=session)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _list(orgs, types)
    with right:
        _new_organisation(viewer.email, types)
    _members(viewer.email, orgs, communities)
