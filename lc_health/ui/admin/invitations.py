"""Administration: personal and open survey links, as CSV and as a printable QR sheet; revoking.

A new link's token is shown once, right after it is made: the database keeps only its hash.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lc_health.documents.linksheet import LinkCard
from lc_health.documents.registry import INVITATION_LINKS, LinkSource
from lc_health.domain.disclosure import Audience
from lc_health.domain.periods import period_label
from lc_health.services import invitations as isvc
from lc_health.store import invitations as istore
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session
from lc_health.store.models import Community, Role
from lc_health.ui.context import app, language, t
from lc_health.ui.downloads import download_button
from lc_health.ui.forms import flash, show_flash
from lc_health.ui.guard import pick_community, require
from lc_health.ui.writes import attempt

NEW_LINKS = "_new_links"  # this session only: the tokens just made, for download


def _offer_downloads(community: str) -> None:
    batch = st.session_state.get(NEW_LINKS)
    if not batch or batch["community"] != community:
        return
    lang = language()
    cards = [
        LinkCard(url, batch["label"], number)
        for url, number in zip(batch["urls"], batch["numbers"], strict=True)
    ]
    with st.container(border=True):
        st.markdown(t("admin_invitations.made", count=len(cards)))
        st.warning(t("admin_invitations.once"), icon=":material/warning:")
        c1, c2, c3, c4 = st.columns(4)
        source = LinkSource(
            links=cards,
            community=community,
            period=batch["period"],
            instruction=t("admin_invitations.sheet_instruction"),
            lang=lang,
        )
        download_button(
            c1, INVITATION_LINKS, source, Audience.admin, "csv", icon=":material/download:"
        )
        download_button(
            c2, INVITATION_LINKS, source, Audience.admin, "csv-nl", icon=":material/download:"
        )
        download_button(
            c3, INVITATION_LINKS, source, Audience.admin, "html", icon=":material/qr_code_2:"
        )
        if c4.button(t("admin_invitations.done"), icon=":material/check:"):
            st.session_state.pop(NEW_LINKS, None)
            st.rerun()
        if len(cards) == 1:
            st.code(cards[0].url, language=None)


def _personal_form(actor: str, community: Community) -> None:
    assert community.id is not None
    community_id = community.id
    with st.form("personal_links"):
        st.subheader(t("admin_invitations.personal"))
        st.caption(t("admin_invitations.personal_help"))
        count = st.number_input(
            t("admin_invitations.count"),
            min_value=1,
            max_value=istore.MAX_LINKS_AT_ONCE,
            value=20,
            step=1,
        )
        label = st.text_input(
            t("admin_invitations.label"), max_chars=80, help=t("admin_invitations.label_help")
        )
        if not st.form_submit_button(t("admin_invitations.make"), type="primary"):
            return
    links = attempt(
        lambda session: isvc.make_personal_links(
            session=session, community_id=community_id, count=int(count), label=label, actor=actor
        )
    )
    if links is not None:
        _keep_new_links(community.name, "", label.strip(), links)


def _keep_new_links(community: str, period: str, label: str, links: list[istore.NewLink]) -> None:
    """Offer the links just made for download on the next run (this session only), each with
    the number the links table shows."""
    public_url = app().settings.public_url
    st.session_state[NEW_LINKS] = {
        "community": community,
        "period": period,
        "label": label,
        "urls": [istore.link_url(public_url, link.token) for link in links],
        "numbers": [link.invitation_id for link in links],
    }
    st.rerun()


def _open_link_form(actor: str, community: Community, today: date) -> None:
    assert community.id is not None
    with read_session(app().engine) as session:
        rounds = round_store.community_rounds(session=session, community_id=community.id)
    usable = [r for r in rounds if round_store.state(r, today) != round_store.RoundState.closed]
    st.subheader(t("admin_invitations.open"))
    st.caption(t("admin_invitations.open_help"))
    if not usable:
        st.info(t("admin_invitations.no_round"))
        return
    by_id = {r.id: r for r in usable}
    with st.form("open_link"):
        pick = st.selectbox(
            t("admin_rounds.period"),
            list(by_id),
            format_func=lambda r: period_label(by_id[r].period),
        )
        if not st.form_submit_button(t("admin_invitations.make_open"), type="primary"):
            return
    rnd = by_id[pick]
    assert rnd.id is not None
    round_id = rnd.id
    link = attempt(
        lambda session: isvc.make_open_link(session=session, round_id=round_id, actor=actor)
    )
    if link is not None:
        _keep_new_links(community.name, period_label(rnd.period), "", [link])


def _links_table(frame: pd.DataFrame) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                "#": frame["invitation_id"],
                t("admin_invitations.kind"): frame["kind"].map(lambda k: t(f"link_kind.{k}")),
                t("admin_rounds.period"): frame["period"].map(
                    lambda p: "" if pd.isna(p) else period_label(p)
                ),
                t("admin_invitations.label"): frame["label"],
                t("admin_invitations.created"): frame["created_at"],
                t("admin.status"): frame["revoked"].map(
                    lambda r: t("admin_invitations.revoked") if r else t("admin.active")
                ),
                t("admin_invitations.responses"): frame["responses"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("admin_invitations.created"): st.column_config.DatetimeColumn(
                format="DD-MM-YYYY HH:mm"
            )
        },
    )


def _revoke_form(actor: str, community_id: int, active: pd.DataFrame) -> None:
    with st.form("revoke"):
        chosen = st.multiselect(
            t("admin_invitations.revoke_pick"),
            active["invitation_id"].tolist(),
            format_func=lambda i: f"#{i}",
            placeholder=t("survey.choose"),
        )
        if not st.form_submit_button(t("admin_invitations.revoke"), icon=":material/link_off:"):
            return
    count = attempt(
        lambda session: isvc.revoke_links(
            session=session, community_id=community_id, invitation_ids=chosen, actor=actor
        )
    )
    if count is not None:
        flash(t("admin_invitations.revoked_done", count=count))
        st.rerun()


def _existing(actor: str, community_id: int) -> None:
    st.subheader(t("admin_invitations.existing"))
    with read_session(app().engine) as session:
        frame = istore.invitations_frame(session=session, community_id=community_id)
    if frame.empty:
        st.info(t("admin_invitations.none"))
        return
    _links_table(frame)
    _revoke_form(actor, community_id, frame[~frame["revoked"]])


def render() -> None:
    viewer = require(Role.admin)
    st.title(t("admin_invitations.title"))
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    _offer_downloads(community.name)
    personal, open_link = st.columns(2, gap="large")
    with personal:
        _personal_form(viewer.email, community)
    with open_link:
        _open_link_form(viewer.email, community, date.today())
    _existing(viewer.email, community.id)
