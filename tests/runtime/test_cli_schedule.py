"""`lc-health schedule tick`: the schedule's tick for cron, on today or --today; twice, or in two
processes at once (SQLite and PostgreSQL), it plans and notes everything once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from lc_health.runtime.cli import main
from lc_health.services import schedule
from lc_health.store import db
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Round, ScheduleEvent
from tests.factories import make_community, make_round


def _scheduled(engine: Engine, communities: int = 1) -> list[int]:
    ids = []
    with write_session(engine) as session:
        for _ in range(communities):
            community = make_community(session)
            assert community.id is not None
            ids.append(community.id)
        schedule.save_schedule(
            session,
            community_id=None,
            active=True,
            open_day=1,
            open_days=28,
            reminders="7, 2",
            today=date(2026, 12, 1),
            actor="admin@example.org",
        )
    return ids


def _counts(engine: Engine) -> tuple[int, int]:
    with read_session(engine) as session:
        rounds = session.execute(select(func.count()).select_from(Round)).scalar_one()
        events = session.execute(select(func.count()).select_from(ScheduleEvent)).scalar_one()
    return int(rounds), int(events)


def test_tick_plans_once_and_says_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'lc-health.db'}")  # the home's database
    db.upgrade(engine)
    _scheduled(engine, communities=2)
    assert main(["schedule", "tick", "--today", "2027-01-01"]) == 0
    out = capsys.readouterr().out
    assert "2027-01-01: rounds planned: 2, published: 0, notifications sent: 2" in out
    assert main(["schedule", "tick", "--today", "2027-01-01"]) == 0
    assert "rounds planned: 0, published: 0, notifications sent: 0" in capsys.readouterr().out
    assert _counts(engine) == (2, 4)  # two rounds; each planned and opened once
    engine.dispose()


def test_tick_names_the_communities_it_could_not_plan_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], registry: object
) -> None:
    from lc_health.domain.instrument import Registry

    assert isinstance(registry, Registry)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'lc-health.db'}")
    db.upgrade(engine)
    [community_id] = _scheduled(engine)
    with write_session(engine) as session:
        make_round(
            session,
            registry.latest(),
            community_id=community_id,
            period="2026-Q4",
            opens_on=date(2026, 12, 1),
            closes_on=date(2027, 1, 15),
        )
    assert main(["schedule", "tick", "--today", "2027-01-02"]) == 0
    out = capsys.readouterr().out
    assert f"community {community_id}: no round planned: " in out
    assert "overlap with the 2026-Q4 round" in out  # the English message, not its key
    engine.dispose()


def test_a_wrong_day_is_one_line_and_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["schedule", "tick", "--today", "2027-02-30"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "not a date like 2027-01-31: '2027-02-30'" in err and len(err.splitlines()) == 1


def test_two_processes_at_once_plan_and_notify_once(engine: Engine) -> None:
    _scheduled(engine, communities=3)
    url = engine.url.render_as_string(hide_password=False)
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=url)
    command = [sys.executable, "-m", "lc_health.runtime.cli", "schedule", "tick"]
    runs = [
        subprocess.Popen(
            [*command, "--today", "2027-04-01"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert _counts(engine) == (3, 6)
    with read_session(engine) as session:
        kinds = sorted(session.execute(select(ScheduleEvent.kind)).scalars())
    assert kinds == ["round_created"] * 3 + ["round_opened"] * 3
