"""Administration: the round schedules (rounds that open, remind and close by themselves), on
the rounds page. Administrators only: a schedule sends mail to a community's participants and
keeps the portfolio's quarters in step, so leads ask their administrator for another rhythm."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lc_health.domain.schedules import (
    DEFAULT_OPEN_DAY,
    DEFAULT_OPEN_DAYS,
    DEFAULT_REMINDERS,
    QUARTER_DAYS,
    Rule,
    format_reminders,
    next_round,
)
from lc_health.services import schedule as schedule_svc
from lc_health.store import schedules as schedule_store
from lc_health.store.db import read_session
from lc_health.store.models import RoundSchedule
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash
from lc_health.ui.writes import attempt

EVERYONE = -1


def _rule_text(row: RoundSchedule | None) -> str:
    if row is None:
        return t("schedule.none")
    if not row.active:
        return t("schedule.off")
    rule = schedule_store.rule_of(row)
    return t(
        "schedule.rule",
        day=rule.open_day,
        days=rule.open_days,
        reminders=format_reminders(rule.reminders) or t("schedule.no_reminders"),
    )


def _overview(rows: list[RoundSchedule], names: dict[int, str]) -> None:
    """Every schedule, and the communities that follow the one for all."""
    own = {r.community_id: r for r in rows}
    everyone = own.get(None)
    scopes = [t("schedule.all")] + list(names.values())
    # Following a schedule for all that does not exist is having none: say so.
    follows = t("schedule.follows_all") if everyone is not None else t("schedule.none")
    rules = [_rule_text(everyone)] + [_rule_text(own[c]) if c in own else follows for c in names]
    st.dataframe(
        pd.DataFrame({t("schedule.col_scope"): scopes, t("schedule.col_rule"): rules}),
        hide_index=True,
        width="stretch",
    )


def _scope(rows: list[RoundSchedule], names: dict[int, str]) -> tuple[int, RoundSchedule | None]:
    scope = st.selectbox(
        t("schedule.scope"),
        [EVERYONE, *names],
        format_func=(names | {EVERYONE: t("schedule.all")}).__getitem__,
        key="schedule_scope",
    )
    wanted = None if scope == EVERYONE else scope
    return int(scope), next((r for r in rows if r.community_id == wanted), None)


def _form(
    actor: str, scope: int, name: str, row: RoundSchedule | None, start: RoundSchedule | None
) -> None:
    """The schedule of one scope, filled in from `start` (its own, else the one for all); on a
    problem the messages show and what was typed stays."""
    rule = schedule_store.rule_of(start) if start is not None else Rule()
    with st.form(f"schedule_{scope}"):
        active = st.checkbox(t("schedule.active"), value=row.active if row is not None else True)
        c1, c2 = st.columns(2)
        open_day = c1.number_input(
            t("schedule.open_day"),
            min_value=1,
            max_value=QUARTER_DAYS,
            value=rule.open_day or DEFAULT_OPEN_DAY,
            step=1,
            help=t("schedule.open_day_help"),
        )
        open_days = c2.number_input(
            t("schedule.open_days"),
            min_value=1,
            max_value=QUARTER_DAYS,
            value=rule.open_days or DEFAULT_OPEN_DAYS,
            step=1,
        )
        reminders = st.text_input(
            t("schedule.reminders"),
            value=format_reminders(rule.reminders if start is not None else DEFAULT_REMINDERS),
            max_chars=40,
            help=t("schedule.reminders_help"),
        )
        if not st.form_submit_button(t("schedule.save"), type="primary"):
            return
    community_id = None if scope == EVERYONE else scope
    saved = attempt(
        lambda session: schedule_svc.save_schedule(
            session,
            community_id=community_id,
            active=active,
            open_day=int(open_day),
            open_days=int(open_days),
            reminders=reminders,
            today=date.today(),
            actor=actor,
        )
    )
    if saved is not None:
        flash(t("schedule.saved", scope=name))
        st.rerun()


def _remove(actor: str, scope: int, name: str) -> None:
    if not st.button(t("schedule.remove"), icon=":material/undo:"):
        return
    if attempt(
        lambda session: schedule_svc.remove_schedule(session, community_id=scope, actor=actor)
    ):
        flash(t("schedule.removed", scope=name))
        st.rerun()


def schedule_panel(actor: str, names: dict[int, str], today: date) -> None:
    """The schedules: an overview, then the one chosen, to change."""
    st.caption(t("schedule.intro"))
    with read_session(app().engine) as session:
        rows = schedule_svc.schedules(session)
    _overview(rows, names)
    scope, row = _scope(rows, names)
    if row is not None and row.active:
        period, opens, closes = next_round(schedule_store.rule_of(row), today)
        st.caption(
            t(
                "schedule.next",
                period=period.label,
                opens=opens.strftime("%d-%m-%Y"),
                closes=closes.strftime("%d-%m-%Y"),
            )
        )
    name = names.get(scope, t("schedule.all"))
    start = row or next((r for r in rows if r.community_id is None), None)
    _form(actor, scope, name, row, start)
    if row is not None and scope != EVERYONE:
        _remove(actor, scope, name)
