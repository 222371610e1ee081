"""Every page checks, itself, who may see it and which community it shows."""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from lc_health.domain.errors import Invalid
from lc_health.store import communities as cstore
from lc_health.store import community_search as search
from lc_health.store.access import Viewer
from lc_health.store.db import read_session
from lc_health.store.models import Community, Role
from lc_health.ui.context import app, t
from lc_health.ui.session import current_viewer
from lc_health.ui.widgets import md_escape

COMMUNITY_PARAM = "community"
# The community last chosen on any page, for the next page reached without one in its URL (a
# menu link carries no query parameters).
KEPT_COMMUNITY = "_kept_community"


def require(*roles: Role) -> Viewer:
    """The signed-in viewer if their role may see this page; otherwise say so and stop."""
    viewer = current_viewer()
    if viewer is None:
        st.warning(t("guard.sign_in_first"), icon=":material/lock:")
        st.stop()
    if roles and viewer.role not in roles:
        st.error(t("guard.not_allowed"), icon=":material/block:")
        st.stop()
    return viewer


# Up to PICK_ALL communities the choice lists them all; with more (an administrator of ten
# thousand) a search box narrows the list to the first PICK_SHOWN matches by name, and the
# current choice stays in it: the page never reads or sends every community.
PICK_ALL = search.LIST_ALL
PICK_SHOWN = search.LIST_SHOWN


def _visible(session: Session, viewer: Viewer, community_id: int | None) -> Community | None:
    """The community if the viewer may see it (it exists, is not archived and is theirs)."""
    if community_id is None:
        return None
    if viewer.community_ids is not None and community_id not in viewer.community_ids:
        return None
    found = cstore.get_community(session=session, community_id=community_id)
    return found if found is not None and found.archived_at is None else None


def _wanted() -> tuple[int | None, bool]:
    """The community asked for: in the URL, else the one last chosen; and whether the URL
    named one (an unknown one then gets the neutral message)."""
    wanted = st.query_params.get(COMMUNITY_PARAM)
    if wanted is None:
        kept = st.session_state.get(KEPT_COMMUNITY)
        return (int(kept) if kept and str(kept).isdecimal() else None), False
    return (int(wanted) if wanted.isdecimal() else -1), True


def _search(total: int) -> str:
    """The search box, only when there are more communities than one list should hold."""
    if total <= PICK_ALL:
        return ""
    text = st.text_input(
        t("guard.community_search"), key="_community_search", help=t("guard.community_search_help")
    )
    return text.strip()[:100]


def _options(viewer: Viewer, text: str, total: int) -> tuple[list[Community], Community | None]:
    """The communities to choose from (matching `text`) and the one asked for, if visible."""
    wanted_id, from_url = _wanted()
    limit = PICK_ALL if total <= PICK_ALL else PICK_SHOWN
    with read_session(app().engine) as session:
        wanted = _visible(session, viewer, wanted_id)
        found = search.find_communities(
            session=session, community_ids=viewer.community_ids, text=text, limit=limit
        )
        if found.empty and text:
            st.caption(t("guard.community_no_match", text=md_escape(text)))
        elif text and len(found) == limit:
            matched = search.count_communities(
                session=session, community_ids=viewer.community_ids, text=text
            )
            st.caption(t("guard.community_more", shown=limit, total=matched))
        elif total > PICK_ALL and not text:
            st.caption(t("guard.community_more", shown=limit, total=total))
        options = cstore.get_communities(session=session, community_ids=found["community_id"])
    if from_url and wanted is None:
        st.warning(t("guard.community_unavailable"), icon=":material/visibility_off:")
    return options, wanted


def pick_community(viewer: Viewer, *, label_key: str = "guard.community") -> Community:
    """A community selector limited to what the viewer may see, kept in the URL and across
    pages (the last choice is the default where the URL names none). With many communities a
    search narrows the choice (see PICK_ALL).

    A community id in the URL that the viewer may not see (or that does not exist) gets the
    same neutral message, so editing the URL reveals nothing.
    """
    with read_session(app().engine) as session:
        total = search.count_communities(session=session, community_ids=viewer.community_ids)
    if not total:
        st.info(t("guard.no_communities"))
        st.stop()
    options, wanted = _options(viewer, _search(total), total)
    if wanted is not None and all(c.id != wanted.id for c in options):
        options.insert(0, wanted)
    if not options:  # nothing matches the search and nothing was chosen yet
        options, wanted = _options(viewer, "", total)
    by_id = {c.id: c for c in options}
    index = list(by_id).index(wanted.id) if wanted is not None else 0
    chosen = st.selectbox(
        t(label_key),
        options=list(by_id),
        index=index,
        format_func=lambda cid: by_id[cid].name,
        key="_community_pick",
    )
    st.query_params[COMMUNITY_PARAM] = st.session_state[KEPT_COMMUNITY] = str(chosen)
    return by_id[chosen]


def show_problems(invalid: Invalid) -> None:
    """List what is wrong, in the page language; the form keeps what was typed."""
    lines = [
        f"- {p.params['community']}: {t(p.code, **p.params)}"
        if "community" in p.params
        else f"- {t(p.code, **p.params)}"
        for p in invalid.problems
    ]
    st.error(t("form.not_saved") + "\n" + "\n".join(lines), icon=":material/error:")
