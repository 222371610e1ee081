"""Paper sessions for a community lead (and administrators): print the A3 poster and the A4
scoring sheets, then type the sheets in; they are stored as paper responses of the chosen round.

The sheets are checked by the import rules (services.paper builds the shape that
importing.validate reads) and stored with services.imports, all at once or not at all. The grid
keeps what was typed after a problem; only a successful save gives an empty grid.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from lc_health.documents.poster import MAX_COPIES, item_code
from lc_health.documents.registry import POSTER, SCORING_SHEETS, PaperSource
from lc_health.domain.disclosure import Audience
from lc_health.domain.errors import Invalid
from lc_health.domain.i18n import LANGUAGE_NAMES, LANGUAGES
from lc_health.domain.instrument import Instrument, Option
from lc_health.domain.periods import period_label
from lc_health.services import importing, paper
from lc_health.services.importing import Preview
from lc_health.services.imports import import_responses
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Role, Round, Source
from lc_health.store.tallies import round_counts
from lc_health.ui.context import app, language, t
from lc_health.ui.downloads import download_button
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import pick_community, require, show_problems
from lc_health.ui.review import data as review_data
from lc_health.ui.widgets import demo_notice

GRID = "paper_grid"  # a form_key name: a new key after saving gives an empty grid
BLANK_ROWS = 10
DEFAULT_COPIES = 20


def grid_key(instrument: Instrument) -> str:
    """The entry grid's widget key: per questionnaire (its columns), new after each save."""
    return f"{form_key(GRID)}_{instrument.id}_{instrument.version}"


def _round_label(rnd: Round, today: date) -> str:
    return f"{period_label(rnd.period)} · {t(f'round_state.{round_store.state(rnd, today).value}')}"


def _pick_round(community_id: int, rounds: list[Round], today: date) -> Round:
    """Any round of the community, newest first; the open one by default."""
    newest_first = list(reversed(rounds))
    by_id = {r.id: r for r in newest_first}
    states = [round_store.state(r, today) for r in newest_first]
    index = (
        states.index(round_store.RoundState.open) if round_store.RoundState.open in states else 0
    )
    chosen = st.selectbox(
        t("paper.round"),
        list(by_id),
        index=index,
        format_func=lambda r: _round_label(by_id[r], today),
        key=f"paper_round_{community_id}",
    )
    return by_id[chosen]


def _round_notice(rnd: Round, today: date) -> None:
    state = round_store.state(rnd, today)
    if state is round_store.RoundState.closed:
        st.warning(t("paper.round_closed"), icon=":material/event_busy:")
    elif state is round_store.RoundState.scheduled:
        st.info(t("paper.round_scheduled"), icon=":material/event_upcoming:")


def _print(instrument: Instrument, community: str, rnd: Round, next_number: int, lang: str) -> str:
    """Language choice and the two downloads; returns the language of the paper forms."""
    st.subheader(t("paper.step_print"))
    st.caption(t("paper.print_help"))
    c1, c2, c3, c4 = st.columns(4)
    form_lang = c1.selectbox(
        t("paper.print_language"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(lang),
        format_func=lambda code: LANGUAGE_NAMES.get(code, code),
        help=t("paper.print_language_help"),
        key="paper_language",
    )
    copies = c2.number_input(
        t("paper.copies"),
        min_value=1,
        max_value=MAX_COPIES,
        value=DEFAULT_COPIES,
        step=1,
        key="paper_copies",
    )
    numbered = c3.checkbox(
        t("paper.numbered"), value=True, help=t("paper.numbered_help"), key="paper_numbered"
    )
    first = c4.number_input(
        t("paper.first_number"),
        min_value=1,
        max_value=paper.MAX_SHEET,
        value=next_number,
        step=1,
        disabled=not numbered,
        key=f"paper_first_{rnd.id}_{next_number}",
    )
    source = PaperSource(
        instrument=instrument,
        lang=str(form_lang),
        community=community,
        period=rnd.period,
        copies=int(copies),
        first_number=int(first) if numbered else None,
    )
    d1, d2, _ = st.columns([1, 1, 2])
    for where, export in ((d1, POSTER), (d2, SCORING_SHEETS)):
        download_button(
            where,
            export,
            source,
            Audience.lead,
            "html",
            width="stretch",
            icon=":material/download:",
        )
    return str(form_lang)


def _option_column(label: str, options: tuple[Option, ...], lang: str) -> Any:
    labels = {o.id: o.label.get(lang) for o in options}
    return st.column_config.SelectboxColumn(
        label,
        options=list(labels),
        format_func=lambda v: labels.get(str(v), str(v)),
        width="medium",
    )


def column_config(instrument: Instrument, lang: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        paper.SHEET: st.column_config.NumberColumn(
            t("paper.col_sheet"),
            help=t("paper.col_sheet_help"),
            min_value=1,
            max_value=paper.MAX_SHEET,
            step=1,
            format="%d",
            width="small",
            pinned=True,
        ),
        "role": _option_column(t("paper.col_role"), instrument.profile.roles, lang),
        "organisation_type": _option_column(
            t("paper.col_organisation_type"), instrument.profile.organisation_types, lang
        ),
    }
    for item in instrument.items:
        layer = instrument.layer_by_id[item.layer].name.get(lang)
        config[item.id] = st.column_config.SelectboxColumn(
            item_code(item),
            help=f"{layer}: {item.text.get(lang)}",
            options=list(paper.SCORE_OPTIONS),
            width="small",
        )
    return config


def _column_name(column: str, instrument: Instrument, lang: str) -> str:
    names = {
        "": t("paper.whole_row"),
        paper.SHEET: t("paper.col_sheet"),
        "role": t("paper.col_role"),
        "organisation_type": t("paper.col_organisation_type"),
    }
    if column in names:
        return names[column]
    item = instrument.item_by_id.get(column)
    if item is None:
        return column
    return f"{item_code(item)} · {item.text.get(lang)}"


def _problems(preview: Preview, grid: pd.DataFrame, instrument: Instrument, lang: str) -> None:
    st.error(t("paper.problems", count=len(preview.problems)), icon=":material/error:")
    numbers = paper.rows_to_frame(grid, instrument, language=lang)[paper.SHEET].tolist()
    rows = [paper.grid_row(p) for p in preview.problems]
    labels = [paper.row_label(grid, p) for p in preview.problems]
    st.dataframe(
        pd.DataFrame(
            {
                t("paper.col_row"): labels,
                t("paper.col_sheet"): [numbers[r - 1] if r <= len(numbers) else "" for r in rows],
                t("paper.col_statement"): [
                    _column_name(p.column, instrument, lang) for p in preview.problems
                ],
                t("paper.col_value"): [p.value for p in preview.problems],
                t("paper.col_problem"): [t(p.code, **p.params) for p in preview.problems],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _earlier(sessions: pd.DataFrame) -> None:
    if sessions.empty:
        return
    with st.expander(t("paper.earlier")):
        st.dataframe(
            pd.DataFrame(
                {
                    t("paper.col_label"): [paper.label_of(s) for s in sessions["source"]],
                    t("paper.col_rows"): sessions["rows"],
                    t("paper.col_by"): sessions["imported_by"],
                    t("paper.col_at"): sessions["imported_at"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                t("paper.col_at"): st.column_config.DatetimeColumn(format="DD-MM-YYYY HH:mm")
            },
        )


def _save(preview: Preview, rnd: Round, instrument: Instrument, source: str, actor: str) -> None:
    assert rnd.id is not None
    try:
        with write_session(app().engine) as session:
            batch = import_responses(
                session=session,
                round_id=rnd.id,
                preview=preview,
                instrument=instrument,
                source=source,
                actor=actor,
                source_kind=Source.paper,
            )
    except Invalid as problems:
        show_problems(problems)
        return
    review_data.clear()
    reset_form(GRID)
    flash(t("paper.saved", count=batch.rows, period=period_label(rnd.period)))
    st.rerun()


def _entry(rnd: Round, instrument: Instrument, form_lang: str, seen: set[int], actor: str) -> None:
    lang = language()
    st.subheader(t("paper.step_enter"))
    st.caption(t("paper.enter_help"))
    grid = st.data_editor(
        paper.empty_grid(instrument, BLANK_ROWS),
        key=grid_key(instrument),
        num_rows="dynamic",
        hide_index=False,
        column_config=column_config(instrument, lang),
        column_order=paper.grid_columns(instrument),
        width="stretch",
        placeholder="",
    )
    label = st.text_input(
        t("paper.label"),
        value=t("paper.default_label", date=date.today().strftime("%d-%m-%Y")),
        max_chars=importing.MAX_SOURCE_CHARS - 40,  # room for the prefix and sheet numbers
        help=t("paper.label_help"),
        key=f"{form_key(GRID)}_label",
    )
    c1, c2, _ = st.columns([1, 1, 4])
    checking = c1.button(t("paper.check"), icon=":material/rule:", width="stretch")
    saving = c2.button(t("paper.save"), type="primary", icon=":material/save:", width="stretch")
    if not (checking or saving):
        return
    preview = paper.check(grid, instrument, language=form_lang)
    sheets = paper.sheet_numbers(grid)
    again = sorted(seen & set(sheets))
    if again:
        numbers = paper.number_ranges(again)
        st.warning(t("paper.sheets_seen", numbers=numbers), icon=":material/content_copy:")
    if preview.problems:
        _problems(preview, grid, instrument, lang)
    elif not preview.rows:
        st.info(t("paper.nothing"), icon=":material/info:")
    elif saving:
        _save(preview, rnd, instrument, paper.source_text(label, sheets), actor)
    else:
        st.success(t("paper.ready", count=len(preview.rows)), icon=":material/check_circle:")


def render() -> None:
    viewer = require(Role.lead, Role.admin)
    ctx = app()
    lang = language()
    today = date.today()
    st.title(t("paper.title"))
    st.caption(t("paper.intro"))
    demo_notice()
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    with read_session(ctx.engine) as session:
        rounds = round_store.community_rounds(session=session, community_id=community.id)
    if not rounds:
        st.info(t("paper.no_rounds"))
        return
    rnd = _pick_round(community.id, rounds, today)
    assert rnd.id is not None
    try:
        instrument = ctx.registry.get(rnd.instrument_id, rnd.instrument_version)
    except KeyError:
        label = f"{rnd.instrument_id} v{rnd.instrument_version}"
        st.error(t("paper.no_instrument", instrument=label), icon=":material/error:")
        return
    with read_session(ctx.engine) as session:
        counts = round_counts(session, round_ids=[rnd.id])
        on_paper = paper.paper_responses(session=session, round_id=rnd.id)
        sessions = paper.paper_sessions(session=session, round_id=rnd.id)
    _round_notice(rnd, today)
    total = int(counts["responses"].sum())
    st.caption(t("paper.counts", responses=total, paper=on_paper))
    _earlier(sessions)
    seen = paper.sheets_seen(sessions)
    form_lang = _print(instrument, community.name, rnd, max(seen, default=0) + 1, lang)
    _entry(rnd, instrument, form_lang, seen, viewer.email)
