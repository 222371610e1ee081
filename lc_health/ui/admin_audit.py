"""Administration: the audit log of administrative actions (who, what, when)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.db import read_session
from lc_health.models import Role
from lc_health.store import audit
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
        return
    actions = sorted(events["action"].unique())
    chosen = st.multiselect(t("admin_audit.filter"), actions)
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


if __name__ == "__main__":
    render()
