"""Administration: the audit log of administrative actions (who, what, when), and the rounds
whose open-link submissions look like padding (lc_health.services.open_link_audit)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.periods import period_label
from lc_health.services.open_link_audit import FAST_SECONDS, WINDOW_MINUTES, padding_review
from lc_health.store import audit
from lc_health.store import open_links as olstore
from lc_health.store.db import read_session
from lc_health.store.models import Role
from lc_health.ui.context import app, t
from lc_health.ui.guard import require

SHOWN = 1000


def render() -> None:
    require(Role.admin)
    st.title(t("admin_audit.title"))
    st.caption(t("admin_audit.caption", limit=SHOWN))
    with read_session(app().engine) as session:
        events = audit.events_frame(session=session, limit=SHOWN)
    if events.empty:
        st.info(t("admin_audit.empty"))
    else:
        _events(events)
    _open_links()


def _events(events: pd.DataFrame) -> None:
    actions = sorted(events["action"].unique())
    chosen = st.multiselect(t("admin_audit.filter"), actions, placeholder=t("survey.choose"))
    if chosen:
        events = events[events["action"].isin(chosen)]
    st.dataframe(
        pd.DataFrame(
            {
                t("admin_audit.at"): events["at"],
                t("admin_audit.actor"): events["actor"],
                t("admin_audit.action"): events["action"],
                t("admin_audit.target"): events["target"],
                t("admin_audit.detail"): events["detail"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("admin_audit.at"): st.column_config.DatetimeColumn(format="DD-MM-YYYY HH:mm:ss")
        },
    )


def _open_links() -> None:
    """Rounds with open-link submissions and their padding verdict; never a session hash."""
    ctx = app()
    threshold = ctx.settings.anonymity_threshold
    st.subheader(t("admin_audit.open_links_title"))
    st.caption(
        t(
            "admin_audit.open_links_caption",
            window=WINDOW_MINUTES,
            fast=FAST_SECONDS,
            needed=max(2, threshold - 1),
        )
    )
    with read_session(ctx.engine) as session:
        rounds = olstore.open_link_rounds_summary(session=session)
        trail = olstore.open_link_trails(session=session, round_ids=rounds["round_id"])
    review = padding_review(rounds, trail, threshold=threshold)
    if review.empty:
        st.info(t("admin_audit.open_links_empty"))
        return
    flagged = int(review["flagged"].sum())
    if flagged:
        st.warning(t("admin_audit.open_links_flagged", count=flagged), icon=":material/flag:")
    flag_label = {True: t("admin_audit.flag_yes"), False: t("admin_audit.flag_no")}
    st.dataframe(
        pd.DataFrame(
            {
                t("admin_audit.community"): review["community"],
                t("admin_audit.round"): review["period"].map(period_label),
                t("admin_audit.submissions"): review["submissions"],
                t("admin_audit.sessions"): review["sessions"],
                t("admin_audit.made_up"): review["made_up"],
                t("admin_audit.repeated"): review["repeated_sessions"],
                t("admin_audit.flag"): review["flagged"].map(flag_label),
                t("admin_audit.window_start"): review["window_start"],
                t("admin_audit.window_made_up"): review["window_made_up"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("admin_audit.window_start"): st.column_config.DatetimeColumn(
                format="DD-MM-YYYY HH:mm"
            )
        },
    )
