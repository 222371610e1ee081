"""Everything the app needs before its first page: settings, instruments, a migrated database and,
in demo mode, demo data. Failures become one StartupError that says what to do."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from lc_health.domain.instrument import InstrumentError, Registry, load_registry
from lc_health.runtime.config import Settings
from lc_health.runtime.production import production_problems
from lc_health.services.auth import purge_expired_sessions
from lc_health.services.publication import publish_due
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import meta as meta_store

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The app cannot start; the message is shown to whoever opens it."""


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    registry: Registry
    engine: Engine
    # Where dashboard and portfolio reads may go: a streaming replica, or `engine` itself.
    read_engine: Engine


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = [
            f"LC_HEALTH_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        ]
        raise StartupError("Invalid setting:\n" + "\n".join(lines)) from None


def open_app(
    settings: Settings | None = None, streamlit_options: Mapping[str, object] | None = None
) -> AppContext:
    """Check the settings, load the instruments, migrate the database, seed demo data if asked.

    Outside demo mode, settings that are unsafe for real participants (no cookie secret, an
    http public address, Streamlit showing error details) stop the app with the reasons.
    """
    settings = settings or load_settings()
    problems = production_problems(settings, streamlit_options)
    if problems:
        raise StartupError("Not safe to run outside demo mode:\n" + "\n".join(problems))
    try:
        registry = load_registry(settings.surveys_dir)
    except InstrumentError as exc:
        raise StartupError(
            "The survey instrument cannot be loaded. Fix these problems (or run "
            "`lc-health instrument check FILE`):\n" + str(exc)
        ) from None
    try:
        engine = db.make_engine(settings.database_url)
        db.check_connection(engine)
        db.upgrade(engine)
    except db.DatabaseError as exc:
        raise StartupError(str(exc)) from None
    read_engine = engine
    if settings.read_database_url:
        try:
            read_engine = db.make_engine(settings.read_database_url)
            db.check_connection(read_engine)  # a replica is never migrated: it follows
        except db.DatabaseError as exc:
            engine.dispose()
            raise StartupError(f"LC_HEALTH_READ_DATABASE_URL: {exc}") from None
    try:
        # Expired sign-in sessions are of no use to anyone: they go at every start.
        with db.write_session(engine) as session:
            purged = purge_expired_sessions(session=session)
        if purged:
            log.info("Removed %d expired sign-in sessions", purged)
    except OperationalError as exc:
        raise StartupError(db.explain_operational_error(engine, exc=exc)) from None
    if settings.demo and settings.seed_demo_on_empty:
        try:
            seed_demo_if_empty(engine, registry)
        except OperationalError as exc:
            raise StartupError(db.explain_operational_error(engine, exc=exc)) from None
    try:
        # Rounds that closed by their date while the app was down are published before any
        # page reads them (pages also look again; see ui.context.publish_due).
        publish_due(engine=engine, registry=registry, settings=settings)
    except OperationalError as exc:
        raise StartupError(db.explain_operational_error(engine, exc=exc)) from None
    return AppContext(settings=settings, registry=registry, engine=engine, read_engine=read_engine)


_contexts: dict[str, AppContext] = {}
_contexts_lock = threading.Lock()


def shared_app(streamlit_options: Mapping[str, object] | None = None) -> AppContext:
    """The process's one application context for the current settings: one engine, and the
    migrations run once, whoever asks first (a page, or the sign-in routes in web.py).

    The production check runs on every call, so Streamlit options given by a page are checked
    even when the HTTP routes opened the context first.
    """
    settings = load_settings()
    problems = production_problems(settings, streamlit_options)
    if problems:
        raise StartupError("Not safe to run outside demo mode:\n" + "\n".join(problems))
    key = settings.model_dump_json()
    with _contexts_lock:
        context = _contexts.get(key)
        if context is None:
            context = _contexts[key] = open_app(settings, streamlit_options)
    return context


def forget_apps() -> None:
    """Close every shared context (tests that change settings between runs)."""
    with _contexts_lock:
        for context in _contexts.values():
            context.engine.dispose()
            context.read_engine.dispose()
        _contexts.clear()


def seed_demo_if_empty(engine: Engine, registry: Registry) -> bool:
    """Load the demo portfolio when the database has no community yet; True if it did."""
    from lc_health.services.demo import load_demo  # imported here: only demo mode needs it

    with db.write_session(engine) as session:
        if cstore.any_community(session=session):
            return False
        newest = registry.latest()
        older = [i for i in registry.all() if i.id == newest.id and i.version < newest.version]
        earlier = max(older, key=lambda i: i.version) if older else None
        count = load_demo(session=session, instrument=newest, earlier=earlier)
    log.info("Loaded demo data: %d responses", count)
    return True


def holds_demo_data(engine: Engine) -> bool:
    from lc_health.services.demo import META_KEY

    with db.read_session(engine) as session:
        return meta_store.has_key(session, key=META_KEY)
