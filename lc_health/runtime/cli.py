"""The `lc-health` command: serve, database migrations, demo data, instrument checks and more."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import NoReturn, TypeVar, cast

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from lc_health.domain.disclosure import Audience, Policy
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.i18n import LANGUAGES, translate
from lc_health.domain.import_format import HEADER_ROW
from lc_health.domain.instrument import InstrumentError, load_instrument, load_registry
from lc_health.runtime.bootstrap import StartupError, load_settings, seed_demo_if_empty
from lc_health.runtime.config import HOME_VARIABLE, home
from lc_health.runtime.logs import configure_from_settings
from lc_health.services import accounts, importing
from lc_health.services import communities as csvc
from lc_health.services import imports as import_svc
from lc_health.services import rounds as rsvc
from lc_health.store import db
from lc_health.store.models import Role, Round

# app.py with .streamlit/config.toml beside it: shipped in the package (lc_health/app, see
# pyproject.toml), or at the top of a checkout. Streamlit reads the config next to the script it
# runs, so the theme and settings apply whatever folder `serve` starts in.
_PACKAGE = Path(__file__).resolve().parents[1]
APP_FOLDERS = (_PACKAGE / "app", _PACKAGE.parent)
Handler = Callable[[argparse.Namespace], int]
T = TypeVar("T")
log = logging.getLogger("lc_health.runtime.cli")  # also when run as __main__
# The longest error line a user sees; the whole error is in the log at DEBUG.
MAX_MESSAGE_CHARS = 240


class CliError(Exception):
    """A command that cannot do its work; the message is printed, the exit code is 1."""


def _fail(message: str) -> int:
    print(f"lc-health: {message}", file=sys.stderr)
    return 1


def cmd_instrument_check(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.files:
        try:
            ins = load_instrument(path)
        except InstrumentError as exc:
            failures += 1
            for problem in exc.problems:
                print(f"{exc.path}: {problem}", file=sys.stderr)
            continue
        print(
            f"{path}: ok ({ins.id} v{ins.version}: {len(ins.factors)} factors, "
            f"{len(ins.items)} items, {len(ins.forces)} facilitating/hindering factors)"
        )
    return 1 if failures else 0


def _engine() -> Engine:
    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.check_connection(engine)
    return engine


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    engine = _engine()
    before = db.current_revision(engine)
    db.upgrade(engine)
    after = db.current_revision(engine)
    print(f"database at revision {after}" + ("" if before == after else f" (was {before})"))
    return 0


def cmd_db_current(_args: argparse.Namespace) -> int:
    missing = db.missing_sqlite_file(load_settings().database_url)
    if missing is not None:  # reading creates nothing: no file, no folder
        print(f"current: none (no database at {missing}), newest: {db.head_revision()}")
        return 1
    engine = _engine()
    current = db.current_revision(engine)
    head = db.head_revision()
    print(f"current: {current}, newest: {head}")
    return 0 if current == head else 1


def cmd_demo(_args: argparse.Namespace) -> int:
    settings = load_settings()
    registry = load_registry(settings.surveys_dir)
    engine = _engine()
    db.upgrade(engine)
    if not seed_demo_if_empty(engine, registry):
        return _fail("the database already holds communities; demo data goes into an empty one")
    print(f"demo data loaded into {engine.url.render_as_string(hide_password=True)}")
    return 0


def _read_password() -> tuple[str, str]:
    """From a prompt on a terminal; otherwise two lines of standard input (password, then the
    same again). Never from an argument, so it cannot end up in shell history or `ps`."""
    if sys.stdin.isatty():
        return getpass.getpass("Password: "), getpass.getpass("Repeat password: ")
    lines = sys.stdin.read().splitlines()
    if len(lines) < 2:
        raise CliError("expected the password and its confirmation on two lines of stdin")
    return lines[0], lines[1]


def _problem_text(problem: Problem, options: Mapping[str, str]) -> str:
    text = translate("en", problem.code, **problem.params)
    option = options.get(problem.field)
    return f"{option}: {text}" if option else text


def _problems_text(exc: Invalid, options: Mapping[str, str] | None = None) -> str:
    """The problems in English on one line; `options` names the option a field came from."""
    return " ".join(_problem_text(p, options or {}) for p in exc.problems)


@contextmanager
def _migrated_engine() -> Iterator[Engine]:
    """The configured database, migrated, for one command; closed afterwards."""
    engine = _engine()
    try:
        db.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def _written(
    engine: Engine,
    write: Callable[[Session], T],
    *,
    failure: str,
    options: Mapping[str, str] | None = None,
) -> T:
    """Run one service call in a write transaction (the same call a page makes, so it is audited
    the same way); on Invalid nothing is written and the command fails with `failure: <the
    problems>`."""
    try:
        with db.write_session(engine) as session:
            return write(session)
    except Invalid as exc:
        raise CliError(f"{failure}: {_problems_text(exc, options)}") from None


def cmd_community_create(args: argparse.Namespace) -> int:
    with _migrated_engine() as engine:
        row = _written(
            engine,
            lambda session: csvc.create_community(
                session=session,
                name=args.name,
                sector=args.sector,
                region=args.region,
                actor="lc-health community create",
            ),
            failure="community not created",
            options={"name": "--name", "sector": "--sector", "region": "--region"},
        )
        print(row.id)
    return 0


def cmd_round_open(args: argparse.Namespace) -> int:
    instrument = load_registry(load_settings().surveys_dir).latest()
    with _migrated_engine() as engine:
        rnd = _written(
            engine,
            lambda session: rsvc.open_round(
                session=session,
                community_id=args.community,
                period=args.period,
                instrument=instrument,
                actor="lc-health round open",
            ),
            failure="round not opened",
        )
        print(rnd.id)
    return 0


def cmd_round_close(args: argparse.Namespace) -> int:
    settings = load_settings()
    registry = load_registry(settings.surveys_dir)
    with _migrated_engine() as engine:
        _written(
            engine,
            lambda session: rsvc.close_round(
                session=session,
                round_id=args.round,
                actor="lc-health round close",
                registry=registry,
                policy=Policy.from_settings(settings),
            ),
            failure="round not closed",
        )
    return 0


def _cell_line(problem: importing.CellProblem) -> str:
    where = f"row {problem.row}, " + (
        f"column {problem.column!r}" if problem.column else "whole row"
    )
    return f"{where}: {translate('en', problem.code, **problem.params)}"


def _unknown_columns(
    columns: Sequence[str], mapping: Mapping[str, str | None]
) -> list[importing.CellProblem]:
    """Columns no template column takes. The page lets a person match them by hand; here a
    misspelt column would silently drop its answers, so each one is a problem."""
    return [
        importing.CellProblem(HEADER_ROW, column, "import.column_not_in_template")
        for column in importing.unmapped_columns(columns, mapping)
    ]


def _import_target(engine: Engine, round_id: int) -> tuple[Round, dict[str, int]]:
    """The round to import into and its community's organisations by name, as the page has
    them; CliError for an unknown round."""
    try:
        with db.read_session(engine) as session:
            rnd = import_svc.round_to_import(session=session, round_id=round_id)
            return rnd, import_svc.organisations_by_name(
                session=session, community_id=rnd.community_id
            )
    except Invalid as exc:
        raise CliError(_problems_text(exc)) from None


def cmd_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    registry = load_registry(load_settings().surveys_dir)
    with _migrated_engine() as engine:
        rnd, organisations = _import_target(engine, args.round)
        try:
            instrument = registry.get(rnd.instrument_id, rnd.instrument_version)
        except KeyError:
            return _fail(
                f"round {args.round} uses questionnaire {rnd.instrument_id} "
                f"v{rnd.instrument_version}, not installed"
            )
        try:
            read = importing.read_file(path.name, data)
        except Invalid as exc:
            return _fail(f"{path}: nothing imported: {_problems_text(exc)}")
        frame = read.frame
        if read.formula_cells:  # read as empty: say so, the import may still be what is meant
            cells = ", ".join(read.formula_cells[: importing.MAX_FORMULA_CELLS_SHOWN])
            print(
                f"lc-health: {path}: formula cells without a saved result: {cells}", file=sys.stderr
            )
        columns = [str(c) for c in frame.columns]
        mapping = importing.suggest_mapping(columns, instrument)
        preview = importing.validate(frame, mapping, instrument, organisations)
        problems = _unknown_columns(columns, mapping) + preview.problems
        if problems:  # nothing is stored: one line per problem, by row and column
            for problem in problems:
                print(f"lc-health: {path}: {_cell_line(problem)}", file=sys.stderr)
            return 1
        with db.read_session(engine) as session:
            earlier = import_svc.earlier_import_of(session=session, content_sha256=read.sha256)
        if earlier is not None and not args.force:
            when = earlier.imported_at.strftime("%Y-%m-%d %H:%M")
            return _fail(
                f"{path}: nothing imported: exactly this file was imported on {when} (batch "
                f"{earlier.id}, round {earlier.round_id}); --force imports it again"
            )
        batch = _written(
            engine,
            lambda session: import_svc.import_responses(
                session=session,
                round_id=args.round,
                preview=preview,
                instrument=instrument,
                source=args.source or path.name,
                actor="lc-health import",
                content_sha256=read.sha256,
                same_file_confirmed=args.force,
            ),
            failure=f"{path}: nothing imported",
        )
        print(batch.rows)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    with _migrated_engine() as engine:
        password, confirm = _read_password()
        user = _written(
            engine,
            lambda session: accounts.create_account(
                session=session,
                email=args.email,
                role=Role(args.role),
                actor="lc-health user create",
                name=args.name,
                password=password,
                confirm=confirm,
                community_ids=args.community,
            ),
            failure="account not created",
        )
    print(f"created {args.role} account {user.email}")
    return 0


def cmd_user_password(args: argparse.Namespace) -> int:
    password, confirm = _read_password()
    engine = _engine()
    try:
        _written(
            engine,
            lambda session: accounts.reset_password(
                session=session,
                email=args.email,
                password=password,
                confirm=confirm,
                actor="lc-health user password",
            ),
            failure="password not changed",
        )
    finally:
        engine.dispose()
    print(f"password changed for {args.email}; the account is unlocked")
    return 0


def app_entry() -> Path:
    """The app.py that `serve` runs (see APP_FOLDERS)."""
    for folder in APP_FOLDERS:
        if (folder / "app.py").is_file() and (folder / ".streamlit" / "config.toml").is_file():
            return folder / "app.py"
    raise CliError("app.py with .streamlit/config.toml is missing from this installation")


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the app (Streamlit, with our sign-in routes). Outside demo mode, unsafe settings
    and the demo's leftovers in the database stop it (lc_health.runtime.server)."""
    from lc_health.runtime.server import start_problems, streamlit_environment, summary

    entry = app_entry()
    settings = load_settings().model_copy(update={"demo": True}) if args.demo else load_settings()
    problems = start_problems(settings)
    if problems:
        return _fail("not safe to run outside demo mode:\n" + "\n".join(problems))
    env = streamlit_environment(settings, os.environ)
    env[HOME_VARIABLE] = str(home())  # the app reads the same home, whatever changes
    for line in summary(settings, address=args.address, port=args.port, root=Path.cwd()):
        print(f"lc-health: {line}")
    sys.stdout.flush()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(entry),
        "--server.port",
        str(args.port),
        "--server.address",
        args.address,
        # secrets.toml (sign-in through an identity provider): in the home folder, or in a
        # checkout's .streamlit/ as before; never the working folder's.
        "--secrets.files",
        str(entry.parent / ".streamlit" / "secrets.toml"),
        "--secrets.files",
        str(home() / "secrets.toml"),
    ]
    os.execvpe(command[0], command, env)


def cmd_schedule_tick(args: argparse.Namespace) -> int:
    """Run the round schedules once, for today or --today (cron; backfill)."""
    from lc_health.runtime.background import notifier_for
    from lc_health.services.schedule import tick

    settings = load_settings()
    registry = load_registry(settings.surveys_dir)
    with _migrated_engine() as engine:
        report = tick(
            engine,
            registry=registry,
            settings=settings,
            today=args.today or date.today(),
            notifier=notifier_for(engine, settings),
        )
    print(report.summary())
    for community_id, problem in report.skipped:
        print(f"community {community_id}: no round planned: {_problem_text(problem, {})}")
    for round_id, kind, error in report.failed:
        print(f"round {round_id}: {kind} not sent: {error}", file=sys.stderr)
    return 1 if report.failed else 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2027-01-31: {text!r}") from None


def _add_schedule_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = sub.add_parser("schedule", help="rounds that run themselves").add_subparsers(
        dest="schedule_command", required=True
    )
    run = schedule.add_parser(
        "tick",
        help="plan, publish and announce what the round schedules ask for today (for cron)",
        description="Do once what the app does every LC_HEALTH_SCHEDULE_MINUTES: plan the "
        "quarter's round of every scheduled community when it is due, publish rounds that "
        "closed, and send each notification once. Running it again, or in several processes "
        "at once, does nothing twice. Prints what it did; exit code 1 when a notification "
        "could not be sent (it is tried again next time).",
    )
    run.add_argument(
        "--today",
        type=_day,
        default=None,
        help="act as on this day, YYYY-MM-DD (default: today); for tests and catching up",
    )
    run.set_defaults(handler=cmd_schedule_tick)


def cmd_demo_remove(_args: argparse.Namespace) -> int:
    """Remove the demo accounts and the demo data, so the database can be used for real."""
    from lc_health.services.demo import remove_demo

    with _migrated_engine() as engine:
        with db.write_session(engine) as session:
            removed = remove_demo(session=session, actor="lc-health demo remove")
    print("removed: " + ", ".join(f"{what} {n}" for what, n in removed.items()))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from lc_health.store.backup import BackupError, backup

    try:
        print(backup(database_url=load_settings().database_url, target=args.file, force=args.force))
    except BackupError as exc:
        return _fail(str(exc))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from lc_health.store.backup import BackupError, restore

    try:
        url = load_settings().database_url
        print(restore(database_url=url, source=args.file, force=args.force))
    except BackupError as exc:
        return _fail(str(exc))
    return 0


def cmd_purge(_args: argparse.Namespace) -> int:
    """The retention setting: raw answers of long-closed rounds go, their aggregates stay."""
    from lc_health.services.auth import purge_expired_sessions
    from lc_health.services.privacy import purge_expired
    from lc_health.services.publication import publish_due
    from lc_health.store.models import utcnow

    settings = load_settings()
    years = settings.retention_years
    engine = _engine()
    db.upgrade(engine)
    with db.write_session(engine) as session:
        ended = purge_expired_sessions(session=session)
    print(f"removed {ended} expired sign-in session{'' if ended == 1 else 's'}")
    if years == 0:
        print("retention is off (LC_HEALTH_RETENTION_YEARS=0): no answers purged")
        return 0
    # Rounds are published from their raw answers before those go.
    publish_due(engine=engine, registry=load_registry(settings.surveys_dir), settings=settings)
    with db.write_session(engine) as session:
        counts = purge_expired(session=session, now=utcnow(), years=years, actor="lc-health purge")
    done = ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.as_dict().items())
    print(f"purged raw data of rounds closed more than {years} years ago (aggregates kept): {done}")
    return 0


def cmd_mail_send(args: argparse.Namespace) -> int:
    """Send the e-mails that are due (one pass; --loop keeps going), as the server's sender
    thread does. Prints what it did as counts; never an address."""
    import threading

    from lc_health.runtime import mail

    settings = load_settings()
    reason = mail.why_not_sending(settings)
    if reason is not None:
        return _fail(f"cannot send e-mail: {reason}")
    with _migrated_engine() as engine:
        if args.loop:
            mail.run_loop(engine, settings, threading.Event())
            return 0
        report = mail.send_pass(engine, settings)
    print(
        f"sent {report.sent}, to retry {report.retried}, refused {report.bounced}, "
        f"failed {report.failed}, not needed {report.skipped}"
    )
    return 0


EXPORT_ACTOR = "lc-health export"
EXPORT_FORMATS = ("json", "csv", "csv-nl", "xlsx", "html")  # csv-nl: for Dutch Excel (;)


# The registry's exports made from one round (documents.registry.for_round; a test keeps them
# equal, so `--help` need not load the documents).
def _list_exports() -> int:
    """The export registry: name, formats, who may have it; `*` marks what this command
    writes (the exports made from one published round)."""
    from lc_health.documents.registry import EXPORTS

    width = max(len(",".join(export.formats)) for export in EXPORTS.values())
    for export in EXPORTS.values():
        mark = "*" if export.source == "round" else " "
        roles = ",".join(sorted(a.value for a in export.audiences))
        print(f"{mark} {export.name:<18} {','.join(export.formats):<{width}} {roles}")
    return 0


def _export_bytes(args: argparse.Namespace) -> bytes | str:
    """The chosen export of the round for the audience, or a one-line error (a str)."""
    from lc_health.documents import registry as exports
    from lc_health.documents import round_export
    from lc_health.services.exports import hand_out
    from lc_health.services.publication import publish_due

    made_from_a_round = {e.name: e for e in exports.for_round()}
    if args.export not in made_from_a_round:
        return f"--export is one of: {', '.join(made_from_a_round)} (--list shows the registry)"
    export = made_from_a_round[args.export]
    audience = Audience(args.audience)
    if not export.allows(audience):
        return f"a {audience.value} does not get the {export.name} export"
    if args.format not in export.formats:
        return f"the {export.name} export comes in {', '.join(export.formats)}"
    settings = load_settings()
    registry = load_registry(settings.surveys_dir)
    policy = Policy.from_settings(settings)
    with _migrated_engine() as engine:
        # A round that closed by its date is published before it is read, as the app does.
        publish_due(engine=engine, registry=registry, settings=settings)
        try:
            with db.read_session(engine) as session:
                source = round_export.load_source(
                    session=session,
                    round_id=args.round,
                    registry=registry,
                    policy=policy,
                    lang=args.lang,
                )
        except round_export.UnknownRound as exc:
            return str(exc)
        # In the audit log, as every export is (which, of what, in which format; no content).
        return hand_out(
            engine=engine,
            make=lambda: export.make(source, audience, args.format),
            actor=EXPORT_ACTOR,
            export=export.name,
            fmt=args.format,
            scope=export.scope(source),
            audience=audience.value,
        )


def cmd_export(args: argparse.Namespace) -> int:
    """What one audience can see of a published round, in one format, to stdout or a file."""
    if args.list:
        return _list_exports()
    if args.round is None or args.audience is None:
        args.parser.error("--round and --as are required (or --list)")
    data = _export_bytes(args)
    if isinstance(data, str):
        return _fail(data)
    if args.output is None:
        if args.format == "xlsx" and sys.stdout.isatty():
            return _fail("an Excel file is not for the terminal: give -o FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """The performance benchmark (lc_health.bench; imported only for this command)."""
    from lc_health.bench.command import run_command

    return run_command(args)


def _add_record_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """community, round and import: the writes an administrator makes on the pages, for
    scripts. Each prints only its result and is audited as `lc-health <command>`."""
    community = sub.add_parser("community", help="communities").add_subparsers(
        dest="community", required=True
    )
    create = community.add_parser(
        "create",
        help="create a community and print its id",
        description="Create a community (as the administration page does) and print its id.",
    )
    create.add_argument("--name", required=True, help="the community's name (unique)")
    create.add_argument("--sector", default="", help="its sector, e.g. horticulture")
    create.add_argument("--region", default="", help="its region, e.g. Westland")
    create.set_defaults(handler=cmd_community_create)

    rounds = sub.add_parser("round", help="survey rounds").add_subparsers(
        dest="round_command", required=True
    )
    plan = rounds.add_parser(
        "open",
        help="plan a community's round for a quarter and print its id",
        description="Plan a round from the quarter's first to its last day with the newest "
        "questionnaire, and print its id. It takes answers from the first day on.",
    )
    plan.add_argument("--community", type=int, required=True, help="the community's id")
    plan.add_argument("--period", required=True, help="the quarter, e.g. 2026-Q3")
    plan.set_defaults(handler=cmd_round_open)
    close = rounds.add_parser(
        "close",
        help="stop a round taking answers now (prints nothing)",
        description="Close a round now, as the administration page's 'close now' does. "
        "Prints nothing on success.",
    )
    close.add_argument("--round", type=int, required=True, help="the round's id")
    close.set_defaults(handler=cmd_round_close)

    imp = sub.add_parser(
        "import",
        help="import responses from a filled-in import template into a round",
        description="Import the import template (CSV or .xlsx, as downloaded from the import "
        "page) into a round, all or nothing, and print the number of responses stored. On any "
        "problem nothing is stored and each problem is named by row and column on stderr. "
        "Every column must be a template column.",
    )
    imp.add_argument("file", type=Path, help="the .csv or .xlsx file")
    imp.add_argument("--round", type=int, required=True, help="the round's id")
    imp.add_argument(
        "--source",
        default="",
        help="where the answers came from, kept with the import (default: the file's name)",
    )
    imp.add_argument(
        "--force",
        action="store_true",
        help="import the file even when exactly the same file was imported before "
        "(its answers then count twice)",
    )
    imp.set_defaults(handler=cmd_import)


def _add_export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export",
        help="write what a lead or a policy maker can see of a published round",
        description="Write exactly what a community lead or a policy maker can see of one "
        "round: its published figures (a round is published when it closes) and, for a lead, "
        "its comments and the community's actions. JSON keeps full precision and is the same "
        "bytes for the same database.",
    )
    export.add_argument("--round", type=int, help="the round's id")
    export.add_argument(
        "--as",
        dest="audience",
        choices=[Audience.lead.value, Audience.policy.value],
        help="whose view: lead (figures, comments, actions) or policy (figures only)",
    )
    export.add_argument(
        "--export",
        default="round",
        help="which export made from a round (default round: the figures one audience may see; "
        "round-report: the lead's quarter report); --list shows the registry",
    )
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default="json",
        help="the file format (default json); csv-nl is CSV for Excel with Dutch settings: "
        "';' between cells and a decimal comma",
    )
    export.add_argument(
        "--lang", choices=LANGUAGES, default="nl", help="the language of a report (default nl)"
    )
    export.add_argument(
        "-o", "--output", type=Path, default=None, help="write to this file (default: stdout)"
    )
    export.add_argument(
        "--list", action="store_true", help="list every export (* = written by this command)"
    )
    export.set_defaults(handler=cmd_export, parser=export)


def _add_user_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """user create and user password: the account writes of the accounts page, audited as
    `lc-health user <command>`; passwords never come from an argument."""
    user = sub.add_parser("user", help="accounts").add_subparsers(dest="user", required=True)
    create = user.add_parser(
        "create", help="create an account; the password is read from a prompt or stdin"
    )
    create.add_argument("--email", required=True, help="the account's email address")
    create.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="admin (everything), lead (their communities) or policy (figures across communities)",
    )
    create.add_argument("--name", default="", help="the name shown in the app (default: none)")
    create.add_argument(
        "--community",
        type=int,
        action="append",
        default=[],
        help="community id a lead is responsible for (repeat for several)",
    )
    create.set_defaults(handler=cmd_user_create)
    password = user.add_parser("password", help="set a new password (prompt or stdin)")
    password.add_argument("--email", required=True, help="the account's email address")
    password.set_defaults(handler=cmd_user_password)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lc-health", description=__doc__)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="show the version"
    )
    # Subcommands' parsers are _Parsers too (argparse makes them of the parent's class).
    sub = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )

    serve = sub.add_parser("serve", help="start the app")
    serve.add_argument("--demo", action="store_true", help="demo mode: fictional data and accounts")
    serve.add_argument("--port", type=_port, default=8501, help="the port (default 8501)")
    serve.add_argument(
        "--address", default="localhost", help="the address to listen on (default localhost)"
    )
    serve.set_defaults(handler=cmd_serve)

    dbp = sub.add_parser("db", help="database migrations").add_subparsers(dest="db", required=True)
    dbp.add_parser("upgrade", help="apply pending migrations").set_defaults(handler=cmd_db_upgrade)
    dbp.add_parser("current", help="show the schema revision").set_defaults(handler=cmd_db_current)

    demo = sub.add_parser(
        "demo",
        help="load the fictional demo portfolio into an empty database (or: demo remove)",
        description="Without a subcommand: load the fictional demo portfolio into an empty "
        "database.",
    )
    demo.set_defaults(handler=cmd_demo)
    demo.add_subparsers(dest="demo_command", metavar="[remove]").add_parser(
        "remove",
        help="remove the demo accounts and the demo communities with all their data",
        description="Remove the demo accounts (their passwords are published), the demo "
        "communities with their rounds, links, responses and actions, and organisations and "
        "portfolios only the demo used. Real data stays. Outside demo mode the app does not "
        "start until this is done.",
    ).set_defaults(handler=cmd_demo_remove)

    _add_user_parsers(sub)
    _add_record_parsers(sub)
    _add_export_parser(sub)
    _add_schedule_parser(sub)

    ins = sub.add_parser("instrument", help="survey instrument files").add_subparsers(
        dest="instrument", required=True
    )
    check = ins.add_parser("check", help="validate instrument files and list every problem")
    check.add_argument("files", nargs="+", type=Path, help="the instrument files (.toml)")
    check.set_defaults(handler=cmd_instrument_check)
    backup_cmd = sub.add_parser(
        "backup", help="back up the database (SQLite: online backup; PostgreSQL: pg_dump)"
    )
    backup_cmd.add_argument("file", type=Path, help="the backup file to write")
    backup_cmd.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup_cmd.set_defaults(handler=cmd_backup)
    restore_cmd = sub.add_parser(
        "restore", help="restore a backup into the configured database, then migrate it"
    )
    restore_cmd.add_argument("file", type=Path, help="the backup file to restore")
    restore_cmd.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )
    restore_cmd.set_defaults(handler=cmd_restore)
    mail_cmd = sub.add_parser("mail", help="e-mail invitations and reminders").add_subparsers(
        dest="mail_command", required=True
    )
    send = mail_cmd.add_parser(
        "send",
        help="send the e-mails that are due (one pass, for cron)",
        description="Send every e-mail in the outbox that is due now, within "
        "LC_HEALTH_MAIL_RATE_PER_MINUTE, and print the counts. Messages the server cannot take "
        "now are tried again later; `lc-health serve` also sends, in the background.",
    )
    send.add_argument(
        "--loop", action="store_true", help="keep sending every 30 seconds until stopped"
    )
    send.set_defaults(handler=cmd_mail_send)
    purge = sub.add_parser(
        "purge", help="apply LC_HEALTH_RETENTION_YEARS: delete old raw answers, keep aggregates"
    )
    purge.set_defaults(handler=cmd_purge)
    bench = sub.add_parser(
        "bench", help="benchmark at scale S, M, L or XL (see docs/performance.md)"
    )
    bench.add_argument(
        "--scale", choices=["S", "M", "L", "XL"], default="S", help="the data size (default S)"
    )
    bench.add_argument(
        "--database-url", help="PostgreSQL URL (default: SQLite in bench/ of the home folder)"
    )
    bench.add_argument(
        "--read-database-url",
        help="a streaming replica of --database-url: also time the portfolio on it during bursts",
    )
    bench.add_argument("--keep", action="store_true", help="keep the generated database")
    bench.add_argument("--reuse", action="store_true", help="measure a kept database again")
    bench.add_argument("--pages", action="store_true", help="time pages in Chromium instead")
    bench.add_argument(
        "--live",
        action="store_true",
        help="a live session instead: phones joining and answering at once",
    )
    bench.add_argument(
        "--phones", type=int, default=40, help="phones in the --live room (default 40)"
    )
    bench.add_argument(
        "--tied",
        action="store_true",
        help="with --live: the session is tied to an open round (the round's statements, "
        "each sheet stored as a round response)",
    )
    bench.add_argument(
        "--warm-runs", type=int, default=200, help="warm calls per page row (default 200)"
    )
    bench.add_argument(
        "--bursts", type=int, default=30, help="bursts of 50 submissions at once (default 30)"
    )
    bench.add_argument(
        "--baseline-runs", type=int, default=30, help="warm calls per baseline (default 30)"
    )
    bench.set_defaults(handler=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. No traceback reaches the user: an error is one line on stderr and exit
    code 1 (2 for a wrong command line); the traceback is logged at DEBUG."""
    # Scripts read a command's stderr: lc_health's log lines join it only when asked for.
    configure_from_settings(unset_level="WARNING")
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (StartupError, db.DatabaseError, InstrumentError, CliError) as exc:
        log.debug("command failed", exc_info=True)
        return _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001  (the last line of defence: one line, not a traceback)
        log.debug("command failed", exc_info=True)
        return _fail(f"{_one_line(exc)} (LC_HEALTH_LOG_LEVEL=DEBUG logs the details)")


def _one_line(exc: BaseException) -> str:
    """The first line of an error, without the SQL and parameters a database error carries."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text = f"the database (LC_HEALTH_DATABASE_URL) reports: {exc.orig}"
    elif isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    else:
        text = f"{type(exc).__name__}: {exc}"
    line = (text.strip().splitlines() or [type(exc).__name__])[0]
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (subcommands' parsers are of this class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _version() -> str:
    try:
        return metadata.version("lc-health")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 1 to 65535, not {port}")
    return port


if __name__ == "__main__":
    sys.exit(main())
