"""A lead's view of a round that is still open: participation only (responses so far, per day,
the response rate and days left). Its figures and comments are published when it closes."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lc_health import charts
from lc_health.domain.disclosure import Policy
from lc_health.domain.periods import period_label
from lc_health.store import participation
from lc_health.store import publication as publication_store
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.rounds import RoundState, state
from lc_health.ui.context import app, t
from lc_health.ui.widgets import counted, show_chart


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
            st.subheader(t("review.open_title", period=period_label(rnd.period)))
            st.caption(t("review.open_intro", closes=rnd.closes_on.strftime("%d-%m-%Y")))
            c1, c2, c3 = st.columns(3)
            c1.metric(t("review.responses"), seen.responses)
            rate = seen.rate
            c2.metric(
                t("review.response_rate"),
                "—" if rate is None else f"{rate:.0%}",
                help=t("review.response_rate_help"),
            )
            c3.metric(t("review.days_left"), seen.days_left)
            show_chart(
                charts.participation_days(
                    seen.per_day,
                    lang=lang,
                    titles={
                        "x": t("review.day"),
                        "responses": t("review.per_day"),
                        "total": t("review.so_far"),
                    },
                ),
                theme=None,
                width="stretch",
                description=counted(
                    seen.per_day.assign(day=seen.per_day["day"].map(lambda d: f"{d:%d-%m}")),
                    t("review.per_day"),
                    label="day",
                    value="responses",
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
