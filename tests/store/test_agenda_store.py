"""store.agenda on SQLite and PostgreSQL: one agenda row per round and factor, also when several
people save the same factor at the same moment; the summary is one row per round."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from lc_health.domain.instrument import Instrument
from lc_health.store import agenda as agenda_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import AgendaItem
from tests.factories import make_community, make_round

THREADS = 8


def _round(engine: Engine, instrument: Instrument) -> int:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return rnd.id


def test_a_factor_is_on_a_rounds_agenda_once(engine: Engine, instrument: Instrument) -> None:
    round_id = _round(engine, instrument)
    with write_session(engine) as session:
        session.add(AgendaItem(round_id=round_id, factor_id=4, dots=1))
    with pytest.raises(IntegrityError), write_session(engine) as session:
        session.add(AgendaItem(round_id=round_id, factor_id=4, dots=2))
        session.flush()


def test_saving_the_same_factor_at_once_leaves_one_row(
    engine: Engine, instrument: Instrument
) -> None:
    round_id = _round(engine, instrument)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def save(index: int) -> None:
        start.wait()  # everyone finds no row yet, then inserts
        try:
            with write_session(engine) as session:
                agenda_store.save_item(
                    session=session,
                    round_id=round_id,
                    factor_id=7,
                    updated_by=f"lead{index}@example.org",
                    changes={"dots": index + 1, "position": 0},
                )
        except BaseException as error:  # noqa: BLE001  (collected and asserted below)
            errors.append(error)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(save, range(THREADS)))
    assert errors == []
    with read_session(engine) as session:
        rows = session.execute(
            select(func.count()).select_from(AgendaItem).where(AgendaItem.round_id == round_id)
        ).scalar_one()
        frame = agenda_store.agenda_frame(session=session, round_id=round_id)
    assert rows == 1
    assert frame["factor_id"].tolist() == [7]
    assert 1 <= int(frame["dots"].iloc[0]) <= THREADS


def test_the_summary_is_one_row_per_round(engine: Engine, instrument: Instrument) -> None:
    round_id = _round(engine, instrument)
    with write_session(engine) as session:
        agenda_store.save_summary(session=session, round_id=round_id, text="a", closed_by="x")
    with write_session(engine) as session:
        agenda_store.save_summary(session=session, round_id=round_id, text="b", closed_by="y")
    with read_session(engine) as session:
        stored = agenda_store.summary(session=session, round_id=round_id)
    assert stored is not None and (stored.text, stored.closed_by) == ("b", "y")


def test_only_agenda_fields_can_be_changed(sqlite_engine: Engine, instrument: Instrument) -> None:
    round_id = _round(sqlite_engine, instrument)
    with pytest.raises(ValueError, match="round_id"), write_session(sqlite_engine) as session:
        agenda_store.save_item(
            session=session, round_id=round_id, factor_id=1, updated_by="x", changes={"round_id": 2}
        )
