"""Every page checks, itself, who may see it and which community it shows."""

from __future__ import annotations

import streamlit as st

from lc_health.domain.errors import Invalid
from lc_health.store import communities as cstore
from lc_health.store.access import Viewer
from lc_health.store.db import read_session
from lc_health.store.models import Community, Role
from lc_health.ui.context import app, t
from lc_health.ui.session import current_viewer

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


def visible_communities(viewer: Viewer, *, include_archived: bool = False) -> list[Community]:
    with read_session(app().engine) as session:
        frame = cstore.communities_frame(
            session=session,
            community_ids=viewer.community_ids,
            include_archived=include_archived,
        )
        return cstore.get_communities(session=session, community_ids=frame["community_id"])


def pick_community(viewer: Viewer, *, label_key: str = "guard.community") -> Community:
    """A community selector limited to what the viewer may see, kept in the URL and across
    pages (the last choice is the default where the URL names none).

    A community id in the URL that the viewer may not see (or that does not exist) gets the
    same neutral message, so editing the URL reveals nothing.
    """
    options = visible_communities(viewer)
    if not options:
        st.info(t("guard.no_communities"))
        st.stop()
    by_id = {c.id: c for c in options}
    wanted = st.query_params.get(COMMUNITY_PARAM)
    kept = st.session_state.get(KEPT_COMMUNITY)
    index = list(by_id).index(int(kept)) if wanted is None and kept and int(kept) in by_id else 0
    if wanted is not None:
        try:
            wanted_id = int(wanted)
        except ValueError:
            wanted_id = -1
        if wanted_id in by_id:
            index = list(by_id).index(wanted_id)
        else:
            st.warning(t("guard.community_unavailable"), icon=":material/visibility_off:")
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
