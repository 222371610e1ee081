"""Administration: plan quarterly rounds (for one community or all at once), open, close,
reopen; and the schedules that plan them by themselves (ui.admin.schedule)."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st
from sqlmodel import Session

from lc_health.domain.disclosure import Policy
from lc_health.domain.errors import Invalid
from lc_health.domain.periods import Period, period_label
from lc_health.services import rounds as rsvc
from lc_health.store import communities as cstore
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Role, Round
from lc_health.ui.admin.schedule import schedule_panel
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, show_flash
from lc_health.ui.guard import require, show_problems
from lc_health.ui.writes import attempt

REOPEN_DAYS = 14
ALL_COMMUNITIES = -1


def _state_label(rnd: Round, today: date) -> str:
    return t(f"round_state.{round_store.state(rnd, today).value}")


def _plan_form(viewer_email: str, names: dict[int, str], today: date) -> None:
    ctx = app()
    instruments = {f"{i.id} v{i.version}": i for i in ctx.registry.all()}
    # New rounds default to the registry's newest instrument; older versions stay selectable.
    newest = ctx.registry.latest()
    default = f"{newest.id} v{newest.version}"
    upcoming = list(
        Period.containing(today).through(Period.containing(today + timedelta(days=800)))
    )
    with st.form("plan_round"):
        scope = st.selectbox(
            t("admin_rounds.scope"),
            [ALL_COMMUNITIES, *names],
            format_func=(names | {ALL_COMMUNITIES: t("admin_rounds.all_communities")}).__getitem__,
        )
        period = st.selectbox(
            t("admin_rounds.period"),
            upcoming,
            index=min(1, len(upcoming) - 1),
            format_func=lambda p: p.label,
        )
        assert period is not None
        c1, c2 = st.columns(2)
        opens_on = c1.date_input(
            t("admin_rounds.opens_on"),
            value=None,
            format="DD-MM-YYYY",
            help=t("admin_rounds.dates_help"),
        )
        closes_on = c2.date_input(t("admin_rounds.closes_on"), value=None, format="DD-MM-YYYY")
        version = st.selectbox(
            t("admin_rounds.instrument"), list(instruments), index=list(instruments).index(default)
        )
        if st.form_submit_button(t("admin_rounds.plan"), type="primary"):
            instrument = instruments[version or default]
            start = opens_on or period.first_day
            end = closes_on or period.last_day
            ids = list(names) if scope == ALL_COMMUNITIES else [scope]
            try:
                with write_session(ctx.engine) as session:
                    made = rsvc.plan_rounds(
                        session=session,
                        community_ids=ids,
                        period=str(period),
                        opens_on=start,
                        closes_on=end,
                        instrument=instrument,
                        actor=viewer_email,
                    )
            except Invalid as problems:
                for p in problems.problems:
                    if "community_id" in p.params:
                        p.params["community"] = names.get(p.params["community_id"], "")
                show_problems(problems)
            else:
                flash(t("admin_rounds.planned", count=len(made), period=period.label))
                st.rerun()


def _rounds_table(rounds: list[Round], responses: dict[int, int], today: date) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("admin_rounds.period"): [period_label(r.period) for r in rounds],
                t("admin_rounds.opens_on"): [r.opens_on for r in rounds],
                t("admin_rounds.closes_on"): [r.closes_on for r in rounds],
                t("admin.status"): [_state_label(r, today) for r in rounds],
                t("admin_rounds.instrument"): [
                    f"{r.instrument_id} v{r.instrument_version}" for r in rounds
                ],
                t("communities.col_responses"): [responses.get(r.id or 0, 0) for r in rounds],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("admin_rounds.opens_on"): st.column_config.DateColumn(format="DD-MM-YYYY"),
            t("admin_rounds.closes_on"): st.column_config.DateColumn(format="DD-MM-YYYY"),
        },
    )


def _pick_round(rounds: list[Round], today: date) -> Round:
    by_id = {r.id: r for r in rounds}
    pick = st.selectbox(
        t("admin_rounds.pick"),
        list(by_id),
        index=len(by_id) - 1,
        format_func={
            r: f"{period_label(x.period)} · {_state_label(x, today)}" for r, x in by_id.items()
        }.__getitem__,
    )
    return by_id[pick]


def _change(actor: str, rnd: Round, action: str, today: date, new_close: date) -> None:
    """Open now, close now (which publishes) or reopen until new_close, through the services."""
    assert rnd.id is not None
    round_id, ctx = rnd.id, app()

    def write(session: Session) -> Round:
        if action == "open":
            return rsvc.open_round_now(session=session, round_id=round_id, today=today, actor=actor)
        if action == "close":
            policy = Policy.from_settings(ctx.settings)
            return rsvc.close_round(
                session=session,
                round_id=round_id,
                actor=actor,
                registry=ctx.registry,
                policy=policy,
            )
        return rsvc.reopen_round(
            session=session, round_id=round_id, today=today, closes_on=new_close, actor=actor
        )

    if attempt(write) is not None:
        flash(t("admin_rounds.done", period=period_label(rnd.period)))
        st.rerun()


def _round_actions(actor: str, rnd: Round, today: date) -> None:
    current = round_store.state(rnd, today)
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    new_close = c3.date_input(
        t("admin_rounds.new_close"),
        value=max(rnd.closes_on, today + timedelta(days=REOPEN_DAYS)),
        format="DD-MM-YYYY",
        key=f"close_{rnd.id}",
    )
    _expected_form(rnd, actor)
    action = None
    if c1.button(
        t("admin_rounds.open_now"),
        disabled=current == round_store.RoundState.open,
        icon=":material/play_arrow:",
    ):
        action = "open"
    if c2.button(
        t("admin_rounds.close_now"),
        disabled=current == round_store.RoundState.closed,
        icon=":material/stop:",
    ):
        action = "close"
    if c3.button(
        t("admin_rounds.reopen"),
        disabled=current != round_store.RoundState.closed,
        icon=":material/replay:",
    ):
        action = "reopen"
    if action is not None:
        _change(actor, rnd, action, today, new_close)


def render() -> None:
    viewer = require(Role.admin)
    ctx = app()
    today = date.today()
    st.title(t("admin_rounds.title"))
    show_flash()
    with read_session(ctx.engine) as session:
        communities = cstore.communities_frame(session=session)
    if communities.empty:
        st.info(t("communities.empty"))
        return
    names = dict(zip(communities["community_id"].astype(int), communities["name"], strict=True))
    with st.expander(t("admin_rounds.plan_heading"), expanded=False, icon=":material/add:"):
        _plan_form(viewer.email, names, today)
    with st.expander(t("schedule.heading"), expanded=False, icon=":material/event_repeat:"):
        schedule_panel(viewer.email, names, today)
    chosen = st.selectbox(
        t("guard.community"), list(names), format_func=lambda c: names[c], key="rounds_pick"
    )
    with read_session(ctx.engine) as session:
        rounds = round_store.community_rounds(session=session, community_id=int(chosen))
        counts = cstore.rounds_frame(session=session, community_ids=[int(chosen)])
    if not rounds:
        st.info(t("admin_rounds.none"))
        return
    _rounds_table(rounds, dict(zip(counts["round_id"], counts["responses"], strict=True)), today)
    _round_actions(viewer.email, _pick_round(rounds, today), today)


def _expected_form(rnd: Round, actor: str) -> None:
    """The expected number of participants, for an open-link round's response rate."""
    assert rnd.id is not None
    with st.form(f"expected_{rnd.id}"):
        expected = st.number_input(
            t("admin_rounds.expected"),
            min_value=0,
            max_value=rsvc.MAX_EXPECTED,
            value=rnd.expected_headcount or 0,
            step=1,
            help=t("admin_rounds.expected_help"),
        )
        if not st.form_submit_button(t("admin.save")):
            return
    round_id = rnd.id
    saved = attempt(
        lambda session: rsvc.set_expected_headcount(
            session=session, round_id=round_id, expected=int(expected) or None, actor=actor
        )
    )
    if saved is not None:
        flash(t("admin_rounds.done", period=period_label(rnd.period)))
        st.rerun()
