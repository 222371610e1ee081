"""Administration: create, edit and archive communities, and set their member organisations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.periods import period_label
from lc_health.services import communities as csvc
from lc_health.store import communities as cstore
from lc_health.store.db import read_session
from lc_health.store.models import Community, Role
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import require
from lc_health.ui.writes import attempt


def _phase_options() -> list[str]:
    return ["", *cstore.PHASES]


def _community_fields(prefix: str, current: Community | None = None) -> dict[str, str]:
    phases = _phase_options()
    phase_names = {p: t(f"phase.{p}") if p else "—" for p in phases}
    values = {
        "name": st.text_input(
            t("admin.name"),
            value=current.name if current else "",
            max_chars=cstore.MAX_NAME,
            key=f"{prefix}_name",
        ),
        "sector": st.text_input(
            t("admin.sector"),
            value=current.sector if current else "",
            max_chars=cstore.MAX_LABEL,
            key=f"{prefix}_sector",
        ),
        "region": st.text_input(
            t("admin.region"),
            value=current.region if current else "",
            max_chars=cstore.MAX_LABEL,
            key=f"{prefix}_region",
        ),
        "phase": st.selectbox(
            t("admin.phase"),
            phases,
            index=phases.index(current.phase) if current and current.phase in phases else 0,
            format_func=phase_names.__getitem__,
            key=f"{prefix}_phase",
        ),
        "contact": st.text_input(
            t("admin.contact"),
            value=current.contact if current else "",
            max_chars=cstore.MAX_CONTACT,
            help=t("admin.contact_help"),
            key=f"{prefix}_contact",
        ),
        "description": st.text_area(
            t("admin.description"),
            value=current.description if current else "",
            max_chars=2000,
            key=f"{prefix}_description",
        ),
    }
    return {k: v or "" for k, v in values.items()}


def _overview(frame: pd.DataFrame, rounds: pd.DataFrame) -> None:
    latest = rounds.sort_values("period").groupby("community_id").tail(1)
    counts = rounds.groupby("community_id")["round_id"].count().rename("rounds")
    table = frame.merge(counts, on="community_id", how="left").merge(
        latest[["community_id", "period"]], on="community_id", how="left"
    )
    st.dataframe(
        pd.DataFrame(
            {
                t("admin.name"): table["name"],
                t("admin.sector"): table["sector"],
                t("admin.region"): table["region"],
                t("admin.phase"): table["phase"].map(lambda p: t(f"phase.{p}") if p else ""),
                t("admin.rounds"): table["rounds"].fillna(0).astype(int),
                t("admin.latest_round"): table["period"].map(
                    lambda p: "" if pd.isna(p) else period_label(p)
                ),
                t("admin.status"): table["archived"].map(
                    lambda a: t("admin.archived") if a else t("admin.active")
                ),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _new_community(actor: str) -> None:
    with st.form(form_key("new_community")):
        values = _community_fields(form_key("new_community"))
        if not st.form_submit_button(t("admin.create"), type="primary"):
            return
    made = attempt(lambda session: csvc.create_community(session=session, actor=actor, **values))
    if made is not None:
        reset_form("new_community")
        flash(t("admin.saved", name=made.name))
        st.rerun()


def _edit_form(actor: str, current: Community) -> None:
    assert current.id is not None
    community_id = current.id
    with st.form(f"edit_community_{community_id}"):
        values = _community_fields(f"edit_{community_id}", current)
        if not st.form_submit_button(t("admin.save"), type="primary"):
            return
    saved = attempt(
        lambda session: csvc.update_community(
            session=session, community_id=community_id, actor=actor, **values
        )
    )
    if saved is not None:
        flash(t("admin.saved", name=saved.name))
        st.rerun()


def _archive_button(actor: str, current: Community) -> None:
    assert current.id is not None
    community_id, archived = current.id, current.archived_at is not None
    st.caption(t("admin.archive_help"))
    label = t("admin.unarchive") if archived else t("admin.archive")
    if not st.button(label, icon=":material/archive:", key=f"archive_{community_id}"):
        return
    done = attempt(
        lambda session: csvc.set_archived(
            session=session, community_id=community_id, archived=not archived, actor=actor
        )
    )
    if done is not None:
        flash(t("admin.saved", name=current.name))
        st.rerun()


def _edit(actor: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info(t("communities.empty"))
        return
    names = dict(zip(frame["community_id"], frame["name"], strict=True))
    chosen = st.selectbox(
        t("guard.community"), list(names), format_func=lambda c: names[c], key="edit_pick"
    )
    with read_session(app().engine) as session:
        current = cstore.get_community(session=session, community_id=int(chosen))
    assert current is not None
    _edit_form(actor, current)
    _archive_button(actor, current)


def render() -> None:
    viewer = require(Role.admin)
    ctx = app()
    st.title(t("admin_communities.title"))
    show_flash()
    with read_session(ctx.engine) as session:
        frame = cstore.communities_frame(session=session, include_archived=True)
        rounds = cstore.rounds_frame(session=session)
    tab_list, tab_new, tab_edit = st.tabs(
        [t("admin.tab_overview"), t("admin.tab_new"), t("admin.tab_edit")]
    )
    with tab_list:
        if frame.empty:
            st.info(t("communities.empty"))
        else:
            _overview(frame, rounds)
    with tab_new:
        _new_community(viewer.email)
    with tab_edit:
        _edit(viewer.email, frame)
