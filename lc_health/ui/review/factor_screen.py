"""One factor on the conversation's screen: why it is on the agenda, its figures and pictures
(enlarged in the projector view), the questions and tips, and the forces at play."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.charts.core import enlarged
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Factor, Instrument
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import FACTOR
from lc_health.metrics import forces, review, trends
from lc_health.store.dashboard import CommunityData
from lc_health.ui.context import t
from lc_health.ui.review import data as review_data
from lc_health.ui.review.opening import ReviewContext
from lc_health.ui.widgets import (
    agreement,
    band_text,
    count_text,
    interval_text,
    is_marked,
    ranked,
    show_chart,
)


def reasons(row: pd.Series, status: str | None) -> list[str]:
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
    # The short word as the value (a metric cuts off what does not fit its third of a column);
    # "(uncertain)" goes with the label, as the caption below explains it.
    label = t("communities.col_reading")
    if is_marked(row["uncertain"]):
        label = t("band.uncertain", band=label)
    c2.metric(label, band_text(row["band"], None, short=True), border=True)
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
    scale: float,
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
        enlarged(
            charts.distribution(
                one, lang=lang, answer_labels=answers, titles=titles, legend_columns=3
            ),
            scale,
        ),
        theme=None,
        width="stretch",
        description=agreement(one, answers),
    )
    _trend(factor, data, lang, threshold, scale)


def _trend(factor: Factor, data: CommunityData, lang: str, threshold: int, scale: float) -> None:
    """The factor's mean over the rounds, with the actions agreed on it (two rounds or more)."""
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
            enlarged(
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
                    panel_width=330,  # fits the left column, and a phone
                    panel_height=160,
                ),
                scale,
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


def show_factor(ctx: ReviewContext, current: int, title: str, scale: float = 1.0) -> None:
    """One factor: why it is on the list, its figures and pictures, questions, tips, forces."""
    factor = ctx.instrument.factor_by_id[current]
    frow = ctx.factors[ctx.factors["factor"] == current].iloc[0]
    change = ctx.changes[ctx.changes["key"] == str(current)]
    status = str(change["status"].iloc[0]) if len(change) else None
    st.header(title)
    st.markdown(f"*{factor.explanation.get(ctx.lang)}*")
    hidden = bool(frow["suppressed"])  # a factor the group added may have too few answers
    why = [] if hidden else reasons(frow, status)
    if why:
        st.markdown(" · ".join(f":orange-badge[{r}]" for r in why))
    # On a projector the type is larger: figures and questions one under the other, full width.
    projector = scale != 1.0
    left, right = (st.container(), st.container()) if projector else st.columns([3, 2], gap="large")
    with left:
        if hidden:
            st.info(t("conversation.factor_hidden", threshold=ctx.threshold))
        else:
            _figures(frow, change.iloc[0] if len(change) else None, ctx.lang)
            _pictures(factor, frow, ctx.data, ctx.instrument, ctx.lang, ctx.threshold, scale)
    with right:
        st.subheader(t("conversation.questions"))
        st.markdown("\n".join(f"- {q.get(ctx.lang)}" for q in factor.questions))
        st.subheader(t("conversation.tips"))
        st.markdown("\n".join(f"- {tip.get(ctx.lang)}" for tip in factor.tips))
        _forces(factor, ctx.view, ctx.instrument, ctx.lang, ctx.threshold)
