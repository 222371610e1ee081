"""The survey's steps as widgets. Each function renders one step and writes what the participant
chose back into the draft, so moving between steps never loses an answer."""

from __future__ import annotations

import html

import streamlit as st

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import clean_comment
from lc_health.domain.survey_flow import (
    DONT_KNOW,
    UNLISTED_ORGANISATION,
    Draft,
    comment_too_long,
)
from lc_health.store.models import Organisation
from lc_health.ui.context import t

# Set the "don't know" answer apart from the 1-5 scale: the last option of every rating gets
# space and a divider before it (layout only; no user text is involved).
RATING_CSS = """
<style>
.st-key-ratings div[role="radiogroup"] > label:last-child {
  margin-left: 0.75rem; padding-left: 0.9rem; border-left: 2px solid #C9D1D0;
}
.st-key-ratings .lc-missing { color: #A3311F; font-weight: 600; margin-top: -0.5rem; }
</style>
"""


def _keep(key: str, value: object) -> None:
    """Seed a widget's value from the draft when it is first shown on this visit to a step."""
    if key not in st.session_state:
        st.session_state[key] = value


def profile(
    draft: Draft, instrument: Instrument, lang: str, orgs: list[Organisation], highlight: bool
) -> None:
    roles = {o.id: o.label.get(lang) for o in instrument.profile.roles}
    types = {o.id: o.label.get(lang) for o in instrument.profile.organisation_types}
    st.header(t("survey.profile_title"))
    st.caption(t("survey.profile_intro"))

    _keep("p_role", draft.role)
    st.radio(t("survey.role"), list(roles), format_func=lambda r: roles[r], key="p_role")
    draft.role = st.session_state["p_role"]
    if highlight and draft.role is None:
        st.error(t("survey.missing_one"), icon=":material/priority_high:")

    org_names = {o.id: o.name for o in orgs if o.id is not None}
    options: list[int] = [*org_names, UNLISTED_ORGANISATION]
    _keep("p_org", draft.organisation_id)
    st.selectbox(
        t("survey.organisation") + " " + t("survey.optional"),
        options,
        format_func=(
            org_names | {UNLISTED_ORGANISATION: t("survey.organisation_unlisted")}
        ).__getitem__,
        placeholder=t("survey.choose"),
        key="p_org",
    )
    draft.organisation_id = st.session_state["p_org"]
    by_org = {o.id: o.type for o in orgs}
    if draft.organisation_type is None and draft.organisation_id in by_org:
        draft.organisation_type = by_org[draft.organisation_id]
        st.session_state.pop("p_type", None)

    _keep("p_type", draft.organisation_type)
    st.radio(
        t("survey.organisation_type"), list(types), format_func=lambda x: types[x], key="p_type"
    )
    draft.organisation_type = st.session_state["p_type"]
    if highlight and draft.organisation_type is None:
        st.error(t("survey.missing_one"), icon=":material/priority_high:")


def ratings(
    draft: Draft, instrument: Instrument, lang: str, layer_id: str, highlight: bool
) -> None:
    layer = instrument.layer_by_id[layer_id]
    st.header(layer.name.get(lang))
    st.caption(layer.description.get(lang))
    st.html(RATING_CSS)
    scale = {p.value: p.label.get(lang) for p in instrument.scale.points}
    scale[DONT_KNOW] = instrument.scale.dont_know.get(lang)
    with st.container(key="ratings"):
        for number, item in enumerate(instrument.items_in_layer(layer_id), start=1):
            key = f"q_{item.id}"
            _keep(key, draft.answers.get(item.id))
            st.radio(
                f"{number}. {item.text.get(lang)}",
                list(scale),
                format_func=lambda v: scale[v],
                key=key,
                horizontal=True,
            )
            chosen = st.session_state[key]
            if chosen is None:
                draft.answers.pop(item.id, None)
                if highlight:
                    st.markdown(
                        f'<div class="lc-missing">{html.escape(t("survey.missing_item"))}</div>',
                        unsafe_allow_html=True,
                    )
            else:
                draft.answers[item.id] = int(chosen)
            st.write("")


def forces(draft: Draft, instrument: Instrument, lang: str) -> None:
    st.header(t("survey.forces_title"))
    st.caption(t("survey.forces_intro"))
    for kind in ("facilitating", "hindering"):
        options = {f.id: f.name.get(lang) for f in instrument.forces_of(kind)}
        key = f"f_{kind}"
        _keep(key, [f for f in options if f in draft.forces])
        st.pills(
            t(f"survey.forces_{kind}"),
            list(options),
            format_func=options.__getitem__,
            selection_mode="multi",
            key=key,
        )
        chosen = set(st.session_state[key] or [])
        draft.forces = (draft.forces - set(options)) | chosen


def comment(draft: Draft, max_chars: int, highlight: bool) -> None:
    """No max_chars on the widget: the browser would refuse a longer paste silently. A comment
    over the limit is kept on screen with a message until it is shortened."""
    st.header(t("survey.comment_title"))
    st.caption(t("survey.comment_intro"))
    _keep("c_text", draft.comment)
    st.text_area(
        t("survey.comment") + " " + t("survey.optional"),
        height=180,
        key="c_text",
        placeholder=t("survey.comment_placeholder"),
    )
    st.caption(t("survey.comment_limit", max=max_chars))
    draft.comment = st.session_state["c_text"] or ""
    if highlight and comment_too_long(draft):
        length = len(clean_comment(draft.comment).strip())
        st.error(
            t("survey.comment_too_long", length=length, max=max_chars, over=length - max_chars),
            icon=":material/content_cut:",
        )
