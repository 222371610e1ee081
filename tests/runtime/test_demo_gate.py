"""Demo never leaks into real use: outside demo mode neither `lc-health serve` nor the app's
server process starts while the demo's accounts or communities are in the database, and
`lc-health demo remove` takes them out (audited), leaving real data alone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from lc_health.domain.instrument import Registry
from lc_health.runtime.bootstrap import seed_demo_if_empty
from lc_health.runtime.config import Settings
from lc_health.runtime.server import REMOVE_COMMAND, start_problems, summary
from lc_health.services import accounts
from lc_health.services import communities as csvc
from lc_health.services.demo import DEMO_EMAILS, DEMO_PARTICIPANT_TOKEN, demo_left, remove_demo
from lc_health.store import db
from lc_health.store.models import (
    AuditEvent,
    Community,
    Invitation,
    MailRecipient,
    Organisation,
    OutboxMessage,
    Response,
    Role,
    Round,
    User,
)
from tests.conftest import ROOT, TEST_COOKIE_SECRET

# Tables that keep rows after the demo is removed: the audit log and the schema's revision.
KEPT_TABLES = frozenset({"auditevent", "alembic_version"})
SAFE = {"cookie_secret": TEST_COOKIE_SECRET, "public_url": "https://lc.example.org"}


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def _row_counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table'")
            ).scalars()
            return {
                name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
                for name in list(names)
                if not name.startswith("sqlite_")
            }
    finally:
        engine.dispose()


def _cli(args: list[str], url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, LC_HEALTH_DATABASE_URL=url, **env),
        timeout=180,
        check=False,
    )


def test_demo_remove_leaves_nothing_of_the_demo(demo_db: str) -> None:
    before = _row_counts(demo_db)
    assert before["community"] == 8 and before["response"] > 0 and before["user"] == 3
    assert before["mailrecipient"] > 0 and before["outboxmessage"] > 0  # the demo's e-mail
    done = _cli(["demo", "remove"], demo_db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("removed: communities 8, accounts 3, portfolios 1")
    left = {name: n for name, n in _row_counts(demo_db).items() if n and name not in KEPT_TABLES}
    assert left == {}
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == "demo.remove")
        ).all()
    engine.dispose()
    assert events == [("lc-health demo remove", '{"accounts": 3, "communities": 8}')]
    again = _cli(["demo", "remove"], demo_db)
    assert again.returncode == 0 and "communities 0, accounts 0" in again.stdout


def test_real_data_stays(demo_db: str) -> None:
    engine = db.make_engine(demo_db)
    password = "een-echt-en-lang-wachtwoord-9"
    with db.write_session(engine) as session:
        real = csvc.create_community(session=session, name="Echte community", actor="test")
        accounts.create_account(
            session=session,
            email="lead@example.org",
            role=Role.lead,
            actor="test",
            password=password,
            confirm=password,
            community_ids=[real.id or 0],
        )
    with db.write_session(engine) as session:
        assert demo_left(session).any
        remove_demo(session, actor="test")
    with db.read_session(engine) as session:
        assert not demo_left(session).any
        assert session.execute(select(Community.name)).scalars().all() == ["Echte community"]
        assert session.execute(select(User.email)).scalars().all() == ["lead@example.org"]
        assert session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() >= 3
    engine.dispose()


def test_demo_remove_on_both_databases(engine: Engine, registry: Registry) -> None:
    assert seed_demo_if_empty(engine, registry)
    models = (Community, User, Response, Organisation, Invitation, Round)
    mail = (MailRecipient, OutboxMessage)  # the demo's addresses and outbox
    with db.read_session(engine) as session:
        for model in models + mail:
            assert session.execute(select(func.count()).select_from(model)).scalar_one() > 0
    with db.write_session(engine) as session:
        removed = remove_demo(session, actor="test")
    assert removed == {"communities": 8, "accounts": 3, "portfolios": 1, "organisations": 26}
    with db.read_session(engine) as session:
        assert not demo_left(session).any
        for model in models + mail:
            assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0


def test_outside_demo_mode_the_demo_stops_the_start(demo_db: str) -> None:
    problems = start_problems(Settings(database_url=demo_db, **SAFE))
    assert len(problems) == 1
    assert all(email in problems[0] for email in DEMO_EMAILS)
    assert "passwords are published" in problems[0] and REMOVE_COMMAND in problems[0]
    assert start_problems(Settings(database_url=demo_db, demo=True, **SAFE)) == []
    engine = db.make_engine(demo_db)
    with db.write_session(engine) as session:
        remove_demo(session, actor="test")
    engine.dispose()
    assert start_problems(Settings(database_url=demo_db, **SAFE)) == []


@pytest.mark.parametrize("demo", [None, "false", "0"])
def test_production_checks_run_whenever_demo_mode_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: str | None
) -> None:
    monkeypatch.delenv("LC_HEALTH_COOKIE_SECRET")
    if demo is not None:
        monkeypatch.setenv("LC_HEALTH_DEMO", demo)
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    problems = start_problems(Settings())
    assert problems and "LC_HEALTH_COOKIE_SECRET is not set" in problems[0]
    assert not (tmp_path / "x.db").exists()  # refused before the database is touched


def test_serve_refuses_a_database_with_the_demo(demo_db: str) -> None:
    done = _cli(["serve", "--port", "1"], demo_db)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert REMOVE_COMMAND in done.stderr and "beheer@demo.lc-health.nl" in done.stderr
    assert done.stdout == ""  # nothing started, nothing announced


def test_app_process_refuses_a_database_with_the_demo(demo_db: str) -> None:
    """`streamlit run app.py` directly (as a deployment may): the same gate, before serving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_HEALTH_")}
    env |= {"LC_HEALTH_DATABASE_URL": demo_db, "LC_HEALTH_COOKIE_SECRET": TEST_COOKIE_SECRET}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    done = subprocess.run(
        [*command, "--server.port", _free_port()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "lc-health cannot start" in done.stderr and REMOVE_COMMAND in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_serve_says_mode_database_and_where_to_try(tmp_path: Path) -> None:
    url = "postgresql+psycopg://lc:topsecret@db.example.org/lc"
    production = summary(Settings(database_url=url, **SAFE), address="0.0.0.0", port=80, root=ROOT)
    assert production == [
        "mode: production",
        "database: postgresql+psycopg://lc:***@db.example.org/lc",
        "data folder: none (the database is not a file)",
        "address: http://localhost:80",
    ]
    demo = summary(
        Settings(database_url="sqlite:///data/x.db", demo=True),
        address="localhost",
        port=8501,
        root=tmp_path,
    )
    assert demo[0].startswith("mode: demo") and demo[2] == f"data folder: {tmp_path / 'data'}"
    assert (
        demo[4]
        == f"try the survey as a participant: http://localhost:8501/?t={DEMO_PARTICIPANT_TOKEN}"
    )


def test_serve_prints_the_summary_before_starting(tmp_path: Path) -> None:
    """`lc-health serve --demo`: the summary on stdout, then Streamlit starts (and is stopped)."""
    database = tmp_path / "serve.db"
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=f"sqlite:///{database}")
    with subprocess.Popen(
        [sys.executable, "-m", "lc_health.runtime.cli", "serve", "--demo", "--port", _free_port()],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            lines = [proc.stdout.readline().strip() for _ in range(5)]
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
    assert lines[0].startswith("lc-health: mode: demo")
    assert lines[1] == f"lc-health: database: sqlite:///{database}"
    assert lines[4].endswith(f"/?t={DEMO_PARTICIPANT_TOKEN}")
