"""Before the app serves anyone: the checks that stop a server process from starting, and what
`lc-health serve` tells the person starting it.

Demo mode is on only with `lc-health serve --demo` or LC_HEALTH_DEMO=true. Outside it the
production checks run and the demo's leftovers stop the start: the demo accounts' passwords are
published, so a database that still holds them must not serve real participants."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine

from lc_health.runtime.bootstrap import StartupError, load_settings
from lc_health.runtime.config import Settings
from lc_health.runtime.logs import configure_from_settings
from lc_health.runtime.production import production_problems
from lc_health.store import db

REMOVE_COMMAND = "lc-health demo remove"


def demo_problem(engine: Engine) -> str | None:
    """Why this database may not be served outside demo mode, or None."""
    from lc_health.services.demo import demo_left

    with db.read_session(engine) as session:
        left = demo_left(session)
    if not left.any:
        return None
    parts = []
    if left.accounts:
        parts.append(f"the demo accounts {', '.join(left.accounts)}, whose passwords are published")
    if left.communities:
        parts.append(f"{left.communities} fictional demo communities")
    what = ", and ".join(parts) or "demo data"
    return (
        f"The database holds {what}. Outside demo mode lc-health does not start with them. "
        f"Remove them with: {REMOVE_COMMAND} (or start the demo with: lc-health serve --demo)"
    )


def start_problems(settings: Settings) -> list[str]:
    """Why a server process must not start with these settings and this database: [] in demo
    mode; otherwise the production checks and the demo's leftovers. The database is migrated
    first, as the app does when it starts."""
    if settings.demo:
        return []
    problems = production_problems(settings)
    if problems:
        return problems
    engine = db.make_engine(settings.database_url)
    try:
        db.check_connection(engine)
        db.upgrade(engine)
        problem = demo_problem(engine)
    finally:
        engine.dispose()
    return [problem] if problem else []


def check_server_start() -> None:
    """For the app's server process (app.py), before it serves: set up lc_health's logging and
    stop with the reasons on stderr (no traceback) when the start is not safe."""
    configure_from_settings()
    try:
        problems = start_problems(load_settings())
    except (StartupError, db.DatabaseError) as exc:
        problems = [str(exc)]
    if problems:
        sys.stderr.write("lc-health cannot start:\n" + "\n".join(problems) + "\n")
        sys.stderr.flush()
        raise SystemExit(1)


def start_mail_sender() -> None:
    """For the app's server process (app.py): start the background e-mail sender, once per
    process, outside demo mode and only with SMTP settings (lc_health.runtime.mail)."""
    from lc_health.runtime.mail import start_background_sender

    try:
        start_background_sender(load_settings())
    except StartupError as exc:  # the pages show the settings problem
        sys.stderr.write(f"lc-health: e-mail not started: {exc}\n")


def streamlit_environment(settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment `lc-health serve` starts Streamlit with."""
    env = dict(environ)
    if settings.demo:
        env["LC_HEALTH_DEMO"] = "true"
    else:
        # Visitors see a generic message, never an error's text or traceback (an explicit
        # other value is kept, and then refused by the production check of the first page).
        env.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "none")
    if settings.cookie_secret is not None:
        # Through the environment, not a flag: `ps` shows flags to everyone on the machine.
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = settings.cookie_secret.get_secret_value()
    return env


def summary(settings: Settings, *, address: str, port: int, root: Path) -> list[str]:
    """What `lc-health serve` says before it starts: the mode, the database, the data folder
    (relative SQLite paths are taken from root, the folder the app runs in), the address and,
    in demo mode, where to try the survey."""
    from lc_health.services.demo import DEMO_PARTICIPANT_TOKEN

    url = f"http://{'localhost' if address in ('', '0.0.0.0', '::') else address}:{port}"
    database = db.sqlite_file(settings.database_url)
    folder = "none (the database is not a file)"
    if database is not None:
        folder = str((root / database).resolve().parent)
    lines = [
        "mode: demo (fictional data; the demo accounts' passwords are published)"
        if settings.demo
        else "mode: production",
        f"database: {db.redacted_url(settings.database_url)}",
        f"data folder: {folder}",
        f"address: {url}",
    ]
    if settings.demo:
        lines.append(f"try the survey as a participant: {url}/?t={DEMO_PARTICIPANT_TOKEN}")
    return lines
