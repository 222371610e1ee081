"""Every write `lc-health` makes leaves exactly the audit events the matching page action leaves:
the same action and target, only the actor differs (`lc-health <command>` instead of the
administrator's email). Each command runs in this process against a copy of the demo database;
the page's service call runs against a twin copy. tests/ui/admin/test_writes.py drives the
pages themselves for community create and round close."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Registry
from lc_health.runtime import cli
from lc_health.runtime.bootstrap import load_settings, seed_demo_if_empty
from lc_health.services import accounts, importing, privacy
from lc_health.services import communities as csvc
from lc_health.services import rounds as rsvc
from lc_health.services.imports import import_responses, organisations_by_name
from lc_health.services.publication import publish_due
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import rounds as round_store
from lc_health.store.models import AuditEvent, Role, Round, utcnow

ADMIN = "beheer@demo.lc-health.nl"
COMMUNITY = "Robotica Fieldlab Westland"
PASSWORD = "zeer-geheim-wachtwoord-7"
CSV = "language,role,organisation,ind_f01,ind_f02,fac_good_communication\nen,,,4,4,\n"
Event = tuple[str, str, str]


@pytest.fixture
def twins(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two copies of the demo database: one for the page's service call, one for the CLI."""
    engines = []
    for name in ("page.db", "cli.db"):
        shutil.copyfile(demo_template, tmp_path / name)
        engines.append(db.make_engine(f"sqlite:///{tmp_path / name}"))
    yield engines[0], engines[1]
    for engine in engines:
        engine.dispose()


def _last_id(engine: Engine) -> int:
    with db.read_session(engine) as session:
        return int(session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one())


def _events_after(engine: Engine, after: int) -> list[Event]:
    with db.read_session(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target)
            .where(AuditEvent.id > after)
            .order_by(AuditEvent.id)
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _community_id(session: Session) -> int:
    frame = cstore.communities_frame(session=session)
    return int(frame.set_index("name").loc[COMMUNITY, "community_id"])


def _future_round(engine: Engine) -> int:
    """A 2099-Q1 round of COMMUNITY, certainly not closed yet (the same id in both twins)."""
    with db.write_session(engine) as session:
        community_id = _community_id(session)
        rnd = round_store.community_rounds(session=session, community_id=community_id)[-1]
        made = round_store.create_round(
            session=session,
            community_id=community_id,
            period="2099-Q1",
            opens_on=date(2099, 1, 1),
            closes_on=date(2099, 3, 31),
            instrument_id=rnd.instrument_id,
            instrument_version=rnd.instrument_version,
        )
        assert made.id is not None
        return made.id


def _cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert cli.main(list(args)) == 0


def _page_import(session: Session, registry: Registry, round_id: int, source: str) -> None:
    """What the import page does with the same file."""
    rnd = session.get(Round, round_id)
    assert rnd is not None
    instrument = registry.get(rnd.instrument_id, rnd.instrument_version)
    frame = importing.read_table(source, CSV.encode())
    columns = [str(c) for c in frame.columns]
    organisations = organisations_by_name(session=session, community_id=rnd.community_id)
    preview = importing.validate(
        frame, importing.suggest_mapping(columns, instrument), instrument, organisations
    )
    import_responses(
        session=session,
        round_id=round_id,
        preview=preview,
        instrument=instrument,
        source=source,
        actor=ADMIN,
    )


def _compare(
    twins: tuple[Engine, Engine],
    monkeypatch: pytest.MonkeyPatch,
    page: Callable[[Session], object],
    args: list[str],
    stdin: str = "",
) -> list[Event]:
    """Run the page's service call and the command; their new events, which must match bar the
    actor. Returns the page's."""
    page_db, cli_db = twins
    page_from, cli_from = _last_id(page_db), _last_id(cli_db)
    with db.write_session(page_db) as session:
        page(session)
    _cli(cli_db, monkeypatch, *args, stdin=stdin)
    page_events, cli_events = _events_after(page_db, page_from), _events_after(cli_db, cli_from)
    words = []
    for arg in args:  # the command's own words: `lc-health user create`, `lc-health import`
        if arg.startswith("-") or "/" in arg:
            break
        words.append(arg)
    assert [e[1:] for e in cli_events] == [e[1:] for e in page_events]
    assert all(e[0] == ADMIN for e in page_events)
    assert all(e[0] == f"lc-health {' '.join(words)}" for e in cli_events), cli_events
    return page_events


def test_user_create(twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    events = _compare(
        twins,
        monkeypatch,
        lambda s: accounts.create_account(
            session=s,
            email="nieuw@example.org",
            role=Role.policy,
            actor=ADMIN,
            password=PASSWORD,
            confirm=PASSWORD,
        ),
        ["user", "create", "--email", "Nieuw@Example.org", "--role", "policy"],
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert events == [(ADMIN, "account.create", "nieuw@example.org")]


def test_user_password(twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    events = _compare(
        twins,
        monkeypatch,
        lambda s: accounts.reset_password(
            session=s, email=ADMIN, password=PASSWORD, confirm=PASSWORD, actor=ADMIN
        ),
        ["user", "password", "--email", ADMIN],
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert events == [(ADMIN, "account.password_reset", ADMIN)]


def test_community_create(twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    events = _compare(
        twins,
        monkeypatch,
        lambda s: csvc.create_community(session=s, name="Bijenlint", sector="Nature", actor=ADMIN),
        ["community", "create", "--name", "Bijenlint", "--sector", "Nature"],
    )
    assert events == [(ADMIN, "community.create", "Bijenlint")]


def test_round_open(
    twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    with db.read_session(twins[0]) as session:
        community_id = _community_id(session)
    events = _compare(
        twins,
        monkeypatch,
        # The rounds page plans one community's quarter from its first to its last day.
        lambda s: rsvc.plan_rounds(
            session=s,
            community_ids=[community_id],
            period="2099-Q2",
            opens_on=date(2099, 4, 1),
            closes_on=date(2099, 6, 30),
            instrument=registry.latest(),
            actor=ADMIN,
        ),
        ["round", "open", "--community", str(community_id), "--period", "2099-Q2"],
    )
    assert events == [(ADMIN, "round.plan", "2099-Q2")]


def test_round_close(
    twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    round_ids = [_future_round(engine) for engine in twins]
    assert round_ids[0] == round_ids[1]
    policy = Policy.from_settings(load_settings())
    events = _compare(
        twins,
        monkeypatch,
        lambda s: rsvc.close_round(
            session=s, round_id=round_ids[0], actor=ADMIN, registry=registry, policy=policy
        ),
        ["round", "close", "--round", str(round_ids[1])],
    )
    target = f"{COMMUNITY} 2099-Q1"
    assert events == [(ADMIN, "round.close", target), (ADMIN, "round.published", target)]


def test_import(
    twins: tuple[Engine, Engine],
    monkeypatch: pytest.MonkeyPatch,
    registry: Registry,
    tmp_path: Path,
) -> None:
    round_ids = [_future_round(engine) for engine in twins]
    path = tmp_path / "juni.csv"
    path.write_text(CSV)
    events = _compare(
        twins,
        monkeypatch,
        lambda s: _page_import(s, registry, round_ids[0], "juni.csv"),
        ["import", str(path), "--round", str(round_ids[1])],
    )
    assert events == [(ADMIN, "responses.import", f"{COMMUNITY} 2099-Q1")]


def test_purge(
    twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    monkeypatch.setenv("LC_HEALTH_RETENTION_YEARS", "1")
    settings = load_settings()

    def page(session: Session) -> None:  # the privacy page: publish what is due, then purge
        publish_due(engine=twins[0], registry=registry, settings=settings)
        privacy.purge_expired(session=session, now=utcnow(), years=1, actor=ADMIN)

    events = _compare(twins, monkeypatch, page, ["purge"])
    assert [e[1] for e in events][-1:] == ["privacy.purge"]
    cutoff = privacy.retention_cutoff(datetime.now(), 1)
    assert cutoff is not None and events[-1][2] == f"closed before {cutoff.isoformat()}"


def test_demo_is_loaded_as_the_app_loads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    """Demo data goes in the same way from `lc-health demo` and from the app starting in demo
    mode (runtime.bootstrap.seed_demo_if_empty), and neither leaves an audit event."""
    page_db = db.make_engine(f"sqlite:///{tmp_path / 'page.db'}")
    cli_db = db.make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        db.upgrade(page_db)
        assert seed_demo_if_empty(page_db, registry)
        _cli(cli_db, monkeypatch, "demo")
        assert _events_after(cli_db, 0) == _events_after(page_db, 0) == []
    finally:
        page_db.dispose()
        cli_db.dispose()
