"""A lead's view of a round that is still open: participation only (responses so far, per day,
the response rate and days left). Its figures and comments are published when it closes."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lc_health import charts
from lc_health.charts import describe
from lc_health.domain.disclosure import Policy
from lc_health.domain.periods import period_label
from lc_health.store import participation
from lc_health.store import publication as publication_store
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.models import Round
from lc_health.store.rounds import RoundState, state
from lc_health.ui.context import app, t
from lc_health.ui.widgets import show_chart


def open_rounds(community_id: int, lang: str) -> None:
    """A panel per open round of the community."""
    today = date.today()
    ctx = app()
    with read_session(ctx.engine) as session:
        rounds = [
            r
            for r in round_store.community_rounds(session=session, community_id=community_id)
            if state(r, today) is RoundState.open
        ]
        found = [
            participation.round_participation(session=session, round_id=r.id, today=today)
            for r in rounds
            if r.id is not None
        ]
    for rnd, seen in zip(rounds, found, strict=True):
        with st.container(border=True):
            _round_panel(rnd, seen, lang)


def _round_panel(rnd: Round, seen: participation.Participation, lang: str) -> None:
    """Participation in one open round: the figures, and the chart of how it goes."""
    st.subheader(t("review.open_title", period=period_label(rnd.period)))
    st.caption(t("review.open_intro", closes=rnd.closes_on.strftime("%d-%m-%Y")))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("review.responses"), seen.responses)
    rate = seen.rate
    c2.metric(
        t("review.response_rate"),
        "—" if rate is None else f"{rate:.0%}",
        help=t("review.response_rate_help"),
    )
    c3.metric(t("review.days_left"), seen.days_left)
    c4.metric(t("review.reminders_sent"), seen.reminders, help=t("review.reminders_sent_help"))
    st.caption(t("review.progress_legend"))
    level = None
    if seen.target:
        key = "review.invited_level" if seen.invited else "review.expected_level"
        level = t(key, count=seen.target)
    show_chart(
        charts.participation_progress(
            seen.per_day,
            span=(rnd.opens_on, rnd.closes_on),
            target=seen.target,
            reminders=seen.reminder_days,
            lang=lang,
            titles={
                "x": t("review.day"),
                "y": t("review.responses"),
                "responses": t("review.per_day"),
                "total": t("review.progress_total"),
                "target": level or "",
                "reminder": t("review.reminder"),
            },
        ),
        theme=None,
        width="stretch",
        description=describe.progress(
            rated=seen.rated,
            target=seen.target,
            reminders=seen.reminders,
            days_left=seen.days_left,
            lang=lang,
            what=t("review.progress"),
        ),
    )


def pending_note(round_id: int, threshold: int) -> None:
    """A published round that was reopened: say that new answers wait for enough company."""
    ctx = app()
    with read_session(ctx.engine) as session:
        pending = publication_store.pending_since_publication(
            session=session, round_id=round_id, policy=Policy.from_settings(ctx.settings)
        )
    if pending:
        st.caption(t("review.pending", count=pending, threshold=threshold))
