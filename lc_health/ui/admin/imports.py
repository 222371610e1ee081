"""Administration: import responses gathered elsewhere into a round, from a CSV or Excel file.

Steps: template, file, column matching, a preview naming every bad cell, then one all-or-nothing
import. The parsed file and the matching stay on screen after an error; only a successful import
clears the upload. All reading and checking lives in lc_health.services.importing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from lc_health.documents.registry import IMPORT_TEMPLATE, TemplateSource
from lc_health.domain import import_format
from lc_health.domain.disclosure import Audience
from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.services import importing
from lc_health.services.imports import (
    earlier_import_of,
    import_responses,
    organisations_by_name,
)
from lc_health.store import imports
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.models import Role, Round
from lc_health.ui.admin.import_values import value_mapping
from lc_health.ui.context import app, language, t
from lc_health.ui.downloads import download_button
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import pick_community, require, show_problems
from lc_health.ui.writes import attempt

UPLOAD = "import_file"  # a form_key name: a new key after an import gives an empty uploader
PARSED = "_import_parsed"  # (file id, ReadFile): parse an upload once, not on every rerun
COLUMNS_PER_ROW = 3


def _round_label(rnd: Round, today: date) -> str:
    return f"{period_label(rnd.period)} · {t(f'round_state.{round_store.state(rnd, today).value}')}"


def _pick_round(community_id: int, rounds: list[Round]) -> Round:
    today = date.today()
    by_id = {r.id: r for r in reversed(rounds)}  # newest first
    chosen = st.selectbox(
        t("admin_import.round"),
        list(by_id),
        format_func=lambda r: _round_label(by_id[r], today),
        # One key per community: a round chosen for another community must not carry over.
        key=f"import_round_{community_id}",
    )
    return by_id[chosen]


def _templates(instrument: Instrument, organisations: list[str]) -> None:
    st.subheader(t("admin_import.step_template"))
    st.caption(t("admin_import.template_help"))
    source = TemplateSource(instrument=instrument, lang=language(), organisations=organisations)
    icons = {"xlsx": ":material/table:"}
    for where, fmt in zip(st.columns(3), ("csv", "csv-nl", "xlsx"), strict=True):
        icon = icons.get(fmt, ":material/download:")
        download_button(where, IMPORT_TEMPLATE, source, Audience.admin, fmt, icon=icon)


def _parsed(upload: UploadedFile) -> importing.ReadFile:
    """The upload as a table; raises Invalid. Kept for this session so reruns stay quick;
    reading it shows a status while it runs."""
    memo = st.session_state.get(PARSED)
    if memo is None or memo[0] != upload.file_id:
        with st.status(t("admin_import.reading")) as status:
            try:
                read = importing.read_file(upload.name, upload.getvalue())
            finally:
                status.update(label=t("admin_import.reading_done"), state="complete")
        st.session_state[PARSED] = (upload.file_id, read)
        return read
    cached: importing.ReadFile = memo[1]
    return cached


def _formula_warning(read: importing.ReadFile) -> None:
    cells = read.formula_cells
    if not cells:
        return
    shown = ", ".join(cells[: importing.MAX_FORMULA_CELLS_SHOWN])
    if len(cells) > importing.MAX_FORMULA_CELLS_SHOWN:
        shown += ", …"
    st.warning(
        t("admin_import.formula_cells", count=len(cells), cells=shown), icon=":material/function:"
    )


def _same_file(sha256: str, key: str) -> bool | None:
    """None for a file not imported before; else whether the person confirmed importing it
    again (services.imports refuses it otherwise)."""
    with read_session(app().engine) as session:
        earlier = earlier_import_of(session=session, content_sha256=sha256)
        if earlier is None:
            return None
        rnd = round_store.get_round(session=session, round_id=earlier.round_id)
    when = pd.Timestamp(earlier.imported_at).strftime("%d-%m-%Y %H:%M")
    period = period_label(rnd.period) if rnd else str(earlier.round_id)
    st.warning(
        t("import.same_file", when=when, period=period, rows=earlier.rows),
        icon=":material/content_copy:",
    )
    return bool(st.checkbox(t("admin_import.same_file_confirm"), key=f"{key}_again"))


def _select(
    target: str, columns: list[str], suggested: str | None, key: str, help_text: str
) -> Any:
    options: list[str | None] = [None, *columns]
    absent = t("admin_import.not_in_file")
    return st.selectbox(
        target,
        options,
        index=options.index(suggested),
        format_func=lambda c: absent if c is None else str(c),
        key=f"{key}_{target}",
        help=help_text or None,
    )


def _mapping(frame: pd.DataFrame, instrument: Instrument, key: str) -> dict[str, str | None]:
    """A selectbox per template column, pre-filled by suggest_mapping."""
    columns = [str(c) for c in frame.columns]
    suggested = importing.suggest_mapping(columns, instrument)
    lang = language()
    groups = (
        (
            "admin_import.group_profile",
            dict.fromkeys((*import_format.PROFILE_COLUMNS, import_format.COMMENT_COLUMN), ""),
        ),
        ("admin_import.group_items", {i.id: i.text.get(lang) for i in instrument.items}),
        ("admin_import.group_forces", {f.id: f.name.get(lang) for f in instrument.forces}),
    )
    st.subheader(t("admin_import.step_mapping"))
    summary = st.empty()  # filled in below, so it counts the matching as it is now
    all_found = all(v is not None for v in suggested.values())
    mapping: dict[str, str | None] = {}
    with st.expander(t("admin_import.mapping_edit"), expanded=not all_found):
        st.caption(t("admin_import.mapping_help"))
        for title, targets in groups:
            st.markdown(f"**{t(title)}**")
            grid = st.columns(COLUMNS_PER_ROW)
            for n, (target, help_text) in enumerate(targets.items()):
                with grid[n % COLUMNS_PER_ROW]:
                    mapping[target] = _select(target, columns, suggested[target], key, help_text)
    matched = sum(1 for v in mapping.values() if v is not None)
    summary.caption(t("admin_import.matched", matched=matched, total=len(mapping)))
    ignored = importing.unmapped_columns(columns, mapping)
    if ignored:
        st.caption(t("admin_import.ignored"))
        st.text(", ".join(ignored))  # column names come from the file: never as Markdown
    if not any(mapping.get(f.id) for f in instrument.forces):
        st.info(t("admin_import.no_forces"), icon=":material/info:")
    return mapping


def _preview(preview: importing.Preview) -> None:
    st.subheader(t("admin_import.step_preview"))
    st.markdown(t("admin_import.valid_rows", count=len(preview.rows)))
    if preview.skipped_empty:
        st.caption(t("admin_import.skipped", count=preview.skipped_empty))
    if not preview.problems:
        return
    st.error(t("admin_import.problems", count=len(preview.problems)), icon=":material/error:")
    st.dataframe(
        pd.DataFrame(
            {
                t("admin_import.col_row"): [p.row for p in preview.problems],
                t("admin_import.col_column"): [
                    p.column or t("admin_import.whole_row") for p in preview.problems
                ],
                t("admin_import.col_value"): [p.value for p in preview.problems],
                t("admin_import.col_problem"): [t(p.code, **p.params) for p in preview.problems],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _earlier(round_id: int, source: str) -> None:
    with read_session(app().engine) as session:
        frame = imports.earlier_imports(session=session, round_id=round_id)
    if frame.empty:
        return
    same = frame[frame["source"] == source.strip()]
    if not same.empty:
        when = pd.Timestamp(same["imported_at"].iloc[0]).strftime("%d-%m-%Y %H:%M")
        st.warning(t("admin_import.already_imported", when=when), icon=":material/warning:")
    with st.expander(t("admin_import.earlier")):
        st.dataframe(
            pd.DataFrame(
                {
                    t("admin_import.col_source"): frame["source"],
                    t("admin_import.col_rows"): frame["rows"],
                    t("admin_import.col_by"): frame["imported_by"],
                    t("admin_import.col_at"): frame["imported_at"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                t("admin_import.col_at"): st.column_config.DatetimeColumn(format="DD-MM-YYYY HH:mm")
            },
        )


def _import_step(
    actor: str,
    rnd: Round,
    instrument: Instrument,
    preview: importing.Preview,
    upload: UploadedFile,
    widget_key: str,
    sha256: str,
) -> None:
    """Where the answers came from, earlier imports, and the one all-or-nothing import."""
    assert rnd.id is not None
    round_id = rnd.id
    st.subheader(t("admin_import.step_import"))
    source = st.text_input(
        t("admin_import.source"),
        value=upload.name,
        max_chars=importing.MAX_SOURCE_CHARS,
        help=t("admin_import.source_help"),
        key=f"{widget_key}_source",
    )
    _earlier(round_id, source)
    again = _same_file(sha256, widget_key)
    if not st.button(
        t("admin_import.import", count=len(preview.rows)),
        type="primary",
        disabled=not preview.ok or again is False,
        icon=":material/upload:",
        key=f"{widget_key}_go",
    ):
        return
    with st.spinner(t("admin_import.storing", count=len(preview.rows))):
        batch = attempt(
            lambda session: import_responses(
                session=session,
                round_id=round_id,
                preview=preview,
                instrument=instrument,
                source=source,
                actor=actor,
                content_sha256=sha256,
                same_file_confirmed=bool(again),
            )
        )
    if batch is not None:
        st.session_state.pop(PARSED, None)
        reset_form(UPLOAD)
        flash(t("admin_import.done", count=batch.rows, period=period_label(rnd.period)))
        st.rerun()


def _upload_step(
    actor: str, rnd: Round, instrument: Instrument, organisations: dict[str, int]
) -> None:
    """The file, its columns matched to the template's, a preview, then the import."""
    st.subheader(t("admin_import.step_upload"))
    upload_key = form_key(UPLOAD)
    upload = st.file_uploader(
        t("admin_import.file"),
        type=["csv", "xlsx"],
        key=upload_key,
        help=t("admin_import.file_help", max=import_format.MAX_ROWS),
    )
    if upload is None:
        return
    try:
        read = _parsed(upload)
    except Invalid as problems:
        show_problems(problems)
        return
    frame = read.frame
    st.caption(t("admin_import.file_read", rows=len(frame), columns=len(frame.columns)))
    _formula_warning(read)
    widget_key = f"{upload_key}_{upload.file_id}"  # a new file starts from fresh suggestions
    mapping = _mapping(frame, instrument, widget_key)
    values = value_mapping(frame, mapping, instrument, widget_key)
    preview = importing.validate(frame, mapping, instrument, organisations, values)
    _preview(preview)
    _import_step(actor, rnd, instrument, preview, upload, widget_key, read.sha256)


def render() -> None:
    viewer = require(Role.admin)
    ctx = app()
    st.title(t("admin_import.title"))
    st.caption(t("admin_import.intro"))
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    with read_session(ctx.engine) as session:
        rounds = round_store.community_rounds(session=session, community_id=community.id)
        organisations = organisations_by_name(session=session, community_id=community.id)
    if not rounds:
        st.info(t("admin_import.no_rounds"))
        return
    rnd = _pick_round(community.id, rounds)
    try:
        instrument = ctx.registry.get(rnd.instrument_id, rnd.instrument_version)
    except KeyError:
        label = f"{rnd.instrument_id} v{rnd.instrument_version}"
        st.error(t("admin_import.no_instrument", instrument=label), icon=":material/error:")
        return
    _templates(instrument, list(organisations))
    _upload_step(viewer.email, rnd, instrument, organisations)
