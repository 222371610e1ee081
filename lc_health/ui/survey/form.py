"""The participant survey, opened from an invitation link: welcome, profile, one screen per
layer, facilitating and hindering factors, comment, review, and personal feedback."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import date

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lc_health.domain.credentials import hash_token
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.domain.schemas import MAX_COMMENT_CHARS
from lc_health.domain.survey_flow import (
    COMMENT,
    FORCES,
    PROFILE,
    REVIEW,
    WELCOME,
    Draft,
    first_incomplete,
    from_stored,
    missing_on_step,
    steps,
    to_response,
)
from lc_health.services import survey
from lc_health.store import communities as cstore
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store.db import read_session
from lc_health.store.invitations import LinkStatus, Resolved
from lc_health.store.models import Community, Round
from lc_health.ui.context import app, form_language_switch, language, language_switch, t
from lc_health.ui.survey import feedback as survey_feedback
from lc_health.ui.survey import keep, you_said
from lc_health.ui.survey import review as survey_review
from lc_health.ui.survey import steps as survey_steps
from lc_health.ui.survey.withdraw import render_withdraw
from lc_health.ui.widgets import md_escape

log = logging.getLogger(__name__)
TOKEN_PARAM = "t"


def _draft_key(token: str) -> str:
    return f"draft_{hash_token(token)[:16]}"


def _started_key(draft: Draft) -> str:
    """Where the moment the draft's first step was shown is kept (time.monotonic())."""
    return f"_started_{draft.submission_key}"


def _seconds_taken(draft: Draft) -> int | None:
    started = st.session_state.get(_started_key(draft))
    return round(time.monotonic() - started) if isinstance(started, float) else None


def _contact(community: Community | None) -> str:
    contact = community.contact if community and community.contact else ""
    return contact or app().settings.contact_email


def _bad_link(resolved: Resolved) -> None:
    """A friendly page for a link that cannot be used now; never a traceback, and for unknown
    links no hint about which communities exist."""
    st.title(t(f"link.{resolved.status.value}_title"))
    community = resolved.community if resolved.status != LinkStatus.unknown else None
    if community is not None:
        st.markdown(t("link.for_community", community=md_escape(community.name)))
    when = ""
    if resolved.round is not None:
        when = period_label(resolved.round.period)
    st.info(t(f"link.{resolved.status.value}_body", period=when), icon=":material/info:")
    contact = _contact(community)
    if contact:
        st.markdown(t("link.contact", contact=md_escape(contact)))
    else:
        st.markdown(t("link.contact_lead"))


def _clear_widgets() -> None:
    """Forget the step widgets' own state so they are seeded again from the draft."""
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(("p_", "q_", "f_", "c_")):
            del st.session_state[key]


def _resend_widgets_after_language_switch(lang: str) -> None:
    """After a switch of language the browser shows the step's widgets with new labels and, on
    its own, their first option again: set their values once more from this session, so the
    page sends them along and the answers chosen before the switch stay on screen."""
    shown = "_survey_lang"
    if st.session_state.get(shown) not in (None, lang):
        for key in list(st.session_state):
            if isinstance(key, str) and key.startswith(("p_", "q_", "f_", "c_")):
                st.session_state[key] = st.session_state[key]
    st.session_state[shown] = lang


def _go(draft: Draft, index: int) -> None:
    draft.step = index
    keep.save(draft)  # a personal link's answers so far survive a reload
    _clear_widgets()
    st.rerun()


def _welcome(rnd: Round, personal: bool, answered: bool) -> None:
    threshold = app().settings.anonymity_threshold
    st.markdown(t("survey.welcome_why"))
    st.markdown(t("survey.welcome_how"))
    st.markdown(t("survey.welcome_privacy", threshold=threshold))
    if personal:
        st.markdown(t("survey.welcome_personal", closes=rnd.closes_on.strftime("%d-%m-%Y")))
    if answered:
        st.success(t("survey.already_answered"), icon=":material/check_circle:")


def _submit(draft: Draft, resolved: Resolved, lang: str, instrument: Instrument) -> bool:
    assert resolved.round is not None and resolved.round.id is not None
    invitation = resolved.invitation if resolved.personal else None
    response = to_response(
        draft,
        round_id=resolved.round.id,
        language=lang,
        invitation_id=invitation.id if invitation else None,
        respondent_key=invitation.respondent_key if invitation else None,
    )
    ctx = get_script_run_ctx()
    try:
        result = survey.submit(
            app().engine,
            response=response,
            instrument=instrument,
            mark_invitation=resolved.invitation.id if resolved.invitation is not None else None,
            open_link=not resolved.personal,
            # Without a script context (never in a browser) count it as a session of its own.
            session_id=ctx.session_id if ctx is not None else uuid.uuid4().hex,
            seconds=_seconds_taken(draft),
        )
    except (SQLAlchemyError, OSError) as exc:
        # Nothing was stored (one transaction); the answers are still in the draft.
        log.warning("survey submission failed: %s", type(exc).__name__)
        st.error(t("survey.not_saved"), icon=":material/cloud_off:")
        return False
    except response_store.InvalidResponse:
        st.error(t("survey.not_saved"), icon=":material/error:")
        return False
    draft.submitted_response_id = result.response_id
    return True


def _prefill(resolved: Resolved) -> Draft:
    """A new draft; with a personal link that already answered this round, its answers."""
    if not resolved.personal or resolved.round is None or resolved.round.id is None:
        return Draft()
    assert resolved.invitation is not None and resolved.invitation.id is not None
    with read_session(app().engine) as session:
        row = response_store.response_for(
            session=session, round_id=resolved.round.id, invitation_id=resolved.invitation.id
        )
        if row is None or row.id is None:
            return Draft()
        draft = from_stored(
            answers=response_store.stored_answers(session=session, response_id=row.id),
            forces=response_store.stored_forces(session=session, response_id=row.id),
            comment=response_store.stored_comment(session=session, response_id=row.id),
            role=row.role,
            organisation_id=row.organisation_id,
            organisation_type=row.organisation_type,
        )
    draft.submitted_response_id = row.id
    return draft


def _buttons(
    index: int, *, in_form: bool, forward_label: str, forward_icon: str
) -> tuple[bool, bool]:
    """Back and forward. Inside a step's form they submit it, so the answers on the screen
    arrive together with the click (and not one rerun per answer)."""
    back, _, forward = st.columns([1, 2, 1])
    went_back = index > 0 and bool(
        back.button(t("survey.back"), icon=":material/arrow_back:", width="stretch")
        if not in_form
        else back.form_submit_button(
            t("survey.back"), icon=":material/arrow_back:", width="stretch"
        )
    )
    if in_form:
        went_on = forward.form_submit_button(
            forward_label, type="primary", icon=forward_icon, width="stretch"
        )
    else:
        went_on = forward.button(forward_label, type="primary", icon=forward_icon, width="stretch")
    return went_back, went_on


def _move(
    draft: Draft,
    names: list[str],
    instrument: Instrument,
    resolved: Resolved,
    lang: str,
    went_back: bool,
    went_on: bool,
) -> None:
    """Act on the back and forward buttons of the current step."""
    index = draft.step
    step = names[index]
    if went_back:
        _go(draft, index - 1)
    if not went_on:
        return
    if step == REVIEW:
        incomplete = first_incomplete(draft, instrument)
        if incomplete is not None:
            draft.attempted.add(incomplete)
            _go(draft, incomplete)
        if _submit(draft, resolved, lang, instrument):
            draft.viewing_feedback = True
            _clear_widgets()
            st.rerun()
        return
    if missing_on_step(draft, step, instrument):
        draft.attempted.add(index)
        st.rerun()
    draft.attempted.discard(index)
    _go(draft, index + 1)


def _feedback_view(draft: Draft, resolved: Resolved, instrument: Instrument, token: str) -> None:
    """After submitting: thanks, personal feedback, and (personal links) change or withdraw."""
    assert resolved.round is not None and resolved.community is not None
    st.success(t("survey.thanks"), icon=":material/favorite:")
    answers = {k: (None if v == 0 else v) for k, v in draft.answers.items()}
    invitation = resolved.invitation if resolved.personal else None
    survey_feedback.show(
        rnd=resolved.round,
        instrument=instrument,
        answers=answers,
        invitation_id=invitation.id if invitation else None,
    )
    if resolved.personal and st.button(t("survey.change"), icon=":material/edit:"):
        draft.viewing_feedback = False
        _go(draft, 1)
    elif not resolved.personal:
        st.caption(t("survey.open_link_done"))
    render_withdraw(token=token, community_name=resolved.community.name)


def _progress(draft: Draft, names: list[str], instrument: Instrument, lang: str) -> None:
    index = draft.step
    if index > 0:
        name = _step_name(names[index], instrument, lang)
        st.progress(
            index / (len(names) - 1),
            text=t("survey.progress", step=index, total=len(names) - 1, name=name),
        )
    if (
        index in draft.attempted
        and names[index] != COMMENT  # the comment step says itself what is wrong
        and missing_on_step(draft, names[index], instrument)
    ):
        st.error(t("survey.missing_step"), icon=":material/priority_high:")


def _landing(resolved: Resolved, token: str | None) -> bool:
    """A link without an open round, of a community with a published round: what happened
    with the answers of its last published round ("You said, we did"). False: nothing to
    show (the link's own page says why it does not work now)."""
    if resolved.status not in (LinkStatus.closed, LinkStatus.not_open):
        return False
    community = resolved.community
    if community is None or community.id is None:
        return False
    rounds = you_said.published_rounds(community.id)
    if not rounds:
        return False
    if resolved.round is not None:
        st.caption(t("survey.round", period=period_label(resolved.round.period)))
    st.title(community.name)
    if resolved.status == LinkStatus.not_open:
        why = "you_said.not_open"
    else:
        why = "you_said.no_round_open" if resolved.personal else "you_said.round_closed"
    st.info(t(why), icon=":material/event_busy:")
    you_said.show(rounds)
    if token is not None and resolved.personal:  # withdrawing needs no open round
        render_withdraw(token=token, community_name=community.name)
    return True


def _welcome_step(draft: Draft, resolved: Resolved) -> tuple[bool, bool]:
    assert resolved.round is not None and resolved.community is not None
    answered = draft.submitted_response_id is not None
    _welcome(resolved.round, resolved.personal, answered)
    if answered and st.button(t("survey.see_feedback"), icon=":material/insights:"):
        draft.viewing_feedback = True
        st.rerun()
    label = t("survey.change") if draft.submitted_response_id else t("survey.start")
    moves = _buttons(
        draft.step, in_form=False, forward_label=label, forward_icon=":material/arrow_forward:"
    )
    if resolved.community.id is not None:  # below the survey's own way forward
        you_said.open_button(you_said.published_rounds(resolved.community.id))
    return moves


def _form_step(
    draft: Draft, step: str, instrument: Instrument, lang: str, community_id: int
) -> tuple[bool, bool]:
    """A step whose answers arrive together with its Back or Next (one form)."""
    highlight = draft.step in draft.attempted
    with st.form(f"survey_step_{draft.step}", border=False, enter_to_submit=False):
        form_language_switch(st.columns([3, 1])[1])
        if step == PROFILE:
            with read_session(app().engine) as session:
                orgs = cstore.community_organisations(session=session, community_id=community_id)
            survey_steps.profile(draft, instrument, lang, orgs, highlight)
        elif step in instrument.layer_by_id:
            survey_steps.ratings(draft, instrument, lang, step, highlight)
        elif step == FORCES:
            survey_steps.forces(draft, instrument, lang)
        elif step == COMMENT:
            survey_steps.comment(draft, MAX_COMMENT_CHARS, highlight)
        return _buttons(
            draft.step,
            in_form=True,
            forward_label=t("survey.next"),
            forward_icon=":material/arrow_forward:",
        )


def _step_screen(
    draft: Draft, resolved: Resolved, instrument: Instrument, lang: str, token: str
) -> None:
    """The current step, and what its Back and Next do."""
    assert resolved.community is not None and resolved.community.id is not None
    names = steps(instrument)
    step = names[draft.step]
    scroll_to_top_on_new_step(_draft_key(token), draft.step)
    _progress(draft, names, instrument, lang)
    if step == WELCOME:
        moves = _welcome_step(draft, resolved)
    elif step == REVIEW:
        survey_review.show(draft, instrument, lang, names, on_edit=lambda i: _go(draft, i))
        moves = _buttons(
            draft.step,
            in_form=False,
            forward_label=t("survey.submit"),
            forward_icon=":material/send:",
        )
    else:
        moves = _form_step(draft, step, instrument, lang, resolved.community.id)
    _move(draft, names, instrument, resolved, lang, *moves)
    if step == WELCOME:
        render_withdraw(token=token, community_name=resolved.community.name)


def _in_form(draft: Draft, instrument: Instrument) -> bool:
    """True when the screen is a step whose answers arrive with a form's buttons."""
    viewing = draft.submitted_response_id is not None and draft.viewing_feedback
    return not viewing and steps(instrument)[draft.step] not in (WELCOME, REVIEW)


def _draft(token: str, resolved: Resolved, instrument: Instrument) -> Draft:
    """This link's draft in this session; on the first visit the one kept from an earlier
    visit (personal links), else a new one (prefilled with answers sent before)."""
    key = _draft_key(token)
    if key not in st.session_state:
        lang = language()
        st.session_state[key] = keep.restore(resolved, instrument, _prefill(resolved))
        # The survey's first step is shown now: the open-link audit measures from here.
        st.session_state[_started_key(st.session_state[key])] = time.monotonic()
        if language() != lang:  # resumed in the language it was left in
            st.rerun()
    draft: Draft = st.session_state[key]
    return draft


def render() -> None:
    ctx = app()
    lang = language()
    token = st.query_params.get(TOKEN_PARAM)
    top = st.columns([3, 2])
    with read_session(ctx.engine) as session:
        resolved = istore.resolve(session=session, token=token, today=date.today())
    if resolved.status != LinkStatus.ok or token is None:
        with top[1]:
            language_switch(st)
        if not _landing(resolved, token):
            _bad_link(resolved)
        return
    community, rnd = resolved.community, resolved.round
    assert community is not None and community.id is not None and rnd is not None
    instrument = ctx.registry.get(rnd.instrument_id, rnd.instrument_version)
    keep.remember_target(resolved)
    draft = _draft(token, resolved, instrument)
    switched = st.session_state.get("_survey_lang") not in (None, lang)
    _resend_widgets_after_language_switch(lang)
    if not _in_form(draft, instrument):  # a form step has its own switch (form_language_switch)
        with top[1]:
            language_switch(st)
    with top[0]:
        st.caption(t("survey.round", period=period_label(rnd.period)))
    st.title(community.name)
    if you_said.requested():
        you_said.back_button()
        you_said.show(you_said.published_rounds(community.id))
    elif draft.submitted_response_id is not None and draft.viewing_feedback:
        _feedback_view(draft, resolved, instrument, token)
    else:
        _step_screen(draft, resolved, instrument, lang, token)
        if switched and _in_form(draft, instrument):  # the answers came with the switch
            keep.save(draft)


# Layout only: after "Next" at the bottom of a long screen, start the new step at its top.
_SCROLL_TOP = """<script>
document.querySelectorAll('[data-testid="stMain"]').forEach((el) => el.scrollTo(0, 0));
window.scrollTo(0, 0);
</script>"""


def scroll_to_top_on_new_step(draft_key: str, index: int) -> None:
    shown = f"{draft_key}_shown_step"
    if st.session_state.get(shown) != index:
        st.session_state[shown] = index
        st.html(_SCROLL_TOP, unsafe_allow_javascript=True)


def _step_name(step: str, instrument: Instrument, lang: str) -> str:
    if step in instrument.layer_by_id:
        return instrument.layer_by_id[step].name.get(lang)
    return t(f"survey.step_{step}")
