"""One rule for where data and `.env` live (lc_health.runtime.config.home), whatever folder a
command runs in: real `lc-health` processes on real SQLite files."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from lc_health.runtime.config import Settings, home
from lc_health.store import db

CHECKOUT = Path(__file__).resolve().parents[2]


def _lc_health(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _folders(tmp_path: Path, *names: str) -> list[Path]:
    made = [tmp_path / name for name in names]
    for folder in made:
        folder.mkdir()
    return made


def _community_names(url: str) -> list[str]:
    from sqlmodel import select

    from lc_health.store.models import Community

    engine = db.make_engine(url)
    try:
        with db.read_session(engine) as session:
            return sorted(c.name for c in session.exec(select(Community)).all())
    finally:
        engine.dispose()


def test_commands_in_two_folders_use_the_same_database(tmp_path: Path) -> None:
    data, first, second = _folders(tmp_path, "home", "first", "second")
    env = dict(os.environ, LC_HEALTH_HOME=str(data))
    for cwd, name in ((first, "Kas Westland"), (second, "Bodem Noord")):
        done = _lc_health(["community", "create", "--name", name], cwd, env)
        assert done.returncode == 0, done.stderr
    assert _community_names(f"sqlite:///{data / 'lc-health.db'}") == ["Bodem Noord", "Kas Westland"]
    assert list(first.iterdir()) == [] and list(second.iterdir()) == []


def test_env_file_is_read_from_the_home_folder_not_the_working_folder(tmp_path: Path) -> None:
    data, work = _folders(tmp_path, "home", "work")
    chosen, ignored = tmp_path / "chosen.db", tmp_path / "ignored.db"
    (data / ".env").write_text(f"LC_HEALTH_DATABASE_URL=sqlite:///{chosen}\n", encoding="utf-8")
    (work / ".env").write_text(f"LC_HEALTH_DATABASE_URL=sqlite:///{ignored}\n", encoding="utf-8")
    env = dict(os.environ, LC_HEALTH_HOME=str(data))
    done = _lc_health(["community", "create", "--name", "Kas Westland"], work, env)
    assert done.returncode == 0, done.stderr
    assert _community_names(f"sqlite:///{chosen}") == ["Kas Westland"]
    assert not ignored.exists()
    assert not (data / "lc-health.db").exists()


def test_db_current_creates_nothing(tmp_path: Path) -> None:
    scratch = _folders(tmp_path, "scratch")[0]
    data = tmp_path / "home-not-made-yet"
    done = _lc_health(["db", "current"], scratch, dict(os.environ, LC_HEALTH_HOME=str(data)))
    assert done.returncode == 1
    assert f"no database at {data / 'lc-health.db'}" in done.stdout
    assert list(scratch.iterdir()) == []
    assert not data.exists()


def test_db_current_by_default_creates_nothing_in_the_working_folder(tmp_path: Path) -> None:
    """Without LC_HEALTH_HOME a checkout keeps its data in its own data/ folder."""
    scratch = _folders(tmp_path, "scratch")[0]
    env = {k: v for k, v in os.environ.items() if k != "LC_HEALTH_HOME"}
    done = _lc_health(["db", "current"], scratch, env)
    assert done.returncode in (0, 1) and "current: " in done.stdout, done.stderr
    default = CHECKOUT / "data" / "lc-health.db"
    if not default.exists():  # a developer's checkout may hold one already
        assert f"no database at {default}" in done.stdout
    assert list(scratch.iterdir()) == []


def test_the_rule_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_HOME", str(tmp_path / "x" / ".." / "home"))
    assert home() == tmp_path / "home"
    assert Settings().database_url == f"sqlite:///{tmp_path / 'home' / 'lc-health.db'}"
    monkeypatch.delenv("LC_HEALTH_HOME")
    assert home() == CHECKOUT / "data"


def test_every_package_is_in_the_wheel() -> None:
    """pyproject.toml lists the packages by hand (lc_health.app is mapped to the top level)."""
    pyproject = tomllib.loads((CHECKOUT / "pyproject.toml").read_text("utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(CHECKOUT).parts)
        for p in (CHECKOUT / "lc_health").rglob("__init__.py")
    }
    assert listed == found | {"lc_health.app"}
