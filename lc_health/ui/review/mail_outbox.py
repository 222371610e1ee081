"""The outbox on the mail page: counts per kind and status, and the latest messages (kind,
round, status, times, last error). Never an address or a body."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.mail import Status
from lc_health.domain.periods import period_label
from lc_health.store import mail as mail_store
from lc_health.store.db import read_session
from lc_health.ui.context import app, t

NOTHING = "–"  # an empty cell: Streamlit would show "None"


def _when(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    return stamps.dt.strftime("%d-%m-%Y %H:%M").fillna(NOTHING)


def _counts(community_id: int) -> None:
    with read_session(app().engine) as session:
        counts = mail_store.status_counts(session, community_ids=[community_id])
    if counts.empty:
        st.info(t("mail_admin.outbox_empty"))
        return
    table = counts.pivot_table(index="kind", columns="status", values="count", fill_value=0)
    table = table[[s.value for s in Status if s.value in table.columns]]  # in the order they go
    table.index = [t(f"mail_kind.{k}") for k in table.index]
    table.columns = [t(f"mail_status.{s}") for s in table.columns]
    st.dataframe(table, width="stretch")


def _recent(community_id: int) -> None:
    with read_session(app().engine) as session:
        frame = mail_store.recent_messages(session, community_id=community_id)
    if frame.empty:
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("mail_admin.kind"): frame["kind"].map(lambda k: t(f"mail_kind.{k}")),
                t("mail_admin.period"): frame["period"].map(period_label),
                t("mail_admin.status"): frame["status"].map(lambda s: t(f"mail_status.{s}")),
                t("mail_admin.attempts"): frame["attempts"],
                t("mail_admin.created"): _when(frame["created_at"]),
                t("mail_admin.sent"): _when(frame["sent_at"]),
                t("mail_admin.error"): frame["last_error"].fillna("").replace("", NOTHING),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def outbox(community_id: int) -> None:
    st.subheader(t("mail_admin.outbox"))
    st.caption(t("mail_admin.outbox_help"))
    if app().settings.demo:
        st.info(t("mail_admin.outbox_demo"), icon=":material/science:")
    _counts(community_id)
    _recent(community_id)
