"""Keeping a personal link's unsent answers between visits (services.drafts): restored on the
first visit of a browser session, saved on every step change. Open links keep nothing."""

from __future__ import annotations

import streamlit as st

from lc_health.domain.instrument import Instrument
from lc_health.domain.survey_flow import UNLISTED_ORGANISATION, Draft
from lc_health.services import drafts
from lc_health.store import communities as cstore
from lc_health.store.db import read_session
from lc_health.store.invitations import Resolved
from lc_health.ui.context import LANG_KEY, app, language

TARGET_KEY = "_draft_target"


def _target(resolved: Resolved) -> tuple[int, int] | None:
    """(invitation id, round id) of a personal link in an open round; None otherwise."""
    if not resolved.personal or resolved.invitation is None or resolved.round is None:
        return None
    if resolved.invitation.id is None or resolved.round.id is None:
        return None
    return resolved.invitation.id, resolved.round.id


def remember_target(resolved: Resolved) -> None:
    """Note where this page's draft is kept (nowhere for an open link)."""
    target = _target(resolved)
    if target is None:
        st.session_state.pop(TARGET_KEY, None)
    else:
        st.session_state[TARGET_KEY] = target


def save(draft: Draft) -> None:
    """Keep the draft as it is now, with the step it is at (personal links only)."""
    target = st.session_state.get(TARGET_KEY)
    if not isinstance(target, tuple) or draft.viewing_feedback:
        return
    invitation_id, round_id = target
    drafts.save_draft(
        app().engine,
        invitation_id=invitation_id,
        round_id=round_id,
        draft=draft,
        language=language(),
    )


def _known_organisation(draft: Draft, community_id: int) -> None:
    """An organisation that left the community since the draft was kept is asked again."""
    if draft.organisation_id in (None, UNLISTED_ORGANISATION):
        return
    with read_session(app().engine) as session:
        orgs = cstore.community_organisations(session=session, community_id=community_id)
    if draft.organisation_id not in {o.id for o in orgs}:
        draft.organisation_id = None


def restore(resolved: Resolved, instrument: Instrument, prefilled: Draft) -> Draft:
    """The kept draft of this link and round in place of `prefilled` (the answers sent
    earlier, if any), in the language it was left in; `prefilled` when none is kept."""
    target = _target(resolved)
    if target is None or resolved.community is None or resolved.community.id is None:
        return prefilled
    found = drafts.restore_draft(
        app().engine, invitation_id=target[0], round_id=target[1], instrument=instrument
    )
    if found is None:
        return prefilled
    draft = found.draft
    draft.submitted_response_id = prefilled.submitted_response_id
    _known_organisation(draft, resolved.community.id)
    if found.language != language():
        st.session_state[LANG_KEY] = found.language
        st.query_params[LANG_KEY] = found.language
    return draft
