"""Who is signed in: this session's user, a sign-in cookie from an earlier visit, or single
sign-on (st.login, see ui.sso) matched to an account by a verified email."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

from lc_health.runtime import web
from lc_health.services import auth
from lc_health.store.access import Viewer, load_viewer
from lc_health.store.db import read_session, write_session
from lc_health.ui import sso
from lc_health.ui.context import app
from lc_health.ui.sso import configured as sso_configured

USER_KEY = "user_id"
VIEWER_KEY = "_viewer"


def _from_cookie() -> int | None:
    token = st.context.cookies.get(web.SESSION_COOKIE)
    if not isinstance(token, str) or not token:
        return None
    with read_session(app().engine) as session:
        user = auth.user_for_token(session=session, token=token)
        return user.id if user else None


def current_viewer() -> Viewer | None:
    """The signed-in viewer, rechecked against the database on every run (a deactivated
    account or a changed role takes effect at once)."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        user_id = _from_cookie() or sso.user_id()
        if user_id is None:
            return None
        st.session_state[USER_KEY] = user_id
    with read_session(app().engine) as session:
        viewer = load_viewer(session=session, user_id=int(user_id))
    if viewer is None:
        st.session_state.pop(USER_KEY, None)
    return viewer


def sign_in(user_id: int, next_path: str = "/") -> None:
    """Sign this session in, then let the browser pick up a cookie so a reload keeps it."""
    st.session_state[USER_KEY] = user_id
    if not web.ROUTES_MOUNTED:
        return  # started as `streamlit run dashboard.py`: the sign-in lasts this session
    ctx = app()
    with write_session(ctx.engine) as session:
        code = auth.start_session(
            session=session, user_id=user_id, hours=ctx.settings.session_hours
        )
    target = "/auth/session?" + urlencode({"code": code, "next": web.safe_next(next_path)})
    _navigate(target)


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)
    if sso_configured() and st.user.get("is_logged_in", False):
        st.logout()
    if web.ROUTES_MOUNTED:
        _navigate("/auth/signout")
    else:
        st.rerun()


def _navigate(target: str) -> None:
    """Send the browser to one of our own routes (a full page load, so cookies are set)."""
    script = f"<script>window.location.replace({json.dumps(target)});</script>"
    st.html(script, unsafe_allow_javascript=True)
    st.stop()
