""" "You said, we did", reached with a survey link: a published round's picture (only what was
published), what the group discussed, the actions it agreed and what became of them. Free text
(actions, notes, the meeting's summary) is shown as plain text, never as Markdown or HTML."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.services import you_said as service
from lc_health.services.you_said import YouSaid
from lc_health.ui.context import app, language, publish_due, t

VIEW_PARAM = "view"
VIEW = "you_said"
CHOICE_KEY = "_you_said_round"
TOP_FORCES = 3


def published_rounds(community_id: int) -> list[tuple[int, str]]:
    """(round id, period) of the community's published rounds, newest first."""
    publish_due(community_ids=(community_id,))  # a round closed by its date is published first
    return service.published_rounds(app().engine, community_id=community_id)


def requested() -> bool:
    """Whether the link's URL asks for this view (it survives a reload)."""
    return st.query_params.get(VIEW_PARAM) == VIEW


def open_button(rounds: list[tuple[int, str]]) -> None:
    """On the survey's welcome: the way to the last published round's page."""
    if rounds and st.button(
        t("you_said.open_button", period=period_label(rounds[0][1])),
        icon=":material/campaign:",
        type="secondary",
    ):
        st.query_params[VIEW_PARAM] = VIEW
        st.rerun()


def back_button() -> None:
    if st.button(t("you_said.back_to_survey"), icon=":material/arrow_back:"):
        del st.query_params[VIEW_PARAM]
        st.rerun()


def _chosen(rounds: list[tuple[int, str]]) -> int:
    """The round to show: the newest, or the one picked among earlier published rounds."""
    if len(rounds) == 1:
        return rounds[0][0]
    periods = dict(rounds)
    choice = st.selectbox(
        t("you_said.choose_round"),
        list(periods),
        format_func=lambda r: period_label(periods[r]),
        key=CHOICE_KEY,
        width=220,
    )
    return int(choice) if choice in periods else rounds[0][0]


def show(rounds: list[tuple[int, str]]) -> None:
    """The page for the chosen published round of the community (nothing without one)."""
    if not rounds:
        return
    st.header(t("you_said.title"))
    info = service.you_said(app().engine, round_id=_chosen(rounds))
    if info is None:
        return
    lang = language()
    instrument = app().registry.get(info.instrument_id, info.instrument_version)
    st.markdown(t("you_said.intro", count=info.responses, period=period_label(info.period)))
    _said(info, instrument, lang)
    _discussed(info, instrument, lang)
    _did(info, instrument, lang)


def _range(q1: float | None, median: float | None, q3: float | None, lang: str) -> str:
    if median is None:
        return "–"
    text = format_number(median, lang)
    if q1 is not None and q3 is not None:
        text += f" ({format_number(q1, lang)} – {format_number(q3, lang)})"
    return text


def _said(info: YouSaid, instrument: Instrument, lang: str) -> None:
    st.subheader(t("you_said.said_title"))
    if not info.has_picture:
        st.info(t("you_said.too_few"), icon=":material/groups:")
    else:
        st.caption(t("you_said.said_explain"))
        names = {f.id: f.short.get(lang) for f in instrument.factors}
        st.table(  # a plain table: on a phone the page scrolls, not a box inside it
            pd.DataFrame(
                {
                    t("you_said.col_factor"): [names.get(f.factor_id, "") for f in info.factors],
                    t("you_said.col_median"): [
                        _range(f.q1, f.median, f.q3, lang) for f in info.factors
                    ],
                    t("you_said.col_change"): [
                        t(f"change.{f.change}") if f.change else "–" for f in info.factors
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    _forces(info, instrument, lang)


def _forces(info: YouSaid, instrument: Instrument, lang: str) -> None:
    if not info.forces:
        return
    st.markdown(f"**{t('you_said.forces_title')}**")
    for kind in ("facilitating", "hindering"):
        names = {f.id: f.name.get(lang) for f in instrument.forces_of(kind)}
        top = [(f, n) for f, n in info.forces if f in names][:TOP_FORCES]
        if top:
            lines = [
                t("you_said.force_count", name=names[f], count=n, total=info.forces_respondents)
                for f, n in top
            ]
            st.markdown(f"*{t(f'survey.forces_{kind}')}*")
            st.text("\n".join(f"• {line}" for line in lines))


def _discussed(info: YouSaid, instrument: Instrument, lang: str) -> None:
    st.subheader(t("you_said.discussed_title"))
    if info.summary is None and not info.discussed:
        st.caption(t("you_said.nothing_discussed"))
        return
    if info.summary:
        st.text(info.summary)
    names = {f.id: f.short.get(lang) for f in instrument.factors}
    for factor_id, outcome, note in info.discussed:
        with st.container(border=True):
            label = t(
                "you_said.outcome_action" if outcome == "action" else "you_said.outcome_no_action"
            )
            st.text(f"{names.get(factor_id, '')} · {label}")
            if note:
                st.text(note)


def _did(info: YouSaid, instrument: Instrument, lang: str) -> None:
    st.subheader(t("you_said.did_title"))
    if not info.actions:
        st.caption(t("you_said.no_actions"))
        return
    names = {f.id: f.short.get(lang) for f in instrument.factors}
    for action in info.actions:
        with st.container(border=True):
            st.text(action.what)
            due = action.due_on.strftime("%d-%m-%Y") if action.due_on else t("you_said.no_due")
            status = t(f"action_status.{action.status}")
            st.caption(
                t(
                    "you_said.action_line",
                    factor=names.get(action.factor_id, ""),
                    status=status,
                    due=due,
                )
            )
