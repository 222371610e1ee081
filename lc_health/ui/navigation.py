"""Which pages exist for whom. Only the pages declared for a session can be reached, and every
page checks access again itself (see guard.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from lc_health.access import Viewer
from lc_health.models import Role
from lc_health.ui.context import app, language_switch, t
from lc_health.ui.session import current_viewer, sign_out
from lc_health.ui.widgets import md_escape

UI_DIR = Path(__file__).resolve().parent
SURVEY_TOKEN_PARAM = "t"
ALL = frozenset(Role)
LEADS = frozenset({Role.lead, Role.admin})


@dataclass(frozen=True)
class PageSpec:
    module: str
    title_key: str
    icon: str
    section: str
    roles: frozenset[Role]


ADMIN = frozenset({Role.admin})
POLICY = frozenset({Role.policy, Role.admin})

OVERVIEW, COMMUNITY, PORTFOLIO, ADMINISTRATION, HELP = (
    "nav.section_overview", "nav.section_community", "nav.section_portfolio",
    "nav.section_admin", "nav.section_help",
)  # fmt: skip

# In menu order: (module, title key, icon, section key, roles). A page appears for the roles
# listed; sections group the menu.
_MENU: tuple[tuple[str, str, str, str, frozenset[Role]], ...] = (
    ("communities", "nav.communities", ":material/groups:", OVERVIEW, ALL),
    ("lead_review", "nav.lead_review", ":material/insights:", COMMUNITY, LEADS),
    ("lead_conversation", "nav.lead_conversation", ":material/forum:", COMMUNITY, LEADS),
    ("lead_paper", "nav.lead_paper", ":material/print:", COMMUNITY, LEADS),
    ("portfolio", "nav.portfolio", ":material/dashboard:", PORTFOLIO, POLICY),
    ("portfolio_community", "nav.portfolio_community", ":material/zoom_in:", PORTFOLIO, POLICY),
    ("admin_communities", "nav.admin_communities", ":material/hub:", ADMINISTRATION, ADMIN),
    ("admin_organisations", "nav.admin_organisations", ":material/domain:", ADMINISTRATION, ADMIN),
    ("admin_rounds", "nav.admin_rounds", ":material/event:", ADMINISTRATION, ADMIN),
    ("admin_invitations", "nav.admin_invitations", ":material/link:", ADMINISTRATION, ADMIN),
    ("admin_accounts", "nav.admin_accounts", ":material/manage_accounts:", ADMINISTRATION, ADMIN),
    ("admin_import", "nav.admin_import", ":material/upload_file:", ADMINISTRATION, ADMIN),
    ("admin_audit", "nav.admin_audit", ":material/history:", ADMINISTRATION, ADMIN),
    ("account", "nav.account", ":material/person:", HELP, ALL),
    ("admin_privacy", "nav.admin_privacy", ":material/shield_person:", ADMINISTRATION, ADMIN),
    ("about", "nav.about", ":material/info:", HELP, ALL),
    ("privacy", "nav.privacy", ":material/shield:", HELP, ALL),
)  # fmt: skip
PAGES: tuple[PageSpec, ...] = tuple(PageSpec(*entry) for entry in _MENU)


def _page(module: str, title_key: str, icon: str, *, default: bool = False) -> StreamlitPage:
    return st.Page(
        UI_DIR / f"{module}.py", title=t(title_key), icon=icon, url_path=module, default=default
    )


def pages_for(role: Role | None) -> list[str]:
    """The page modules a role can reach (anonymous visitors: sign-in and About)."""
    if role is None:
        return ["signin", "about", "privacy"]
    return [spec.module for spec in PAGES if role in spec.roles]


def _account_box(viewer: Viewer) -> None:
    with st.sidebar.container(border=True):
        st.markdown(f"**{md_escape(viewer.name or viewer.email)}**")
        st.caption(f"{t('role.' + viewer.role.value)} · {md_escape(viewer.email)}")
        if st.button(t("nav.sign_out"), icon=":material/logout:", key="_sign_out"):
            sign_out()


def build_navigation() -> StreamlitPage:
    """The navigation for this session; returns the page to run."""
    app()  # fail early, with a readable message, when the app cannot start
    if st.query_params.get(SURVEY_TOKEN_PARAM):
        # A participant's link: the survey and nothing else, no menu (the page shows the
        # language switch itself, at the top, where a phone user sees it).
        return st.navigation(
            [_page("survey", "nav.survey", ":material/edit_note:", default=True)],
            position="hidden",
        )
    viewer = current_viewer()
    language_switch()
    if viewer is None:
        return st.navigation(
            [
                _page("signin", "nav.signin", ":material/login:", default=True),
                _page("about", "nav.about", ":material/info:"),
                _page("privacy", "nav.privacy", ":material/shield:"),
            ]
        )
    _account_box(viewer)
    sections: dict[str, list[StreamlitPage]] = {}
    first = True
    for spec in PAGES:
        if viewer.role in spec.roles:
            page = _page(spec.module, spec.title_key, spec.icon, default=first)
            sections.setdefault(t(spec.section), []).append(page)
            first = False
    return st.navigation(sections)
