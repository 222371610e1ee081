"""A live session inside the conversation: its proposal (in the facilitator's order) becomes
the meeting's, and each factor's screen shows the room's answers next to the latest round's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.domain.periods import period_label
from lc_health.metrics.live import ordered, read_payload
from lc_health.services import live
from lc_health.store.db import read_session
from lc_health.ui.context import app, t
from lc_health.ui.live import picture as live_picture
from lc_health.ui.review.opening import ReviewContext
from lc_health.ui.widgets import agreement, show_chart

LIVE_PARAM = "live"
MAX_ID_DIGITS = 9  # a larger number is no session (and would overflow a database integer)


@dataclass(frozen=True)
class Room:
    """A revealed live session of the community on the page."""

    session_id: int
    order: tuple[int, ...]
    picture: pd.DataFrame


def room(ctx: ReviewContext) -> Room | None:
    """The session named by ?live= when it is this community's and was revealed."""
    wanted = st.query_params.get(LIVE_PARAM, "")
    if not (wanted.isascii() and wanted.isdecimal()) or len(wanted) > MAX_ID_DIGITS:
        return None  # ASCII digits only: '٣' is decimal too
    with read_session(app().engine) as session:
        state = live.projector(session, session_id=int(wanted))
    if state is None or state.community_id != ctx.community.id or not state.published:
        return None
    data = read_payload(state.published)
    proposed = [int(f) for f in data["proposed"]]
    frame = live_picture.frame(data, ctx.instrument, ctx.lang)
    return Room(state.session_id, tuple(ordered(proposed, list(state.order))), frame)


def beside(ctx: ReviewContext, factor_id: int, found: Room) -> None:
    """The room's answers on this factor next to the round's (one bar each)."""
    st.subheader(t("live.session_beside"))
    mine = found.picture[found.picture["factor"] == factor_id]
    theirs = ctx.factors[ctx.factors["factor"] == factor_id]
    rows = []
    if len(theirs) and not bool(theirs["suppressed"].iloc[0]):
        row = theirs.iloc[0]
        rows.append(
            {f"share{v}": row[f"share{v}"] for v in range(1, 6)}
            | {
                "label": period_label(ctx.view.period),
                "dk_text": t("review.dk_count", count=int(row["n_dk"])),
            }
        )
    if len(mine) and not bool(mine["suppressed"].iloc[0]):
        row = mine.iloc[0]
        rows.append(
            {f"share{v}": row[f"share{v}"] for v in range(1, 6)}
            | {"label": t("live.from_session"), "dk_text": row["dk_text"]}
        )
    else:
        st.caption(t("live.session_hidden"))
    if not rows:
        return
    frame = pd.DataFrame(rows)
    answers = [p.label.get(ctx.lang) for p in ctx.instrument.scale.points]
    titles = {
        "x": t("review.axis_share"),
        "factor": t("review.factor"),
        "share": t("review.share"),
        "answer": t("review.answer"),
    }
    chart = charts.distribution(
        frame, lang=ctx.lang, answer_labels=answers, titles=titles, legend_columns=3
    )
    show_chart(chart, theme=None, width="stretch", description=agreement(frame, answers))
