"""The survey's review step: every answer at a glance, with a way back to each step."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lc_health.domain.instrument import Instrument
from lc_health.domain.survey_flow import COMMENT, DONT_KNOW, FORCES, PROFILE, Draft
from lc_health.ui.context import t


def _edit_button(index: int, on_edit: Callable[[int], None]) -> None:
    if st.button(t("survey.edit"), key=f"edit_{index}", icon=":material/edit:", type="tertiary"):
        on_edit(index)


def show(
    draft: Draft,
    instrument: Instrument,
    lang: str,
    names: list[str],
    on_edit: Callable[[int], None],
) -> None:
    st.header(t("survey.review_title"))
    st.caption(t("survey.review_intro"))
    scale = {p.value: p.label.get(lang) for p in instrument.scale.points}
    scale[DONT_KNOW] = instrument.scale.dont_know.get(lang)
    roles = {o.id: o.label.get(lang) for o in instrument.profile.roles}
    types = {o.id: o.label.get(lang) for o in instrument.profile.organisation_types}
    for index, step in enumerate(names):
        if step == PROFILE:
            with st.container(border=True):
                st.markdown(f"**{t('survey.profile_title')}**")
                role = roles.get(draft.role or "", "—")
                kind = types.get(draft.organisation_type or "", "—")
                st.write(f"{t('survey.role_short')}: {role} · {t('survey.type_short')}: {kind}")
                _edit_button(index, on_edit)
        elif step in instrument.layer_by_id:
            with st.container(border=True):
                st.markdown(f"**{instrument.layer_by_id[step].name.get(lang)}**")
                for item in instrument.items_in_layer(step):
                    answer = draft.answers.get(item.id)
                    shown = t("survey.no_answer") if answer is None else scale[answer]
                    st.markdown(f"{item.text.get(lang)}  \n→ **{shown}**")
                _edit_button(index, on_edit)
        elif step == FORCES:
            chosen = [f.name.get(lang) for f in instrument.forces if f.id in draft.forces]
            with st.container(border=True):
                st.markdown(f"**{t('survey.forces_title')}**")
                st.write(", ".join(chosen) if chosen else t("survey.none_chosen"))
                _edit_button(index, on_edit)
        elif step == COMMENT:
            with st.container(border=True):
                st.markdown(f"**{t('survey.comment_title')}**")
                # Plain text: whatever was typed is shown exactly, never as Markdown or HTML.
                if draft.comment:
                    st.text(draft.comment)
                else:
                    st.caption(t("survey.no_comment"))
                _edit_button(index, on_edit)
