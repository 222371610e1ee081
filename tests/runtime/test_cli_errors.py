"""No traceback reaches a user of the command line: every command, given bad input, ends with a
short message on stderr and a non-zero exit code. Every option and command has help, and
`--version` names the installed version."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest

from lc_health.runtime.cli import build_parser

PASSWORD = "zeer-geheim-wachtwoord-7\nzeer-geheim-wachtwoord-7\n"
CORRUPT = "corrupt.db"
# (command line, database: "empty" | "corrupt" | a URL, stdin, extra environment)
BAD_INPUT: list[tuple[list[str], str, str, dict[str, str]]] = [
    (["--no-such-option"], "empty", "", {}),
    (["no-such-command"], "empty", "", {}),
    (["serve", "--port", "70000"], "empty", "", {}),
    (["serve"], "empty", "", {"LC_HEALTH_COOKIE_SECRET": ""}),
    (["serve"], "corrupt", "", {}),
    (["db", "upgrade"], "corrupt", "", {}),
    (["db", "current"], "foo://nowhere", "", {}),
    (["demo"], "corrupt", "", {}),
    (["demo", "remove"], "corrupt", "", {}),
    (
        ["user", "create", "--role", "lead", "--email", "a@example.org", "--community", "999"],
        "empty",
        PASSWORD,
        {},
    ),
    (["user", "create", "--role", "admin", "--email", "not-an-address"], "empty", PASSWORD, {}),
    (["user", "create", "--role", "king", "--email", "a@example.org"], "empty", PASSWORD, {}),
    (["user", "password", "--email", "nobody@example.org"], "empty", PASSWORD, {}),
    (["community", "create", "--name", ""], "empty", "", {}),
    (["round", "open", "--community", "999", "--period", "2026-Q3"], "empty", "", {}),
    (["round", "open", "--community", "1", "--period", "2026-Q9"], "empty", "", {}),
    (["round", "open", "--community", "x", "--period", "2026-Q3"], "empty", "", {}),
    (["round", "close", "--round", "999"], "empty", "", {}),
    (["import", "missing.csv", "--round", "1"], "empty", "", {}),
    (["import", CORRUPT, "--round", "999"], "empty", "", {}),
    (["export", "--round", "999", "--as", "lead"], "empty", "", {}),
    (["export", "--round", "1"], "empty", "", {}),
    (["export", "--round", "1", "--as", "lead", "--export", "nope"], "empty", "", {}),
    (["instrument", "check", "missing.toml"], "empty", "", {}),
    (["instrument", "check", CORRUPT], "empty", "", {}),
    (["backup", "/etc/passwd/backup.db"], "empty", "", {}),
    (["backup", "backup.db"], "corrupt", "", {}),
    (["restore", "missing.db"], "empty", "", {}),
    (["restore", CORRUPT], "empty", "", {}),
    (["restore", "good.db", "--force"], "corrupt", "", {}),
    (["purge"], "corrupt", "", {}),
    (["purge"], "empty", "", {"LC_HEALTH_ANONYMITY_THRESHOLD": "1"}),
    (["purge"], "empty", "", {"LC_HEALTH_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/x"}),
    (["bench", "--database-url", "foo://nowhere"], "empty", "", {}),
    (["schedule", "tick", "--today", "2027-02-30"], "empty", "", {}),
    (["schedule", "tick"], "corrupt", "", {}),
    (["mail", "send"], "empty", "", {}),  # no SMTP server set
    (
        ["mail", "send"],
        "corrupt",
        "",
        {"LC_HEALTH_SMTP_HOST": "127.0.0.1", "LC_HEALTH_MAIL_FROM": "a@example.org"},
    ),
]


def _run(
    args: list[str], folder: Path, database: str, stdin: str, extra: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    (folder / CORRUPT).write_bytes(b"this is not a database\n" * 100)
    (folder / "good.db").write_bytes(b"")  # restore onto a corrupt database: never read
    url = {
        "empty": f"sqlite:///{folder / 'empty.db'}",
        "corrupt": f"sqlite:///{folder / CORRUPT}",
    }.get(database, database)
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=url) | extra
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize(("args", "database", "stdin", "extra"), BAD_INPUT, ids=str)
def test_bad_input_gives_one_short_message(
    tmp_path: Path, args: list[str], database: str, stdin: str, extra: dict[str, str]
) -> None:
    done = _run(args, tmp_path, database, stdin, extra)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert lines and all(
        line.startswith(("lc-health", "LC_HEALTH", "The ")) or ":" in line for line in lines
    ), done.stderr
    # One message: one line, or for serve's and settings' checks a heading and one per problem.
    assert len(lines) <= 3 and len(done.stderr) < 800, done.stderr
    assert "pw@" not in done.stderr  # a database password is never repeated


def test_every_command_is_tried_with_bad_input() -> None:
    commands = list(_commands(build_parser(), []))
    untried = [c for c in commands if not any(args[: len(c)] == c for args, *_ in BAD_INPUT)]
    assert len(commands) > 15 and untried == []


def _commands(parser: argparse.ArgumentParser, path: list[str]) -> Iterator[list[str]]:
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands or parser.get_default("handler") is not None:
        yield path
    for action in subcommands:
        for name, sub in action.choices.items():
            yield from _commands(sub, [*path, name])


def _without_help(parser: argparse.ArgumentParser, path: str) -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if not helps.get(name):
                    yield f"{path} {name}"
                yield from _without_help(sub, f"{path} {name}")
        elif not action.help or action.help == argparse.SUPPRESS:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}"


def test_every_option_and_command_has_help() -> None:
    assert list(_without_help(build_parser(), "lc-health")) == []


def test_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"lc-health {metadata.version('lc-health')}"
