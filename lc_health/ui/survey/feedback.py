"""What a participant sees after answering: their own scores next to their community's published
picture (this round's once it has closed, else the latest published round's), and their change
since their previous round."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health import charts, metrics
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import Period, period_label
from lc_health.domain.scoring import FACTOR, respondent_scores
from lc_health.store import dashboard
from lc_health.store import responses as response_store
from lc_health.store.db import read_session
from lc_health.store.models import Round
from lc_health.ui.context import app, language, publish_due, t
from lc_health.ui.widgets import ranked, show_chart


def _own_factor_scores(answers: dict[str, int | None], instrument: Instrument) -> pd.DataFrame:
    scores = respondent_scores(answers, instrument)
    rows = [(int(key), value) for (scope, key), value in scores.items() if scope == FACTOR]
    return pd.DataFrame(rows, columns=["factor", "score"])


def _previous_answers(rnd: Round, invitation_id: int) -> tuple[str, dict[str, int | None]] | None:
    """This participant's answers in the community's previous round, if they gave any."""
    previous = str(Period.parse(rnd.period).previous())
    with read_session(app().engine) as session:
        row = response_store.response_in_period(
            session=session,
            community_id=rnd.community_id,
            period=previous,
            invitation_id=invitation_id,
        )
        if row is None or row.id is None:
            return None
        return previous, response_store.stored_answers(session=session, response_id=row.id)


def show(
    *,
    rnd: Round,
    instrument: Instrument,
    answers: dict[str, int | None],
    invitation_id: int | None,
) -> None:
    """The personal feedback block."""
    ctx = app()
    lang = language()
    publish_due(community_ids=(rnd.community_id,))
    with read_session(ctx.engine) as session:
        found = dashboard.latest_published_factors(session=session, community_id=rnd.community_id)
    own = _own_factor_scores(answers, instrument)
    st.header(t("feedback.title"))
    if found is None:
        st.info(t("feedback.too_few"), icon=":material/hourglass:")
        st.caption(t("feedback.why_closed"))
        if invitation_id is not None:
            st.caption(t("feedback.come_back"))
        _own_table(own, instrument, lang)
    else:
        period, responses, published = found
        frame = metrics.feedback_published(own, published)
        frame["label"] = frame["factor"].map(lambda f: instrument.factor_by_id[f].short.get(lang))
        st.caption(t("feedback.explain", count=responses, period=period_label(period)))
        show_chart(
            charts.feedback_chart(
                frame,
                lang=lang,
                titles={
                    "x": t("feedback.axis"),
                    "own": t("feedback.own"),
                    "median": t("feedback.median"),
                    "range": t("feedback.middle_half"),
                    "factor": t("feedback.factor"),
                },
            ),
            theme=None,
            width="stretch",
            description=ranked(frame, t("feedback.own"), value="own"),
        )
        st.caption(t("feedback.legend"))
    if invitation_id is not None:
        previous = _previous_answers(rnd, invitation_id)
        if previous is not None:
            _change(own, _own_factor_scores(previous[1], instrument), previous[0], instrument, lang)


def _own_table(own: pd.DataFrame, instrument: Instrument, lang: str) -> None:
    st.table(  # a plain table: on a phone the page scrolls, not a box inside it
        pd.DataFrame(
            {
                t("feedback.factor"): own["factor"].map(
                    lambda f: instrument.factor_by_id[f].name.get(lang)
                ),
                t("feedback.own"): own["score"].map(lambda v: format_number(v, lang)),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _change(
    own: pd.DataFrame, before: pd.DataFrame, period: str, instrument: Instrument, lang: str
) -> None:
    merged = own.merge(before, on="factor", suffixes=("", "_before"))
    if merged.empty:
        return
    st.header(t("feedback.change_title", period=Period.parse(period).label))
    st.table(
        pd.DataFrame(
            {
                t("feedback.factor"): merged["factor"].map(
                    lambda f: instrument.factor_by_id[f].short.get(lang)
                ),
                t("feedback.before"): merged["score_before"].map(lambda v: format_number(v, lang)),
                t("feedback.now"): merged["score"].map(lambda v: format_number(v, lang)),
                t("feedback.difference"): (merged["score"] - merged["score_before"]).map(
                    lambda v: format_number(v, lang, signed=True)
                ),
            }
        ),
        hide_index=True,
        width="stretch",
    )
