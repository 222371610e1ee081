"""LC_HEALTH_READ_DATABASE_URL: the portfolio reads from a real streaming replica (made with
pg_basebackup for the test, tests/replicas/standby.py), writes go to the primary, and a browser
that just wrote reads from the primary.

To tell the two apart the replica's replay is paused and the primary changes a community's name:
a page that shows the old name read the replica, one that shows the new name read the primary.
The pages run in Streamlit's AppTest against both real PostgreSQL servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from lc_health.bench.replica import portfolio_during_bursts
from lc_health.bench.replica import wait_caught_up as bench_caught_up
from lc_health.bench.submit import open_rounds
from lc_health.bench.workloads import Context
from lc_health.domain.enums import Role
from lc_health.domain.instrument import Instrument, load_registry
from lc_health.domain.periods import Period
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import responses as response_store
from lc_health.store import users as ustore
from lc_health.store.rounds import create_round
from tests.apptest import chart_data, goto, new_app
from tests.factories import make_response_in
from tests.publishing import publish
from tests.replicas.cluster import fresh_database
from tests.replicas.standby import Standby, streaming_replica, wait_caught_up

pytestmark = [pytest.mark.replicas, pytest.mark.postgres, pytest.mark.slow]


def _seed(url: str, instrument: Instrument) -> tuple[int, dict[str, int]]:
    """Three communities with six respondents each in one published round; an administrator."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    ids: dict[str, int] = {}
    with db.write_session(engine) as session:
        for name, value in (("Alpha", 4), ("Beta", 2), ("Gamma", 3)):
            community = cstore.create_community(session=session, name=name, sector="Zorg")
            assert community.id is not None
            ids[name] = community.id
            rnd = create_round(
                session=session,
                community_id=community.id,
                period="2026-Q3",
                opens_on=date(2026, 7, 1),
                closes_on=date(2026, 9, 30),
                instrument_id=instrument.id,
                instrument_version=instrument.version,
            )
            assert rnd.id is not None
            for n in range(6):
                answers = dict.fromkeys((i.id for i in instrument.items), value)
                response = make_response_in(
                    instrument, round_id=rnd.id, answers=answers, submission_key=f"{name}-{n}"
                )
                response_store.save_response(
                    session=session, response_in=response, instrument=instrument
                )
        today = date.today()
        workshop = create_round(  # open now: the benchmark's bursts submit into it
            session=session,
            community_id=ids["Gamma"],
            period=str(Period.containing(today)),
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=30),
            instrument_id=instrument.id,
            instrument_version=instrument.version,
        )
        assert workshop.id is not None
        admin = ustore.create_user(session=session, email="a@example.org", role=Role.admin)
        assert admin.id is not None
    publish(engine, load_registry())
    engine.dispose()
    return admin.id, ids


@pytest.fixture(scope="module")
def primary_and_replica(
    instrument_module: Instrument,
) -> Iterator[tuple[str, Standby, int, dict[str, int]]]:
    with fresh_database() as url:
        admin, ids = _seed(url, instrument_module)
        with streaming_replica(url) as standby:
            yield url, standby, admin, ids


@pytest.fixture(scope="module")
def instrument_module() -> Instrument:
    return load_registry().latest()


def _names(at: AppTest) -> set[str]:
    names: set[str] = set()
    for frame in chart_data(at):
        if "community" in frame.columns:
            names |= set(frame["community"].dropna().astype(str))
    return names


def _portfolio(at: AppTest) -> set[str]:
    goto(at, "portfolio")
    at.run()
    assert not at.exception, at.exception
    return _names(at)


def test_portfolio_reads_the_replica_and_a_writer_reads_the_primary(
    primary_and_replica: tuple[str, Standby, int, dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, standby, admin, ids = primary_and_replica
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    monkeypatch.setenv("LC_HEALTH_READ_DATABASE_URL", standby.url)
    wait_caught_up(url, standby)
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        engine = db.make_engine(url)
        with engine.begin() as conn:  # someone else's change, not yet on the paused replica
            conn.execute(text("UPDATE community SET name = 'Alpha moved on' WHERE name = 'Alpha'"))
        engine.dispose()

        at = new_app()
        at.session_state["user_id"] = admin
        at.query_params["lang"] = "en"
        at.run()
        shown = _portfolio(at)
        assert "Alpha" in shown and "Alpha moved on" not in shown, shown  # from the replica

        # The administrator renames Beta on the communities page: from now on, for a while,
        # this browser's portfolio comes from the primary and shows both changes.
        goto(at, "admin_communities")
        at.run()
        assert not at.exception, at.exception
        at.selectbox(key="edit_pick").set_value(ids["Beta"]).run()
        beta = next(w for w in at.text_input if w.value == "Beta")
        beta.set_value("Beta renamed")
        next(b for b in at.button if b.label == "Save").click()
        at.run()
        assert not at.exception, at.exception
        engine = db.make_engine(url)
        with engine.connect() as conn:  # written to the primary, not yet on the replica
            renamed = conn.execute(
                text("SELECT count(*) FROM community WHERE name = 'Beta renamed'")
            )
            assert renamed.scalar_one() == 1
        engine.dispose()
        assert standby.sql("SELECT count(*) FROM community WHERE name = 'Beta renamed'") == "0"
        shown = _portfolio(at)
        assert {"Alpha moved on", "Beta renamed"} <= shown, shown
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    wait_caught_up(url, standby)
    assert standby.sql("SELECT count(*) FROM community WHERE name = 'Beta renamed'") == "1"


def test_benchmark_times_the_portfolio_on_the_replica_during_bursts(
    primary_and_replica: tuple[str, Standby, int, dict[str, int]], instrument_module: Instrument
) -> None:
    url, standby, _, ids = primary_and_replica
    primary, replica = db.make_engine(url), db.make_engine(standby.url)
    try:
        assert bench_caught_up(primary, replica) >= 0
        rounds = open_rounds(primary, Period.containing(date.today()))
        assert len(rounds) == 1
        context = Context(instrument_module, 5, ids["Beta"], "2026-Q3")
        timing, burst = portfolio_during_bursts(
            primary, replica, context, instrument_module, rounds, submitters=10, bursts=2
        )
    finally:
        primary.dispose()
        replica.dispose()
    assert burst.errors == 0 and burst.submissions == 20
    assert timing.runs >= 1 and timing.p50 > 0
