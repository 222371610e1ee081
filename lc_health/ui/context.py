"""What every page shares: the cached app context, the language, and `t()` for texts."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lc_health.domain.i18n import LANGUAGE_NAMES, LANGUAGES, normalise_language, translate
from lc_health.runtime.bootstrap import AppContext, StartupError, holds_demo_data, shared_app
from lc_health.runtime.production import STREAMLIT_OPTIONS
from lc_health.runtime.web import BROWSER_COOKIE
from lc_health.services import publication
from lc_health.store import db

LANG_KEY = "lang"
# After a browser wrote anything, its dashboard and portfolio reads stay on the primary this
# long: far longer than a streaming replica's lag on a healthy network (milliseconds), so what a
# person just changed is what they see (docs/deployment.md, Read replica). Kept per browser (its
# browser-id cookie, else its Streamlit session) in this replica's memory: the proxy keeps a
# browser on one replica, and a reload or a new tab of the same browser still counts.
READ_OWN_WRITES_SECONDS = 30.0
_recent_writers: dict[str, float] = {}
_writers_lock = threading.Lock()


def _browser_key() -> str | None:
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None
    try:
        browser = st.context.cookies.get(BROWSER_COOKIE)
    except (AttributeError, RuntimeError):
        browser = None
    return f"b:{browser}" if isinstance(browser, str) and browser else f"s:{ctx.session_id}"


def _note_write() -> None:
    """On every commit through the primary: remember when, for the browser whose page commits
    (survey submissions commit in the writer thread: no browser, nothing noted)."""
    key = _browser_key()
    if key is None:
        return
    now = time.monotonic()
    with _writers_lock:
        if len(_recent_writers) > 10_000:  # forget the ones whose window has passed
            for old in [
                k for k, at in _recent_writers.items() if now - at > READ_OWN_WRITES_SECONDS
            ]:
                del _recent_writers[old]
        _recent_writers[key] = now


def wrote_recently() -> bool:
    """Whether this browser committed a write in the last READ_OWN_WRITES_SECONDS."""
    key = _browser_key()
    with _writers_lock:
        at = _recent_writers.get(key) if key is not None else None
    return at is not None and time.monotonic() - at < READ_OWN_WRITES_SECONDS


@st.cache_resource(show_spinner=False)
def _app_context() -> AppContext:
    options = {name: st.get_option(name) for name in STREAMLIT_OPTIONS}
    context = shared_app(streamlit_options=options)
    if context.read_engine is not context.engine:
        db.on_commit(context.engine, callback=_note_write)
    return context


def app() -> AppContext:
    """The app context; on a startup problem, show it plainly and stop the page."""
    try:
        return _app_context()
    except StartupError as exc:
        lang = language()
        st.error(translate(lang, "startup.failed"), icon="⚠️")
        st.code(str(exc), language=None, wrap_lines=True)
        st.caption(translate(lang, "startup.hint"))
        st.stop()


def read_url() -> str:
    """The database this browser session's dashboard and portfolio reads go to, as their cache
    key: the read replica (LC_HEALTH_READ_DATABASE_URL) unless the session wrote in the last
    READ_OWN_WRITES_SECONDS; then, and without a replica, the primary."""
    settings = app().settings
    if not settings.read_database_url:
        return settings.database_url
    return settings.database_url if wrote_recently() else settings.read_database_url


def read_engine(url: str) -> Engine:
    """The engine for a URL read_url() gave (inside a cached function, the key decides)."""
    ctx = app()
    return ctx.read_engine if url == ctx.settings.read_database_url else ctx.engine


@st.cache_data(show_spinner=False, ttl=60)
def _publish_due(database_url: str, community_ids: tuple[int, ...] | None, day: str) -> int:  # noqa: ARG001
    ctx = app()
    done = publication.publish_due(
        engine=ctx.engine, registry=ctx.registry, settings=ctx.settings, community_ids=community_ids
    )
    return len(done)


def publish_due(community_ids: tuple[int, ...] | None = None) -> None:
    """Publish rounds that closed by their date since the app started (at most once a minute per
    set of communities and day): pages read published figures only."""
    _publish_due(app().settings.database_url, community_ids, date.today().isoformat())


@st.cache_data(show_spinner=False, ttl=60)
def _is_demo(database_url: str) -> bool:  # noqa: ARG001  (the key of the cache)
    return holds_demo_data(app().engine)


def demo_data_shown() -> bool:
    ctx = app()
    return _is_demo(ctx.settings.database_url)


def language() -> str:
    """The page language: the URL's `lang`, else this session's choice, else the browser's."""
    from_url = st.query_params.get(LANG_KEY)
    if from_url in LANGUAGES:
        st.session_state[LANG_KEY] = from_url
    if LANG_KEY not in st.session_state:
        default = "nl"
        try:
            default = _app_context().settings.default_language
        except StartupError:
            pass
        st.session_state[LANG_KEY] = normalise_language(st.context.locale, default)
    lang: str = st.session_state[LANG_KEY]
    if st.query_params.get(LANG_KEY) != lang:
        st.query_params[LANG_KEY] = lang
    return lang


def t(key: str, /, **values: Any) -> str:
    """The text for key in the page language."""
    return translate(language(), key, **values)


def _switch_language() -> None:
    chosen = st.session_state.get("_lang_switch")
    if chosen in LANGUAGES:
        st.session_state[LANG_KEY] = chosen
        st.query_params[LANG_KEY] = chosen


def language_switch(where: Any = None) -> None:
    """The always-visible Nederlands / English switch."""
    target = where or st.sidebar
    lang = language()
    st.session_state["_lang_switch"] = lang
    target.segmented_control(
        translate(lang, "common.language"),
        options=list(LANGUAGES),
        format_func=lambda code: LANGUAGE_NAMES[code],
        key="_lang_switch",
        on_change=_switch_language,
        label_visibility="collapsed",
    )


def _set_language(code: str) -> None:
    st.session_state[LANG_KEY] = code
    st.query_params[LANG_KEY] = code


def form_language_switch(where: Any) -> None:
    """The language switch inside a form: a submit button to the other language. Answers chosen
    in a form reach the app only with one of its submit buttons, so a switch outside the form
    would lose them; this one brings them along and the step is shown again in the other
    language."""
    other = next(code for code in LANGUAGES if code != language())
    where.form_submit_button(
        LANGUAGE_NAMES[other],
        icon=":material/translate:",
        type="tertiary",
        on_click=_set_language,
        args=(other,),
    )
