"""The steps of the conversation around the factor screens: the overview it starts with (open
and overdue actions, the factors the figures propose), the agenda the group sets (dot voting,
adding and dropping factors) and the close (what came of it, and the summary)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lc_health.metrics import agenda as agenda_metrics
from lc_health.metrics import review
from lc_health.services import agenda
from lc_health.store.db import read_session
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash
from lc_health.ui.review import data as review_data
from lc_health.ui.review.action_forms import action_card, date_text
from lc_health.ui.review.factor_screen import reasons
from lc_health.ui.review.meeting import Meeting, agenda_frame
from lc_health.ui.review.opening import ReviewContext
from lc_health.ui.widgets import md_escape
from lc_health.ui.writes import attempt

Names = dict[int, str]


def _why(ctx: ReviewContext, factor: int) -> list[str]:
    row = ctx.factors[ctx.factors["factor"] == factor]
    change = ctx.changes[ctx.changes["key"] == str(factor)]
    if row.empty or bool(row["suppressed"].iloc[0]):
        return []
    status = str(change["status"].iloc[0]) if len(change) else None
    return reasons(row.iloc[0], status)


def overview(ctx: ReviewContext, meeting: Meeting, names: Names) -> None:
    """Open and overdue actions of the community (any round, any factor), then the proposal."""
    st.subheader(t("conversation.open_actions"))
    st.caption(t("conversation.open_actions_intro"))
    pending = agenda_metrics.open_actions(ctx.data.actions, date.today())
    if pending.empty:
        st.caption(t("conversation.no_open_actions"))
    for _, row in pending.iterrows():
        badge = f":red-badge[{t('conversation.overdue')}] " if row["overdue"] else ""
        label = md_escape(names.get(int(row["factor_id"]), str(row["factor_id"])))
        action_card(row, meeting, where="overview", extra=f"{badge}{label}")
    st.subheader(t("conversation.proposed"))
    if not meeting.proposed:
        st.info(t("conversation.none_proposed"))
        return
    st.caption(t("conversation.intro", count=len(meeting.proposed)))
    st.caption(t("conversation.proposed_intro"))
    lines = []
    for i, factor in enumerate(meeting.proposed, start=1):
        badges = " ".join(f":orange-badge[{r}]" for r in _why(ctx, factor))
        lines.append(f"{i}. {md_escape(names[factor])} {badges}")
    st.markdown("\n".join(lines))


def _agenda_lines(on: pd.DataFrame, names: Names) -> None:
    st.subheader(t("conversation.agenda_now"))
    if on.empty:
        st.info(t("conversation.agenda_empty"))
        return
    lines = []
    rows = zip(on["factor_id"], on["dots"], on["added_by_group"], on["outcome"], strict=True)
    for i, (factor, dots, added, outcome) in enumerate(rows, start=1):
        text = t("conversation.agenda_line", factor=names[int(factor)], count=int(dots))
        badges = []
        if added:
            badges.append(f":blue-badge[{t('conversation.added_by_group')}]")
        if isinstance(outcome, str):
            badges.append(f":green-badge[{t(f'conversation.outcome_{outcome}')}]")
        lines.append(f"{i}. {md_escape(text)} {' '.join(badges)}")
    st.markdown("\n".join(lines))


def _vote_form(on: pd.DataFrame, meeting: Meeting, names: Names) -> None:
    if on.empty:
        return
    with st.form(f"dots_{meeting.round_id}"):
        st.caption(t("conversation.dots"))
        ordered = on.sort_values("position")
        counts = {
            int(factor): st.number_input(
                t("conversation.dots_for", factor=names[int(factor)]),
                min_value=0,
                max_value=agenda.MAX_DOTS,
                value=int(dots),
                step=1,
                key=f"dots_{meeting.round_id}_{factor}",
            )
            for factor, dots in zip(ordered["factor_id"], ordered["dots"], strict=True)
        }
        if st.form_submit_button(t("conversation.save_dots"), type="primary"):
            done = attempt(
                lambda session: agenda.vote(
                    session,
                    actor=meeting.actor,
                    community_id=meeting.community_id,
                    round_id=meeting.round_id,
                    proposed=meeting.proposed,
                    dots={f: int(v) for f, v in counts.items()},
                )
            )
            if done is not None:
                flash(t("conversation.dots_saved"))
                st.rerun()


def _on_agenda_form(meeting: Meeting, names: Names, choices: list[int], adding: bool) -> None:
    """Put a factor on the agenda (adding) or take one off it."""
    what = "add" if adding else "drop"
    if not choices:  # an empty box would say "No options to select" in English
        st.caption(t(f"conversation.{what}_none"))
        return
    with st.form(f"agenda_{what}_{meeting.round_id}"):
        factor = st.selectbox(
            t(f"conversation.{what}_factor"), choices, format_func=names.__getitem__
        )
        if st.form_submit_button(t(f"conversation.{what}")):
            done = attempt(
                lambda session: agenda.set_on_agenda(
                    session,
                    actor=meeting.actor,
                    community_id=meeting.community_id,
                    round_id=meeting.round_id,
                    factor_id=int(factor),
                    proposed=meeting.proposed,
                    on_agenda=adding,
                )
            )
            if done is not None:
                flash(t("conversation.added" if adding else "conversation.dropped"))
                st.rerun()


def agenda_step(ctx: ReviewContext, meeting: Meeting, names: Names) -> None:  # noqa: ARG001
    """The agenda in its order, the dot vote, and adding or dropping factors."""
    st.caption(t("conversation.agenda_intro"))
    frame = agenda_frame(meeting)
    on = frame[~frame["dropped"]]
    _agenda_lines(on, names)
    dropped = [names[int(f)] for f in frame.loc[frame["dropped"], "factor_id"]]
    if dropped:
        st.caption(md_escape(t("conversation.dropped_list", factors=", ".join(dropped))))
    _vote_form(on, meeting, names)
    left, right = st.columns(2)
    with left:
        _on_agenda_form(meeting, names, [f for f in names if f not in set(on["factor_id"])], True)
    with right:
        _on_agenda_form(meeting, names, [int(f) for f in on["factor_id"]], False)


def _record(ctx: ReviewContext, meeting: Meeting, names: Names) -> None:
    """The factors discussed with their outcome, and the actions agreed in this round."""
    st.subheader(t("conversation.record_title"))
    frame = agenda_frame(meeting)
    discussed = frame[frame["outcome"].notna()]
    agreed = ctx.data.actions[ctx.data.actions["round_id"] == meeting.round_id]
    if discussed.empty and agreed.empty:
        st.caption(t("conversation.record_nothing"))
    for factor, outcome, note in zip(
        discussed["factor_id"], discussed["outcome"], discussed["note"], strict=True
    ):
        said = t(f"conversation.outcome_{outcome}")
        st.markdown(f"- **{md_escape(names[int(factor)])}**: {md_escape(said)}")
        if outcome == agenda.NO_ACTION and note:
            st.text(str(note))
    for what, factor, status in zip(
        agreed["what"], agreed["factor_id"], agreed["status"], strict=True
    ):
        label = names.get(int(factor), "")
        state = t(f"action_status.{status}")
        st.markdown(f"- {md_escape(str(what))} ({md_escape(label)}; {md_escape(state)})")


def close_step(ctx: ReviewContext, meeting: Meeting, names: Names) -> None:
    """What came of the conversation, and the summary that closes it."""
    _record(ctx, meeting, names)
    with read_session(app().engine) as session:
        closed = agenda.meeting_summary(session, round_id=meeting.round_id)
    st.subheader(t("conversation.summary"))
    if closed is not None:
        st.caption(t("conversation.closed_on", date=date_text(closed.closed_at.date())))
    with st.form(f"summary_{meeting.round_id}"):
        text = st.text_area(
            t("conversation.summary"),
            value=closed.text if closed is not None else "",
            max_chars=agenda.MAX_SUMMARY,
            key=f"summary_text_{meeting.round_id}",
        )
        st.caption(t("conversation.summary_help"))
        if st.form_submit_button(t("conversation.close"), type="primary"):
            done = attempt(
                lambda session: agenda.close_meeting(
                    session,
                    actor=meeting.actor,
                    community_id=meeting.community_id,
                    round_id=meeting.round_id,
                    text=text,
                )
            )
            if done is not None:
                review_data.clear()
                flash(t("conversation.closed"))
                st.rerun()


def proposal(ctx: ReviewContext) -> tuple[int, ...]:
    """The factors the figures propose, most urgent first (metrics.review.attention_order)."""
    return tuple(review.attention_order(ctx.factors, ctx.changes))
