"""The conversation's forms about actions: an action as a card with its follow-up form (status
and note, for any factor and round of the community), a new agreed action, and "discussed, no
action" with a short note. Text people typed is shown escaped or as plain text."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Factor
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import FACTOR
from lc_health.metrics import trends
from lc_health.services import actions, agenda
from lc_health.store import actions as astore
from lc_health.store.dashboard import CommunityData
from lc_health.store.models import ActionStatus
from lc_health.ui.context import t
from lc_health.ui.forms import flash, form_key, reset_form
from lc_health.ui.review import data as review_data
from lc_health.ui.review.meeting import Meeting
from lc_health.ui.widgets import md_escape
from lc_health.ui.writes import attempt


def date_text(value: object) -> str:
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else "—"


def action_card(row: pd.Series, meeting: Meeting, *, where: str, extra: str = "") -> None:
    """One action (a row of CommunityData.actions): what, who, when, status, its note, and the
    form to follow it up. `where` keeps form keys apart; `extra` is a line of markdown."""
    with st.container(border=True):
        st.markdown(f"**{md_escape(str(row['what']))}**")
        who = md_escape(str(row["owner"])) if row["owner"] else "—"
        st.caption(
            t(
                "conversation.action_meta",
                period=period_label(str(row["period"])),
                owner=who,
                due=date_text(row["due_on"]),
                status=t(f"action_status.{row['status']}"),
            )
        )
        if row["note"]:
            st.text(str(row["note"]))
        if extra:
            st.markdown(extra)
        _update_form(
            int(row["action_id"]), str(row["status"]), str(row["note"] or ""), meeting, where
        )


def earlier_actions(
    factor: Factor, data: CommunityData, meeting: Meeting, lang: str, k: int
) -> None:
    """The factor's actions from every round, each with the factor's mean then and now."""
    earlier = data.actions[data.actions["factor_id"] == factor.id]
    st.subheader(t("conversation.earlier"))
    if earlier.empty:
        st.caption(t("conversation.no_earlier"))
        return
    line = trends.community_trend(data.scores, data.rounds, FACTOR, k)
    line = line[line["key"] == str(factor.id)].set_index("period")
    latest = line[line["mean"].notna()].tail(1)
    for _, row in earlier.iterrows():
        then = line["mean"].get(str(row["period"]))
        extra = ""
        if then is not None and not pd.isna(then) and not latest.empty:
            extra = t(
                "conversation.since",
                then=format_number(then, lang),
                period_then=period_label(str(row["period"])),
                now=format_number(latest["mean"].iloc[0], lang),
                period=period_label(str(latest.index[0])),
            )
        action_card(row, meeting, where="factor", extra=extra)


def _update_form(action_id: int, status: str, note: str, meeting: Meeting, where: str) -> None:
    with st.expander(t("conversation.update")), st.form(f"action_{where}_{action_id}"):
        options = list(ActionStatus)
        labels = {s: t(f"action_status.{s.value}") for s in options}
        chosen = st.selectbox(
            t("report.col_status"),
            options,
            index=[s.value for s in options].index(status),
            format_func=labels.__getitem__,
        )
        text = st.text_area(t("report.col_note"), value=note, max_chars=2000)
        if st.form_submit_button(t("admin.save")):
            done = attempt(
                lambda session: actions.follow_up_action(
                    session=session,
                    actor=meeting.actor,
                    community_id=meeting.community_id,
                    action_id=action_id,
                    status=ActionStatus(chosen),
                    note=text,
                )
            )
            if done is not None:
                review_data.clear()
                flash(t("conversation.updated"))
                st.rerun()


def new_action(factor: Factor, meeting: Meeting) -> None:
    st.subheader(t("conversation.agree"))
    key = form_key(f"action_new_{factor.id}")
    with st.form(key):
        what = st.text_area(
            t("report.col_what"),
            max_chars=astore.MAX_WHAT,
            placeholder=t("conversation.what_placeholder"),
        )
        c1, c2 = st.columns(2)
        owner = c1.text_input(t("report.col_owner"), max_chars=astore.MAX_OWNER)
        due = c2.date_input(t("report.col_due_on"), value=None, format="DD-MM-YYYY")
        if st.form_submit_button(t("conversation.record"), type="primary"):
            done = attempt(
                lambda session: agenda.agree_action(
                    session,
                    actor=meeting.actor,
                    community_id=meeting.community_id,
                    round_id=meeting.round_id,
                    factor_id=factor.id,
                    proposed=meeting.proposed,
                    what=what,
                    owner=owner,
                    due_on=due,
                )
            )
            if done is not None:
                review_data.clear()
                reset_form(f"action_new_{factor.id}")
                flash(t("conversation.recorded"))
                st.rerun()


def no_action(factor: Factor, meeting: Meeting, item: pd.Series | None) -> None:
    """Discussed, no action: a short note why (kept on screen when it cannot be saved)."""
    st.subheader(t("conversation.no_action"))
    if item is not None and item["outcome"]:
        st.caption(
            t("conversation.outcome_now", outcome=t(f"conversation.outcome_{item['outcome']}"))
        )
    with st.form(f"no_action_{meeting.round_id}_{factor.id}"):
        note = st.text_area(
            t("conversation.no_action_note"),
            value=str(item["note"]) if item is not None else "",
            max_chars=agenda.MAX_NOTE,
            key=f"no_action_note_{meeting.round_id}_{factor.id}",
        )
        if st.form_submit_button(t("conversation.no_action_button")):
            done = attempt(
                lambda session: agenda.record_no_action(
                    session,
                    actor=meeting.actor,
                    community_id=meeting.community_id,
                    round_id=meeting.round_id,
                    factor_id=factor.id,
                    proposed=meeting.proposed,
                    note=note,
                )
            )
            if done is not None:
                flash(t("conversation.no_action_saved"))
                st.rerun()
