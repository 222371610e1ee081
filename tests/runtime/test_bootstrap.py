"""What starting the app guarantees: one application context per process (the pages and the
sign-in routes share one engine, and the migrations run once, whoever asks first), and a tidy
database (expired sign-in sessions are removed)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import select

from lc_health.domain.enums import Role
from lc_health.runtime import bootstrap, web
from lc_health.runtime.bootstrap import StartupError, forget_apps, open_app, shared_app
from lc_health.runtime.config import Settings
from lc_health.runtime.production import STREAMLIT_OPTIONS
from lc_health.store import db
from lc_health.store.models import SignInSession, User, utcnow


def _options(**changes: object) -> dict[str, object]:
    """Streamlit's options as a page passes them (tests set the production ones)."""
    return {name: st.get_option(name) for name in STREAMLIT_OPTIONS} | changes


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    return url


def test_pages_and_routes_share_one_context(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    upgrades: list[str] = []
    real_upgrade = db.upgrade

    def counting_upgrade(engine: object, *args: object, **kwargs: object) -> None:
        upgrades.append(str(engine))
        real_upgrade(engine, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "upgrade", counting_upgrade)
    first = shared_app()
    from_routes = web._app()
    again = shared_app(streamlit_options=_options())
    assert first is from_routes is again
    assert len(upgrades) == 1
    assert first.settings.database_url == database


def test_changed_settings_get_their_own_context(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = shared_app()
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    second = shared_app()
    assert second is not first
    assert second.engine is not first.engine
    assert first.settings.database_url == database


def test_forgetting_starts_afresh(database: str) -> None:  # noqa: ARG001
    context = shared_app()
    forget_apps()
    assert bootstrap._contexts == {}
    assert shared_app() is not context


def test_unsafe_options_are_refused_even_when_the_context_exists(database: str) -> None:  # noqa: ARG001
    shared_app()
    with pytest.raises(StartupError, match="Not safe"):
        shared_app(streamlit_options=_options(**{"client.showErrorDetails": "full"}))


SECRET = "k3Jx9-vQ2mW8_pL5rT1yZ6uB4nC7eA0dFgHs"
SAFE = {
    "server.cookieSecret": SECRET,
    "server.enableXsrfProtection": True,
    "client.showErrorDetails": "none",
}


def test_expired_sign_in_sessions_are_removed_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    now = utcnow()
    with db.write_session(engine) as session:
        user = User(email="lead@example.org", role=Role.lead.value)
        session.add(user)
        session.flush()
        assert user.id is not None
        for token, expires in (
            ("old", now - timedelta(hours=1)),
            ("live", now + timedelta(hours=8)),
        ):
            session.add(
                SignInSession(
                    user_id=user.id,
                    token_hash=token,
                    created_at=now - timedelta(hours=9),
                    expires_at=expires,
                )
            )
    engine.dispose()
    settings = Settings(database_url=url, public_url="https://lc.example.org", cookie_secret=SECRET)
    context = open_app(settings, SAFE)
    try:
        with db.read_session(context.engine) as session:
            left = session.exec(select(SignInSession.token_hash)).all()
    finally:
        context.engine.dispose()
    assert left == ["live"]


def test_a_read_replica_that_cannot_be_reached_stops_the_start(database: str) -> None:
    unreachable = "postgresql+psycopg://lchealth:secret@127.0.0.1:1/lchealth"
    settings = Settings(
        database_url=database,
        read_database_url=unreachable,
        public_url="https://lc.example.org",
        cookie_secret=SECRET,
    )
    with pytest.raises(StartupError, match="LC_HEALTH_READ_DATABASE_URL: Cannot reach") as exc:
        open_app(settings, SAFE)
    assert "secret" not in str(exc.value)  # the password is never shown


def test_without_a_read_replica_reads_use_the_primary(database: str) -> None:
    settings = Settings(
        database_url=database, public_url="https://lc.example.org", cookie_secret=SECRET
    )
    context = open_app(settings, SAFE)
    context.engine.dispose()
    assert context.read_engine is context.engine
