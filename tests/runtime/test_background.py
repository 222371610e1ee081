"""The server process's schedule thread: started once per process, it runs the tick (here: a
schedule whose round is open today gets planned), and LC_HEALTH_SCHEDULE_MINUTES=0 keeps it off."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from lc_health.domain.periods import Period
from lc_health.runtime import background
from lc_health.runtime.bootstrap import forget_apps
from lc_health.runtime.config import Settings
from lc_health.services import schedule
from lc_health.store import db
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Round
from tests.factories import make_community


@pytest.fixture
def _stopped() -> Iterator[None]:
    yield
    background.stop_background()
    forget_apps()


@pytest.mark.usefixtures("_stopped")
def test_the_thread_starts_once_and_plans_the_round_that_is_due(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'lc-health.db'}")  # the home's database
    db.upgrade(engine)
    with write_session(engine) as session:
        make_community(session)
        schedule.save_schedule(
            session,
            community_id=None,
            active=True,
            open_day=(date.today() - Period.containing(date.today()).first_day).days + 1,
            open_days=1,  # a round for today only
            reminders="",
            today=date.today(),
            actor="admin@example.org",
        )
    settings = Settings()
    thread = background.start_background(settings, first_delay=0)
    assert thread is not None and thread.daemon
    assert background.start_background(settings, first_delay=0) is thread
    found: list[Round] = []
    deadline = time.monotonic() + 30
    while not found and time.monotonic() < deadline:
        time.sleep(0.2)
        with read_session(engine) as session:
            found = list(session.exec(select(Round)).scalars())
    assert [(r.opens_on, r.closes_on) for r in found] == [(date.today(), date.today())]
    background.stop_background()
    assert not thread.is_alive()
    engine.dispose()


def test_zero_minutes_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_HEALTH_SCHEDULE_MINUTES", "0")
    assert background.start_background(Settings()) is None
