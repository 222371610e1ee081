"""E-mail for a community (leads for their own communities, administrators for all): add
addresses by pasting or from a file, each with its own personal link; send the invitations of
the open round and reminders now; the addresses and the outbox.

Addresses are personal data kept apart from answers: this page never shows whether an address
has responded, nor anything per address that implies it (reminders go only to those who have
not, so no reminder date per address); only counts per round, in the outbox."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.i18n import LANGUAGE_NAMES, LANGUAGES
from lc_health.domain.mail import decode_upload
from lc_health.domain.periods import period_label
from lc_health.runtime.mail import mail_secret
from lc_health.services import mail as mail_service
from lc_health.store import mail as mail_store
from lc_health.store import rounds as round_store
from lc_health.store.access import Viewer
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Community, Role, Round
from lc_health.ui.context import app, t
from lc_health.ui.forms import flash, form_key, reset_form, show_flash
from lc_health.ui.guard import pick_community, require, show_problems
from lc_health.ui.review.mail_outbox import outbox
from lc_health.ui.widgets import md_escape
from lc_health.ui.writes import attempt

ADD_FORM = "mail_add"
# A list of addresses is small: a larger file is refused before it is read.
MAX_UPLOAD_BYTES = 2_000_000
MAX_PASTED_CHARS = 200_000


def _escaped(invalid: Invalid) -> Invalid:
    """The problems with what was typed made inert for markdown (a bad line is shown as typed)."""
    return Invalid(
        [
            Problem(
                p.field,
                p.code,
                {k: md_escape(v) if isinstance(v, str) else v for k, v in p.params.items()},
            )
            for p in invalid.problems
        ]
    )


def _read_input(pasted: str, upload: UploadedFile | None) -> str | None:
    """The pasted text and the file's text together; None (and a message) for a bad file."""
    parts = [pasted]
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            st.error(t("mail_admin.file_too_big", mb=MAX_UPLOAD_BYTES // 1_000_000))
            return None
        text = decode_upload(upload.getvalue())
        if text is None:
            st.error(t("mail_admin.file_unreadable"), icon=":material/error:")
            return None
        parts.append(text)
    return "\n".join(parts)


def _add(actor: str, community_id: int, text: str, lang: str) -> None:
    secret = mail_secret(app().settings)
    try:
        with st.spinner(t("common.saving")), write_session(app().engine) as session:
            added = mail_service.add_addresses(
                session,
                community_id=community_id,
                text=text,
                default_language=lang,
                secret=secret,
                actor=actor,
            )
    except Invalid as problems:
        show_problems(_escaped(problems))  # the form keeps what was typed
        return
    message = t("mail_admin.added", count=added.added)
    if added.skipped:
        message += " " + t("mail_admin.skipped", count=added.skipped)
    flash(message)
    reset_form(ADD_FORM)
    st.rerun()


def _add_form(actor: str, community_id: int) -> None:
    st.subheader(t("mail_admin.add_heading"))
    with st.form(form_key(ADD_FORM)):
        pasted = st.text_area(t("mail_admin.paste"), height=140, max_chars=MAX_PASTED_CHARS)
        upload = st.file_uploader(
            t("mail_admin.upload"),
            type=["csv", "txt"],
            max_upload_size=MAX_UPLOAD_BYTES // 1_000_000,  # MB, as the uploader shows it
        )
        lang = st.selectbox(
            t("mail_admin.language"), list(LANGUAGES), format_func=LANGUAGE_NAMES.__getitem__
        )
        if not st.form_submit_button(t("mail_admin.add"), type="primary"):
            return
    text = _read_input(pasted, upload)
    if text is None:
        return
    if not text.strip():
        st.warning(t("mail_admin.nothing"), icon=":material/warning:")
        return
    _add(actor, community_id, text, lang)


def _send(actor: str, rnd: Round) -> None:
    assert rnd.id is not None
    round_id, engine = rnd.id, app().engine
    st.subheader(t("mail_admin.send_heading"))
    st.caption(t("mail_admin.send_help"))
    left, right = st.columns(2)
    count: int | None = None
    label = t("mail_admin.send_invitations", period=period_label(rnd.period))
    if left.button(label, icon=":material/send:", type="primary"):
        with st.spinner(t("common.saving")):
            count = mail_service.enqueue_invitations(engine, round_id=round_id, actor=actor)
    if right.button(t("mail_admin.send_reminders"), icon=":material/notifications:"):
        with st.spinner(t("common.saving")):
            count = mail_service.enqueue_reminders(
                engine, round_id=round_id, today=date.today(), actor=actor
            )
    if count is not None:
        flash(t("mail_admin.queued", count=count))
        st.rerun()


def _recipients_table(frame: pd.DataFrame) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("mail_admin.link"): frame["link"],
                t("mail_admin.address"): frame["address"],
                t("mail_admin.language_column"): frame["language"],
                t("mail_admin.state"): frame["state"].map(lambda s: t(f"mail_admin.state_{s}")),
                t("mail_admin.added_on"): frame["added"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("mail_admin.added_on"): st.column_config.DatetimeColumn(format="DD-MM-YYYY"),
        },
    )


def _delete_form(viewer: Viewer, community_id: int, frame: pd.DataFrame) -> None:
    names = dict(zip(frame["recipient_id"], frame["address"], strict=True))
    with st.form("mail_delete"):
        chosen = st.multiselect(
            t("mail_admin.delete_pick"),
            list(names),
            format_func=lambda i: names[i] or f"#{i}",
            placeholder=t("mail_admin.delete_placeholder"),
        )
        if not st.form_submit_button(t("mail_admin.delete"), icon=":material/delete:"):
            return
    count = attempt(
        lambda session: mail_service.delete_addresses(
            session,
            community_id=community_id,
            recipient_ids=chosen,
            actor=viewer.email,
            actor_role=viewer.role,
        )
    )
    if count is not None:
        flash(t("mail_admin.deleted", count=count))
        st.rerun()


def _recipients(viewer: Viewer, community_id: int) -> None:
    st.subheader(t("mail_admin.recipients"))
    with read_session(app().engine) as session:
        frame = mail_store.recipients_frame(session, community_id=community_id)
    if frame.empty:
        st.info(t("mail_admin.none"))
        return
    _recipients_table(frame)
    if viewer.role is Role.admin:  # a lead cannot narrow the reminders down to one person
        _delete_form(viewer, community_id, frame)
    else:
        st.caption(t("mail_admin.delete_by_admin"))


def _open_round(community: Community) -> Round | None:
    assert community.id is not None
    with read_session(app().engine) as session:
        return round_store.open_round_for(
            session=session, community_id=community.id, today=date.today()
        )


def render() -> None:
    viewer = require(Role.admin, Role.lead)
    st.title(t("mail_admin.title"))
    st.caption(t("mail_admin.intro"))
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    _add_form(viewer.email, community.id)
    rnd = _open_round(community)
    if rnd is None:
        st.info(t("mail_admin.no_open_round"), icon=":material/event_busy:")
    else:
        _send(viewer.email, rnd)
    _recipients(viewer, community.id)
    outbox(community.id)
