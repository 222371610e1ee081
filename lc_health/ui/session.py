"""Who is signed in: a sign-in session in the store (the browser's cookie, or this tab's own when
the cookie route is not mounted), or single sign-on (st.login) matched to an account by email.

The session is looked up in the store on every run, so signing out in another tab, a password
change or `lc-health user password` (which end the account's sessions) end this tab at its
next interaction."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import streamlit as st

from lc_health.runtime import web
from lc_health.services import auth
from lc_health.services.signin_limits import Client, Limits
from lc_health.store.access import Viewer, load_viewer
from lc_health.store.db import read_session, write_session
from lc_health.ui import sso
from lc_health.ui.context import app, t
from lc_health.ui.sso import configured as sso_configured

USER_KEY = "user_id"
TOKEN_KEY = "_session_token"  # this tab's own session, when there is no cookie route
VIEWER_KEY = "_viewer"


def _cookie(name: str) -> str:
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else ""


def client() -> Client:
    """This browser as the sign-in limits see it (services.signin_limits)."""
    return Client(address=st.context.ip_address or "", browser=_cookie(web.BROWSER_COOKIE))


def limits() -> Limits:
    """The sign-in limits the settings ask for."""
    settings = app().settings
    return Limits(
        threshold=settings.max_failed_signins, cap=timedelta(minutes=settings.lockout_minutes)
    )


def _from_token(token: str) -> int | None:
    with read_session(app().engine) as session:
        user = auth.user_for_token(session=session, token=token)
        return user.id if user else None


def _signed_in_user() -> int | None:
    token = st.session_state.get(TOKEN_KEY) or _cookie(web.SESSION_COOKIE)
    if token:
        user_id = _from_token(str(token))
        if user_id is not None:
            return user_id
        # Ended elsewhere (sign-out in another tab, new password) or expired.
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(USER_KEY, None)
    user_id = sso.user_id()
    if user_id is None and not web.ROUTES_MOUNTED:
        # Without the cookie route (`streamlit run dashboard.py`, tests) a user id set directly
        # in this session's state stands for a sign-in made in this process.
        stored = st.session_state.get(USER_KEY)
        return int(stored) if stored is not None else None
    return user_id


def current_viewer() -> Viewer | None:
    """The signed-in viewer, rechecked against the database on every run: the session must
    still exist (not ended or expired), the account be active; a changed role counts at once."""
    user_id = _signed_in_user()
    if user_id is None:
        st.session_state.pop(USER_KEY, None)
        return None
    st.session_state[USER_KEY] = user_id
    with read_session(app().engine) as session:
        viewer = load_viewer(session=session, user_id=int(user_id))
    if viewer is None:
        st.session_state.pop(USER_KEY, None)
    return viewer


def sign_in(user_id: int, next_path: str = "/") -> None:
    """Open a sign-in session. With the cookie route the browser is sent to it with a hand-over
    code bound to its browser id (a full page load, so the cookie is set); without it this tab
    keeps the session token itself."""
    ctx = app()
    if not web.ROUTES_MOUNTED:
        with write_session(ctx.engine) as session:
            token = auth.open_session(
                session=session, user_id=user_id, hours=ctx.settings.session_hours
            )
        st.session_state[TOKEN_KEY] = token
        st.session_state[USER_KEY] = user_id
        return
    browser = _cookie(web.BROWSER_COOKIE)
    if not browser:
        st.error(t("signin.no_cookie"), icon=":material/cookie:")
        st.stop()
    with write_session(ctx.engine) as session:
        code = auth.start_session(
            session=session, user_id=user_id, hours=ctx.settings.session_hours, browser=browser
        )
    target = "/auth/session?" + urlencode({"code": code, "next": web.safe_next(next_path)})
    _navigate(target)


def sign_out() -> None:
    """End this tab's session (the cookie route ends the browser's), then show sign-in."""
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(USER_KEY, None)
    if token:
        with write_session(app().engine) as session:
            auth.end_session(session=session, token=str(token))
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
