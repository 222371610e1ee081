"""Single sign-on through Streamlit's st.login. The provider's claims count only as
domain.sso.decide says (an address the provider verified), and then only for the active account
with that address; otherwise nobody is signed in and the sign-in page says why."""

from __future__ import annotations

import streamlit as st

from lc_health.domain import sso
from lc_health.services import auth, signin
from lc_health.store.db import read_session, write_session
from lc_health.ui.context import app, t
from lc_health.ui.widgets import md_escape

AUDITED_KEY = "_sso_audited"


def _audit_once(email: str | None, refusal: str | None) -> None:
    """The audit log keeps this tab's single sign-on once, not at every run."""
    if st.session_state.get(AUDITED_KEY):
        return
    with write_session(app().engine) as session:
        signin.record_sso(session=session, email=email, refusal=refusal)
    st.session_state[AUDITED_KEY] = True


def configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def _provider_signed_in() -> bool:
    return configured() and bool(st.user.get("is_logged_in", False))


def _outcome() -> tuple[int | None, str | None]:
    """(the account's id, None) when accepted; (None, why not, as a text) when refused; (None,
    None) when nobody is signed in at the provider."""
    if not _provider_signed_in():
        return None, None
    claims = st.user.to_dict()
    decision = sso.decide(claims)
    if decision.email is None:
        raw = claims.get("email")
        _audit_once(raw if isinstance(raw, str) else None, str(decision.refusal))
        return None, t(f"sso.refused.{decision.refusal}")
    with read_session(app().engine) as session:
        user = auth.find_user(session=session, email=decision.email)
        user_id = user.id if user is not None and user.active else None
    if user_id is None:
        _audit_once(decision.email, "no_account")
        return None, t("sso.no_account", email=md_escape(decision.email))
    _audit_once(decision.email, None)
    return user_id, None


def user_id() -> int | None:
    """The account the provider signed in, when it may be signed in; otherwise None."""
    return _outcome()[0]


def section() -> None:
    """The sign-in page's single sign-on part: the button, or why the provider's sign-in was not
    accepted, with a way to sign out there and use another account."""
    if not configured():
        return
    st.divider()
    refusal = _outcome()[1]
    if refusal is not None:
        st.error(refusal, icon=":material/block:")
        if st.button(t("sso.other_account"), icon=":material/logout:"):
            st.logout()
        return
    if st.button(t("signin.sso"), icon=":material/key:"):
        st.login()
