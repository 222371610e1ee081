"""Which pages exist for whom. Only the pages declared for a session can be reached, and every
page checks access again itself (see guard.py)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from lc_health.domain.mail import OPTOUT_PARAM
from lc_health.store.access import Viewer
from lc_health.store.models import Role
from lc_health.ui.context import app, language_switch, t
from lc_health.ui.session import current_viewer, sign_out
from lc_health.ui.widgets import base_style, md_escape

SURVEY_TOKEN_PARAM = "t"
ALL = frozenset(Role)
LEADS = frozenset({Role.lead, Role.admin})


@dataclass(frozen=True)
class PageSpec:
    url_path: str
    module: str
    icon: str
    section: str
    roles: frozenset[Role]

    @property
    def title_key(self) -> str:
        return f"nav.{self.url_path}"


ADMIN = frozenset({Role.admin})
POLICY = frozenset({Role.policy, Role.admin})

OVERVIEW, COMMUNITY, PORTFOLIO, ADMINISTRATION, HELP = (
    "nav.section_overview",
    "nav.section_community",
    "nav.section_portfolio",
    "nav.section_admin",
    "nav.section_help",
)

# In menu order: (URL path, module under lc_health.ui, icon, section key, roles); the title is
# the message `nav.<URL path>`. A page appears for the roles listed; sections group the menu.
# URL paths never change (links and bookmarks rest on them); the module holds the page's `render`.
_MENU: tuple[tuple[str, str, str, str, frozenset[Role]], ...] = (
    ("communities", "review.communities", ":material/groups:", OVERVIEW, ALL),
    ("lead_review", "review.round", ":material/insights:", COMMUNITY, LEADS),
    ("lead_conversation", "review.conversation", ":material/forum:", COMMUNITY, LEADS),
    ("lead_live", "live.host", ":material/co_present:", COMMUNITY, LEADS),
    ("lead_paper", "review.paper", ":material/print:", COMMUNITY, LEADS),
    ("lead_mail", "review.mail", ":material/mail:", COMMUNITY, LEADS),
    ("portfolio", "portfolio.overview", ":material/dashboard:", PORTFOLIO, POLICY),
    ("portfolio_community", "portfolio.community", ":material/zoom_in:", PORTFOLIO, POLICY),
    ("admin_communities", "admin.communities", ":material/hub:", ADMINISTRATION, ADMIN),
    ("admin_organisations", "admin.organisations", ":material/domain:", ADMINISTRATION, ADMIN),
    ("admin_rounds", "admin.rounds", ":material/event:", ADMINISTRATION, ADMIN),
    ("admin_invitations", "admin.invitations", ":material/link:", ADMINISTRATION, ADMIN),
    ("admin_accounts", "admin.accounts", ":material/manage_accounts:", ADMINISTRATION, ADMIN),
    ("admin_import", "admin.imports", ":material/upload_file:", ADMINISTRATION, ADMIN),
    ("admin_audit", "admin.audit", ":material/history:", ADMINISTRATION, ADMIN),
    ("account", "account.profile", ":material/person:", HELP, ALL),
    ("admin_privacy", "admin.privacy", ":material/shield_person:", ADMINISTRATION, ADMIN),
    ("about", "account.about", ":material/info:", HELP, ALL),
    ("privacy", "account.privacy", ":material/shield:", HELP, ALL),
)
PAGES: tuple[PageSpec, ...] = tuple(PageSpec(*entry) for entry in _MENU)
# Pages outside the menu: the participant's survey (reached by link), the sign-in page and the
# opt-out page of an e-mail (reached by link, no account).
SURVEY = PageSpec("survey", "survey.form", ":material/edit_note:", "", frozenset())
SIGNIN = PageSpec("signin", "account.signin", ":material/login:", "", frozenset())
MAIL_OPTOUT = PageSpec(
    "mail_optout", "account.mail_optout", ":material/unsubscribe:", "", frozenset()
)
# A phone in a live session: reached with ?join=CODE (the projector's QR), no account.
LIVE_JOIN = PageSpec("live_join", "live.phone", ":material/smartphone:", "", frozenset())
LIVE_JOIN_PARAM = "join"
BY_URL: dict[str, PageSpec] = {
    spec.url_path: spec for spec in (*PAGES, SURVEY, SIGNIN, MAIL_OPTOUT, LIVE_JOIN)
}


def page_module(url_path: str) -> str:
    """The full module name of the page served at url_path."""
    return f"lc_health.ui.{BY_URL[url_path].module}"


def _runner(module: str) -> Callable[[], None]:
    """The page's `render`, imported when the page runs (not when the menu is built)."""

    def run() -> None:
        importlib.import_module(module).render()

    run.__name__ = module.rpartition(".")[2]
    return run


def page(url_path: str, *, default: bool = False) -> StreamlitPage:
    """The page served at url_path, e.g. for `st.switch_page`."""
    spec = BY_URL[url_path]
    return st.Page(
        _runner(page_module(url_path)),
        title=t(spec.title_key),
        icon=spec.icon,
        url_path=spec.url_path,
        default=default,
    )


def pages_for(role: Role | None) -> list[str]:
    """The page modules a role can reach (anonymous visitors: sign-in and About)."""
    if role is None:
        return ["signin", "about", "privacy"]
    return [spec.url_path for spec in PAGES if role in spec.roles]


def _account_box(viewer: Viewer) -> None:
    with st.sidebar.container(border=True):
        # The address in full text colour: Streamlit links it, and a link in a (faded) caption
        # is too pale to read.
        st.markdown(f"**{md_escape(viewer.name or viewer.email)}**  \n{md_escape(viewer.email)}")
        st.caption(t("role." + viewer.role.value))
        if st.button(t("nav.sign_out"), icon=":material/logout:", key="_sign_out"):
            sign_out()


def build_navigation() -> StreamlitPage:
    """The navigation for this session; returns the page to run."""
    # Fail early, with a readable message, when the app cannot start.
    base_style()
    if app().settings.demo:
        st.warning(t("common.demo_mode"), icon=":material/science:")
    if st.query_params.get(SURVEY_TOKEN_PARAM):
        # A participant's link: the survey and nothing else, no menu (the page shows the
        # language switch itself, at the top, where a phone user sees it).
        return st.navigation(
            [page("survey", default=True)],
            position="hidden",
        )
    if LIVE_JOIN_PARAM in st.query_params:
        # A phone joining a live session: that page and nothing else, no menu.
        return st.navigation([page("live_join", default=True)], position="hidden")
    if st.query_params.get(OPTOUT_PARAM):
        # An e-mail's opt-out link: that page and nothing else, whoever is signed in.
        return st.navigation([page("mail_optout", default=True)], position="hidden")
    viewer = current_viewer()
    language_switch()
    if viewer is None:
        return st.navigation(
            [
                page("signin", default=True),
                page("about"),
                page("privacy"),
            ]
        )
    _account_box(viewer)
    sections: dict[str, list[StreamlitPage]] = {}
    first = True
    for spec in PAGES:
        if viewer.role in spec.roles:
            sections.setdefault(t(spec.section), []).append(page(spec.url_path, default=first))
            first = False
    chosen = st.navigation([p for pages in sections.values() for p in pages], position="hidden")
    _menu(sections)
    return chosen


def _menu(sections: dict[str, list[StreamlitPage]]) -> None:
    """The sectioned menu as page links under a caption per section. Streamlit's own sectioned
    menu puts its list items in <div>s inside the <ul>, which screen readers cannot read as a
    list (axe: list, listitem); page links are plain links."""
    with st.sidebar.container(key="menu"):
        for section, pages in sections.items():
            st.caption(section)
            for entry in pages:
                st.page_link(entry)
