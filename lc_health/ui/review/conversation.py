"""Conversation mode: step through the factors that need attention, one per screen, readable on a
projector, and record what the group agrees to do."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.domain.disclosure import Audience
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Factor, Instrument
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import FACTOR
from lc_health.metrics import forces, review, trends
from lc_health.services import actions
from lc_health.store import actions as astore
from lc_health.store.dashboard import CommunityData
from lc_health.store.models import ActionStatus, Role
from lc_health.ui.context import language, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import pick_community, require
from lc_health.ui.review import data as review_data
from lc_health.ui.review.opening import ReviewContext, open_round
from lc_health.ui.widgets import (
    agreement,
    band_text,
    count_text,
    demo_notice,
    interval_text,
    is_marked,
    md_escape,
    ranked,
    show_chart,
)
from lc_health.ui.writes import attempt

# Bigger type for a projector; layout only.
PROJECTOR_CSS = """
<style>
.stMainBlockContainer { max-width: 1500px; }
.stMainBlockContainer p, .stMainBlockContainer li { font-size: 1.3rem; line-height: 1.5; }
.stMainBlockContainer h1 { font-size: 3rem; } .stMainBlockContainer h2 { font-size: 2.2rem; }
</style>
"""


def _reasons(row: pd.Series, status: str | None) -> list[str]:
    reasons = []
    if row["band"] == "concern":
        reasons.append(t("conversation.reason_concern"))
    if status == review.DECLINED:
        reasons.append(t("conversation.reason_decline"))
    if bool(row["disagreement"]):
        reasons.append(t("conversation.reason_disagreement"))
    if row["band"] == "discuss" and not reasons:
        reasons.append(t("conversation.reason_discuss"))
    return reasons


def _figures(row: pd.Series, change: pd.Series | None, lang: str) -> None:
    """The factor's mean, reading and respondents; the change since the previous round only
    with its verdict, and an arrow (the metric's delta) only when the change is clear."""
    clear = change is not None and change["status"] in (review.IMPROVED, review.DECLINED)
    difference = (
        format_number(change["difference"], lang, signed=True) if change is not None else ""
    )
    c1, c2, c3 = st.columns(3)
    c1.metric(
        t("review.mean"),
        format_number(row["mean"], lang),
        delta=difference if clear else None,
        border=True,
    )
    reading = band_text(row["band"], row["uncertain"], short=True)
    c2.metric(t("communities.col_reading"), reading, border=True)
    c3.metric(t("common.respondents"), int(row["n"]), border=True)
    st.caption(
        t("conversation.interval", interval=interval_text(row["ci_low"], row["ci_high"], lang))
        + (" " + t("band.uncertain_legend") if is_marked(row["uncertain"]) else "")
    )
    if change is not None and change["status"] != review.NOT_COMPARABLE:
        st.caption(
            t("conversation.change", verdict=t(f"change.{change['status']}"), difference=difference)
        )


def _pictures(
    factor: Factor,
    row: pd.Series,
    data: CommunityData,
    instrument: Instrument,
    lang: str,
    threshold: int,
) -> None:
    answers = [p.label.get(lang) for p in instrument.scale.points]
    one = pd.DataFrame([row]).assign(
        label=factor.short.get(lang), dk_text=t("review.dk_count", count=int(row["n_dk"]))
    )
    titles = {
        "x": t("review.axis_share"),
        "factor": t("review.factor"),
        "share": t("review.share"),
        "answer": t("review.answer"),
    }
    show_chart(
        charts.distribution(one, lang=lang, answer_labels=answers, titles=titles),
        theme=None,
        width="stretch",
        description=agreement(one, answers),
    )
    comparable = review_data.comparable_at(data.rounds)
    line = trends.community_trend(data.scores, data.rounds, FACTOR, threshold, comparable)
    line = line[line["key"] == str(factor.id)]
    if line["mean"].notna().sum() > 1:
        marks = data.actions[data.actions["factor_id"] == factor.id]
        frame = line.assign(
            panel=factor.short.get(lang),
            panel_order=0,
            period_label=line["period"].map(period_label),
        )
        actions = marks.assign(
            panel=factor.short.get(lang), period_label=marks["period"].map(period_label)
        )
        show_chart(
            charts.small_multiples(
                frame,
                actions[["panel", "period_label", "what"]],
                lang=lang,
                columns=1,
                titles={
                    "y": t("review.axis_mean"),
                    "period": t("review.period"),
                    "mean": t("review.mean"),
                    "n": t("common.respondents"),
                    "action": t("review.action"),
                    "version": t("review.trend_version"),
                },
                panel_width=520,
                panel_height=160,
            ),
            theme=None,
            description=ranked(frame, t("review.axis_mean"), label="period_label"),
        )


def _forces(
    factor: Factor, view: review_data.RoundView, instrument: Instrument, lang: str, threshold: int
) -> None:
    related = instrument.forces_for_factor(factor.id)
    if not related:
        return
    st.subheader(t("conversation.forces"))
    field = forces.force_field(
        view.forces,
        view.force_respondents,
        view.previous_forces,
        view.previous_force_respondents,
        instrument,
        threshold,
    )
    # The same counts as the force-field chart: "5 of 9, was 3 of 8", no verdict.
    said: dict[str, str] = {}
    for side in ("fac", "hin"):
        kind = "facilitating" if side == "fac" else "hindering"
        for force_id, n, total, before, total_before in zip(
            field[kind],
            field[f"{side}_n"],
            field["respondents"],
            field[f"{side}_n_before"],
            field["respondents_before"],
            strict=True,
        ):
            if isinstance(force_id, str):
                said[force_id] = count_text(n, total, before, total_before)
    for kind in ("facilitating", "hindering"):
        lines = []
        for force in related:
            if force.kind != kind:
                continue
            counted = said.get(force.id, "")
            suffix = f" — {counted}" if counted else ""
            lines.append(f"- {force.name.get(lang)}{suffix}")
        if lines:
            st.markdown(f"**{t(f'about.col_{kind}')}**\n" + "\n".join(lines))
    if not view.force_respondents:
        st.caption(t("review.forces_hidden", threshold=threshold))


def _earlier_actions(
    factor: Factor,
    data: CommunityData,
    community_id: int,
    lang: str,
    threshold: int,
    actor: str,
) -> None:
    earlier = data.actions[data.actions["factor_id"] == factor.id]
    st.subheader(t("conversation.earlier"))
    if earlier.empty:
        st.caption(t("conversation.no_earlier"))
        return
    line = trends.community_trend(data.scores, data.rounds, FACTOR, threshold)
    line = line[line["key"] == str(factor.id)].set_index("period")
    latest = line[line["mean"].notna()].tail(1)
    for row in earlier.itertuples():
        with st.container(border=True):
            st.markdown(f"**{md_escape(str(row.what))}**")
            who = md_escape(str(row.owner)) if row.owner else "—"
            due = _date_text(row.due_on)
            st.caption(
                t(
                    "conversation.action_meta",
                    period=period_label(str(row.period)),
                    owner=who,
                    due=due,
                    status=t(f"action_status.{row.status}"),
                )
            )
            if row.note:
                st.text(str(row.note))
            then = line["mean"].get(str(row.period))
            if then is not None and not pd.isna(then) and not latest.empty:
                now = latest["mean"].iloc[0]
                st.markdown(
                    t(
                        "conversation.since",
                        then=format_number(then, lang),
                        period_then=period_label(str(row.period)),
                        now=format_number(now, lang),
                        period=period_label(str(latest.index[0])),
                    )
                )
            _update_form(
                int(str(row.action_id)), str(row.status), str(row.note or ""), community_id, actor
            )


def _date_text(value: object) -> str:
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else "—"


def _update_form(action_id: int, status: str, note: str, community_id: int, actor: str) -> None:
    with st.expander(t("conversation.update")), st.form(f"action_{action_id}"):
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
                    actor=actor,
                    community_id=community_id,
                    action_id=action_id,
                    status=ActionStatus(chosen),
                    note=text,
                )
            )
            if done is not None:
                review_data.clear()
                flash(t("conversation.updated"))
                st.rerun()


def _new_action(factor: Factor, community_id: int, round_id: int, actor: str) -> None:
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
                lambda session: actions.record_action(
                    session=session,
                    actor=actor,
                    community_id=community_id,
                    round_id=round_id,
                    factor_id=factor.id,
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


def _navigator(order: list[int], names: dict[int, str], key: str) -> int:
    """Back, the factor list and next; returns the factor on screen (kept in the session)."""
    current = st.session_state.get(key, order[0])
    if current not in order:
        current = order[0]
    c1, c2, c3 = st.columns([1, 4, 1], vertical_alignment="bottom")
    index = order.index(current)
    if c1.button(
        t("survey.back"), icon=":material/arrow_back:", disabled=index == 0, width="stretch"
    ):
        st.session_state[key] = order[index - 1]
        st.rerun()
    picked = c2.selectbox(
        t("conversation.factor_of", n=index + 1, total=len(order)),
        order,
        index=index,
        format_func=names.__getitem__,
    )
    if picked != current:
        st.session_state[key] = picked
        st.rerun()
    if c3.button(
        t("survey.next"),
        icon=":material/arrow_forward:",
        disabled=index == len(order) - 1,
        width="stretch",
    ):
        st.session_state[key] = order[index + 1]
        st.rerun()
    return int(current)


def _factor_screen(ctx: ReviewContext, current: int, title: str) -> None:
    """One factor: why it is on the list, its figures and pictures, questions, tips, forces."""
    factor = ctx.instrument.factor_by_id[current]
    frow = ctx.factors[ctx.factors["factor"] == current].iloc[0]
    change = ctx.changes[ctx.changes["key"] == str(current)]
    status = str(change["status"].iloc[0]) if len(change) else None
    st.header(title)
    st.markdown(f"*{factor.explanation.get(ctx.lang)}*")
    reasons = _reasons(frow, status)
    if reasons:
        st.markdown(" · ".join(f":orange-badge[{r}]" for r in reasons))
    left, right = st.columns([3, 2], gap="large")
    with left:
        _figures(frow, change.iloc[0] if len(change) else None, ctx.lang)
        _pictures(factor, frow, ctx.data, ctx.instrument, ctx.lang, ctx.threshold)
    with right:
        st.subheader(t("conversation.questions"))
        st.markdown("\n".join(f"- {q.get(ctx.lang)}" for q in factor.questions))
        st.subheader(t("conversation.tips"))
        st.markdown("\n".join(f"- {tip.get(ctx.lang)}" for tip in factor.tips))
        _forces(factor, ctx.view, ctx.instrument, ctx.lang, ctx.threshold)


def render() -> None:
    viewer = require(Role.lead, Role.admin)
    lang = language()
    if st.sidebar.toggle(t("conversation.projector"), key="projector"):
        st.html(PROJECTOR_CSS)
    st.title(t("conversation.title"))
    demo_notice()
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    ctx = open_round(community, Audience.lead, lang)
    if ctx is None:
        return
    factors, instrument = ctx.factors, ctx.instrument
    shown = [int(f) for f in factors.loc[~factors["suppressed"], "factor"]]
    if not shown:
        st.info(t("review.all_hidden", threshold=ctx.threshold))
        return
    order = review.attention_order(factors, ctx.changes)
    if not order:
        st.success(t("conversation.nothing"), icon=":material/celebration:")
        order = shown
    st.caption(t("conversation.intro", count=len(order)))
    names = {f: f"{f}. {instrument.factor_by_id[f].name.get(lang)}" for f in order}
    current = _navigator(order, names, f"conv_{community.id}_{ctx.round_id}")
    _factor_screen(ctx, current, names[current])
    factor = instrument.factor_by_id[current]
    _new_action(factor, community.id, ctx.round_id, viewer.email)
    _earlier_actions(factor, ctx.data, community.id, lang, ctx.threshold, viewer.email)
