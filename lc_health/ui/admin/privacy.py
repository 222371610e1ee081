"""Administration: privacy requests (what is stored with one link, its export, erasure) and the
retention setting (what is past it, and purging now)."""

from __future__ import annotations

import json
from datetime import date
from functools import partial

import streamlit as st

from lc_health.domain.periods import period_label
from lc_health.runtime.media import expire_downloads
from lc_health.services import privacy, privacy_requests
from lc_health.services.exports import hand_out
from lc_health.store.access import Viewer
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Role, utcnow
from lc_health.ui.context import app, publish_due, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require
from lc_health.ui.widgets import md_escape

# This session only: the token being looked at (the database never sees it, only its hash).
TOKEN_KEY = "_privacy_token"
LOOKUP_FORM = "privacy_lookup"


def _lookup(viewer: Viewer) -> None:
    with st.form(form_key(LOOKUP_FORM)):
        pasted = st.text_input(t("privacy.admin_link"), type="password")
        if not st.form_submit_button(t("privacy.admin_find"), icon=":material/search:"):
            return
    token = privacy.token_from_text(pasted) or ""
    st.session_state[TOKEN_KEY] = token
    with write_session(app().engine) as session:  # the look itself is recorded
        privacy_requests.look_up(session=session, token=token, actor=viewer.email)


def _erase(viewer: Viewer, token: str) -> None:
    with st.container(border=True):
        st.subheader(t("privacy.admin_erase_heading"))
        st.markdown(t("privacy.admin_erase_explain"))
        sure = st.checkbox(t("privacy.admin_erase_confirm"), key="_erase_sure")
        if not st.button(
            t("privacy.admin_erase_button"), type="primary", icon=":material/delete_forever:"
        ):
            return
        if not sure:
            st.warning(t("privacy.admin_tick_first"), icon=":material/check_box:")
            return
        ctx = app()
        with write_session(ctx.engine) as session:
            removed = privacy.erase_token(
                session=session, token=token, actor=viewer.email, instrument_for=ctx.registry.get
            )
    st.session_state.pop(TOKEN_KEY, None)
    reset_form(LOOKUP_FORM)
    flash(t("privacy.admin_erased", count=removed.responses))
    st.rerun()


def _show_link(viewer: Viewer, token: str) -> None:
    with read_session(app().engine) as session:
        found = privacy.stored(session=session, token=token)
        export = (
            privacy.export_token(session=session, token=token)
            if found is not None and found.kind == privacy.LinkKind.personal
            else None
        )
    if found is None:
        st.warning(t("privacy.admin_unknown"), icon=":material/link_off:")
        return
    community = md_escape(found.community)
    if found.kind == privacy.LinkKind.open or export is None:
        st.info(t("privacy.admin_open_link", community=community), icon=":material/groups:")
        return
    st.markdown(t("privacy.admin_found", number=found.invitation_id, community=community))
    if found.revoked:
        st.caption(t("privacy.admin_revoked"))
    left, right = st.columns(2)
    left.metric(t("privacy.admin_responses"), found.responses)
    right.metric(t("privacy.admin_comments"), found.comments)
    if found.periods:
        periods = ", ".join(period_label(p) for p in found.periods)
        st.caption(t("privacy.admin_rounds", periods=periods))
    content = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    expire_downloads()
    st.download_button(
        t("privacy.admin_export"),
        partial(
            hand_out,
            engine=app().engine,
            make=lambda: content,
            actor=viewer.email,
            export="privacy-link",
            fmt="json",
            scope=f"{found.community}, link {found.invitation_id}",
            audience=viewer.role.value,
        ),
        file_name=f"lc-health-link-{found.invitation_id}.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
        help=t("privacy.admin_export_help"),
    )
    _erase(viewer, token)


def _retention(viewer: Viewer) -> None:
    ctx = app()
    years = ctx.settings.retention_years
    st.header(t("privacy.admin_retention_heading"))
    cutoff = privacy.retention_cutoff(date.today(), years)
    if cutoff is None:
        st.info(t("privacy.admin_retention_off"), icon=":material/all_inclusive:")
        return
    st.markdown(t("privacy.admin_retention_on", count=years, cutoff=cutoff.strftime("%d-%m-%Y")))
    with read_session(ctx.engine) as session:
        preview = privacy.purge_preview(session=session, now=utcnow(), years=years)
    if preview == privacy.PurgeCounts():
        st.success(t("privacy.admin_purge_nothing"), icon=":material/check_circle:")
        return
    st.markdown(t("privacy.admin_purge_preview", **preview.as_dict()))
    sure = st.checkbox(t("privacy.admin_purge_confirm"), key="_purge_sure")
    if not st.button(t("privacy.admin_purge_button"), icon=":material/auto_delete:"):
        return
    if not sure:
        st.warning(t("privacy.admin_tick_first"), icon=":material/check_box:")
        return
    publish_due()  # rounds are published from their raw answers before those go
    with write_session(ctx.engine) as session:
        counts = privacy.purge_expired(
            session=session, now=utcnow(), years=years, actor=viewer.email
        )
    flash(t("privacy.admin_purged", **counts.as_dict()))
    st.rerun()


def render() -> None:
    viewer = require(Role.admin)
    st.title(t("privacy.admin_title"))
    show_flash()
    st.markdown(t("privacy.admin_intro"))
    _lookup(viewer)
    token = st.session_state.get(TOKEN_KEY)
    if token is not None:
        _show_link(viewer, token)
    _retention(viewer)
