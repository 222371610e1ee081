"""Administration: personal and open survey links, as CSV and as a printable QR sheet; revoking.

A new link's token is shown once, right after it is made: the database keeps only its hash.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lc_health.documents.linksheet import LinkCard, links_csv, qr_sheet_html
from lc_health.domain.errors import Invalid
from lc_health.domain.periods import period_label
from lc_health.store import audit
from lc_health.store import invitations as istore
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Role
from lc_health.ui.context import app, language, t
from lc_health.ui.forms import flash, show_flash
from lc_health.ui.guard import pick_community, require, show_problems

NEW_LINKS = "_new_links"  # this session only: the tokens just made, for download


def _offer_downloads(community: str) -> None:
    batch = st.session_state.get(NEW_LINKS)
    if not batch or batch["community"] != community:
        return
    lang = language()
    cards = [LinkCard(url, batch["label"]) for url in batch["urls"]]
    with st.container(border=True):
        st.markdown(t("admin_invitations.made", count=len(cards)))
        st.warning(t("admin_invitations.once"), icon=":material/warning:")
        c1, c2, c3 = st.columns(3)
        c1.download_button(
            t("admin_invitations.csv"),
            links_csv(cards, community=community, period=batch["period"]),
            file_name="lc-health-links.csv",
            mime="text/csv",
            icon=":material/download:",
        )
        c2.download_button(
            t("admin_invitations.sheet"),
            qr_sheet_html(
                cards,
                title=f"{community} {batch['period']}".strip(),
                instruction=t("admin_invitations.sheet_instruction"),
                lang=lang,
            ),
            file_name="lc-health-qr-sheet.html",
            mime="text/html",
            icon=":material/qr_code_2:",
        )
        if c3.button(t("admin_invitations.done"), icon=":material/check:"):
            st.session_state.pop(NEW_LINKS, None)
            st.rerun()
        if len(cards) == 1:
            st.code(cards[0].url, language=None)


def render() -> None:
    viewer = require(Role.admin)
    ctx = app()
    today = date.today()
    st.title(t("admin_invitations.title"))
    show_flash()
    community = pick_community(viewer)
    assert community.id is not None
    _offer_downloads(community.name)

    personal, open_link = st.columns(2, gap="large")
    with personal, st.form("personal_links"):
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
        if st.form_submit_button(t("admin_invitations.make"), type="primary"):
            try:
                with write_session(ctx.engine) as session:
                    links = istore.create_personal_links(
                        session=session, community_id=community.id, count=int(count), label=label
                    )
                    audit.record(
                        session=session,
                        actor=viewer.email,
                        action="links.personal",
                        target=community.name,
                        count=len(links),
                    )
            except Invalid as problems:
                show_problems(problems)
            else:
                st.session_state[NEW_LINKS] = {
                    "community": community.name,
                    "period": "",
                    "label": label.strip(),
                    "urls": [istore.link_url(ctx.settings.public_url, x.token) for x in links],
                }
                st.rerun()

    with read_session(ctx.engine) as session:
        rounds = round_store.community_rounds(session=session, community_id=community.id)
    usable = [r for r in rounds if round_store.state(r, today) != round_store.RoundState.closed]
    with open_link:
        st.subheader(t("admin_invitations.open"))
        st.caption(t("admin_invitations.open_help"))
        if not usable:
            st.info(t("admin_invitations.no_round"))
        else:
            by_id = {r.id: r for r in usable}
            with st.form("open_link"):
                pick = st.selectbox(
                    t("admin_rounds.period"),
                    list(by_id),
                    format_func=lambda r: period_label(by_id[r].period),
                )
                if st.form_submit_button(t("admin_invitations.make_open"), type="primary"):
                    rnd = by_id[pick]
                    assert rnd.id is not None
                    with write_session(ctx.engine) as session:
                        link = istore.create_open_link(session=session, round_id=rnd.id)
                        audit.record(
                            session=session,
                            actor=viewer.email,
                            action="links.open",
                            target=f"{community.name} {rnd.period}",
                        )
                    st.session_state[NEW_LINKS] = {
                        "community": community.name,
                        "period": period_label(rnd.period),
                        "label": "",
                        "urls": [istore.link_url(ctx.settings.public_url, link.token)],
                    }
                    st.rerun()

    st.subheader(t("admin_invitations.existing"))
    with read_session(ctx.engine) as session:
        frame = istore.invitations_frame(session=session, community_id=community.id)
    if frame.empty:
        st.info(t("admin_invitations.none"))
        return
    active = frame[~frame["revoked"]]
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
    with st.form("revoke"):
        chosen = st.multiselect(
            t("admin_invitations.revoke_pick"),
            active["invitation_id"].tolist(),
            format_func=lambda i: f"#{i}",
        )
        if st.form_submit_button(t("admin_invitations.revoke"), icon=":material/link_off:"):
            with write_session(ctx.engine) as session:
                for invitation_id in chosen:
                    istore.revoke(session=session, invitation_id=int(invitation_id))
                audit.record(
                    session=session,
                    actor=viewer.email,
                    action="links.revoke",
                    target=community.name,
                    count=len(chosen),
                )
            flash(t("admin_invitations.revoked_done", count=len(chosen)))
            st.rerun()
