"""The lc-health command: accounts from a prompt or stdin (never an argument), demo, instrument."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from lc_health.store import db
from lc_health.store.models import AuditEvent, User


def _run(args: list[str], db_path: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=f"sqlite:///{db_path}")
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_first_admin_from_stdin(tmp_path: Path) -> None:
    path = tmp_path / "cli.db"
    secret = "zeer-geheim-wachtwoord-7"
    done = _run(
        ["user", "create", "--role", "admin", "--email", "Root@Example.org"],
        path,
        f"{secret}\n{secret}\n",
    )
    assert done.returncode == 0, done.stderr
    assert "created admin account root@example.org" in done.stdout
    assert secret not in done.stdout + done.stderr
    engine = db.make_engine(f"sqlite:///{path}")
    with db.read_session(engine) as session:
        user = session.execute(select(User)).scalar_one()
        events = session.execute(select(AuditEvent.action)).scalars().all()
    assert user.email == "root@example.org" and user.role == "admin"
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert events == ["account.create"]
    assert secret.encode() not in path.read_bytes()


def test_mismatched_or_weak_password_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cli.db"
    mismatch = _run(
        ["user", "create", "--role", "admin", "--email", "a@example.org"],
        path,
        "zeer-geheim-wachtwoord-7\nzeer-geheim-wachtwoord-8\n",
    )
    assert mismatch.returncode == 1
    assert "The two passwords are not the same" in mismatch.stderr
    weak = _run(
        ["user", "create", "--role", "admin", "--email", "a@example.org"],
        path,
        "Welkom2026!\nWelkom2026!\n",  # long enough, but a common word and a year
    )
    assert weak.returncode == 1 and "too easy to guess" in weak.stderr
    missing = _run(["user", "create", "--role", "admin", "--email", "a@example.org"], path, "")
    assert missing.returncode == 1 and "two lines of stdin" in missing.stderr
    engine = db.make_engine(f"sqlite:///{path}")
    with db.read_session(engine) as session:
        assert session.execute(select(User)).first() is None


def test_password_is_not_accepted_as_an_argument(tmp_path: Path) -> None:
    done = _run(
        [
            "user",
            "create",
            "--role",
            "admin",
            "--email",
            "a@example.org",
            "--password",
            "zeer-geheim-wachtwoord-7",
        ],
        tmp_path / "x.db",
    )
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


def test_password_reset_from_stdin(tmp_path: Path) -> None:
    path = tmp_path / "cli.db"
    first = "zeer-geheim-wachtwoord-7"
    _run(
        ["user", "create", "--role", "policy", "--email", "p@example.org"],
        path,
        f"{first}\n{first}\n",
    )
    done = _run(
        ["user", "password", "--email", "p@example.org"],
        path,
        "nieuw-en-lang-genoeg-1\nnieuw-en-lang-genoeg-1\n",
    )
    assert done.returncode == 0, done.stderr
    unknown = _run(
        ["user", "password", "--email", "x@example.org"],
        path,
        "nieuw-en-lang-genoeg-1\nnieuw-en-lang-genoeg-1\n",
    )
    assert unknown.returncode == 1 and "no account" in unknown.stderr


def test_demo_command_loads_once(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    first = _run(["demo"], path)
    assert first.returncode == 0, first.stderr
    again = _run(["demo"], path)
    assert again.returncode == 1 and "already holds communities" in again.stderr
