"""Shared fixtures: real databases (a temporary SQLite file; PostgreSQL where marked), the
shipped instrument, and factories with keyword overrides."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from lc_health.domain.instrument import Instrument, Registry, load_registry
from lc_health.store import db
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
PG_URL_VAR = "LC_HEALTH_TEST_POSTGRES_URL"
# CI sets this so that a missing PostgreSQL server fails the run instead of skipping tests.
PG_REQUIRED_VAR = "LC_HEALTH_TEST_REQUIRE_POSTGRES"


# What a production deployment sets; tests run outside demo mode unless they say otherwise.
TEST_COOKIE_SECRET = "test-cookie-secret-that-is-long-enough-0123456789"


@pytest.fixture(autouse=True)
def _clean_settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's own LC_HEALTH_* environment or .env file."""
    for name in list(os.environ):
        if name.startswith("LC_HEALTH_") and not name.startswith("LC_HEALTH_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LC_HEALTH_COOKIE_SECRET", TEST_COOKIE_SECRET)
    monkeypatch.setenv("LC_HEALTH_HOME", str(tmp_path))  # not the checkout's data/
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session", autouse=True)
def _check_every_chart() -> None:
    """Every chart a test draws is checked against the Vega-Lite schema (pages skip that)."""
    from lc_health.ui import widgets

    widgets.CHECK_CHARTS = True


@pytest.fixture(scope="session", autouse=True)
def _production_streamlit_options() -> None:
    """AppTest runs in a temporary folder without .streamlit/config.toml: give Streamlit the
    options a production deployment has, so the app's own production check passes."""
    from streamlit import config

    config.set_option("server.cookieSecret", TEST_COOKIE_SECRET)
    config.set_option("client.showErrorDetails", "none")


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(ROOT / "surveys")


@pytest.fixture(scope="session")
def instrument(registry: Registry) -> Instrument:
    return registry.latest()


def _postgres_url() -> str:
    url = os.environ.get(PG_URL_VAR)
    if not url:
        if os.environ.get(PG_REQUIRED_VAR):
            pytest.fail(f"{PG_URL_VAR} is not set but {PG_REQUIRED_VAR} is")
        pytest.skip(f"PostgreSQL tests need {PG_URL_VAR} (CI sets it)")
    return url


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh schema in the test PostgreSQL database, dropped afterwards."""
    url = _postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    try:
        db.upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "sqlite_engine" if request.param == "sqlite" else "postgres_engine"
    result: Engine = request.getfixturevalue(fixture)
    return result


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches() -> None:
    """AppTest runs in this process: each test starts without another test's cached engine."""
    import streamlit as st

    from lc_health.runtime.bootstrap import forget_apps

    st.cache_resource.clear()
    st.cache_data.clear()
    forget_apps()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Path:
    """A migrated SQLite database with the demo data, built once per test session."""
    from lc_health.runtime.bootstrap import seed_demo_if_empty

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    seed_demo_if_empty(engine, registry)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> str:
    """A private copy of the demo database; returns its URL."""
    import shutil

    target = tmp_path / "demo.db"
    shutil.copyfile(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free local port, running in this process."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
