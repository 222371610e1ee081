"""AppTest: the administration pages write through the same services as `lc-health`, so a
community created or a round closed on a page leaves the same audit record (bar the actor)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import col
from streamlit.testing.v1 import AppTest

from lc_health.runtime import cli
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import rounds as round_store
from lc_health.store.models import AuditEvent
from lc_health.store.users import users_frame
from tests.apptest import goto, new_app

ADMIN = "beheer@demo.lc-health.nl"
COMMUNITY = "Robotica Fieldlab Westland"


@pytest.fixture
def twins(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two copies of the demo database: one for the page, one for the command line."""
    engines = []
    for name in ("page.db", "cli.db"):
        shutil.copyfile(demo_template, tmp_path / name)
        engines.append(db.make_engine(f"sqlite:///{tmp_path / name}"))
    yield engines[0], engines[1]
    for engine in engines:
        engine.dispose()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _last_events(engine: Engine, count: int) -> list[tuple[str, str, str, str]]:
    """The newest `count` audit events, oldest first."""
    with db.read_session(engine) as session:
        rows = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target, AuditEvent.detail)
            .order_by(col(AuditEvent.id).desc())
            .limit(count)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in reversed(rows)]


def _last_event(engine: Engine) -> tuple[str, str, str, str]:
    return _last_events(engine, 1)[0]


def _admin_page(engine: Engine, page: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", _url(engine))
    with db.read_session(engine) as session:
        users = users_frame(session=session)
    at = new_app()
    at.session_state["user_id"] = int(users.set_index("email").loc[ADMIN, "user_id"])
    at.query_params["lang"] = "en"
    at.run()
    goto(at, page).run()
    assert not at.exception, at.exception
    return at


def test_community_created_on_the_page_is_audited_as_on_the_command_line(
    twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    page_db, cli_db = twins
    at = _admin_page(page_db, "admin_communities", monkeypatch)
    next(w for w in at.text_input if w.label == "Name").set_value("Bijenlint")
    next(w for w in at.text_input if w.label == "Sector").set_value("Nature")
    next(b for b in at.button if b.label == "Create").click().run()
    assert not at.exception and not at.error
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", _url(cli_db))
    assert cli.main(["community", "create", "--name", "Bijenlint", "--sector", "Nature"]) == 0
    page_event, cli_event = _last_event(page_db), _last_event(cli_db)
    assert page_event == (ADMIN, "community.create", "Bijenlint", "")
    assert cli_event == ("lc-health community create", *page_event[1:])


def test_round_closed_on_the_page_is_audited_as_on_the_command_line(
    twins: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    page_db, cli_db = twins
    round_ids = []
    for engine in twins:  # a round that is certainly not closed yet, in both copies
        with db.write_session(engine) as session:
            frame = cstore.communities_frame(session=session)
            community_id = int(frame.set_index("name").loc[COMMUNITY, "community_id"])
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
            round_ids.append(made.id)
    assert round_ids[0] == round_ids[1]
    at = _admin_page(page_db, "admin_rounds", monkeypatch)
    at.selectbox(key="rounds_pick").select(community_id).run()
    next(s for s in at.selectbox if s.label == "Round").select(round_ids[0]).run()
    next(b for b in at.button if b.label == "Close now").click().run()
    assert not at.exception and not at.error
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", _url(cli_db))
    assert cli.main(["round", "close", "--round", str(round_ids[1])]) == 0
    # Closing publishes the round's figures too: two records, the same from page and CLI.
    page_events, cli_events = _last_events(page_db, 2), _last_events(cli_db, 2)
    target = f"{COMMUNITY} 2099-Q1"
    assert page_events == [
        (ADMIN, "round.close", target, ""),
        (ADMIN, "round.published", target, ""),
    ]
    assert cli_events == [("lc-health round close", *event[1:]) for event in page_events]
