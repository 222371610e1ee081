"""Many participants at once: 200 submissions to one round from 50 threads through the store end
with exactly 200 responses, no errors, and tallies equal to a from-scratch aggregation; on
SQLite and on PostgreSQL. Repeated submissions of the same link never create a second response."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select

from lc_health import metrics
from lc_health.domain.instrument import Instrument
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store import tallies
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Answer, Response
from tests.factories import make_community, make_response_in, make_round

PARTICIPANTS = 200
THREADS = 50


def _setup(engine: Engine, instrument: Instrument) -> tuple[int, list[int]]:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        links = istore.create_personal_links(
            session=session, community_id=community.id, count=PARTICIPANTS
        )
        assert rnd.id is not None
        return rnd.id, [link.invitation_id for link in links]


def test_two_hundred_participants_at_once(engine: Engine, instrument: Instrument) -> None:
    round_id, invitations = _setup(engine, instrument)
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def participant(index: int) -> None:
        if index < THREADS:
            start.wait()  # the first wave really starts together
        rng = random.Random(index)
        response = make_response_in(
            instrument,
            round_id=round_id,
            rng=rng,
            invitation_id=invitations[index],
            submission_key=f"p{index}",
            comment=f"opmerking {index} 🌱",
        )
        try:
            # Every participant double-submits, as a double click would.
            for _ in range(2):
                with write_session(engine) as session:
                    response_store.save_response(
                        session=session, response_in=response, instrument=instrument
                    )
        except BaseException as exc:  # noqa: BLE001  (collected and asserted below)
            with lock:
                errors.append(exc)

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(participant, range(PARTICIPANTS)))
    elapsed = time.monotonic() - began
    assert errors == []
    assert elapsed < 60, f"200 participants took {elapsed:.1f} s"
    with read_session(engine) as session:
        count = session.execute(
            select(func.count()).select_from(Response).where(Response.round_id == round_id)
        ).scalar_one()
        answers = session.execute(select(func.count()).select_from(Answer)).scalar_one()
        counts = tallies.round_counts(session=session, round_ids=[round_id])
        scores = tallies.score_sums(session=session, round_ids=[round_id])
        raw = response_store.round_answers(session=session, round_id=round_id)
    assert count == PARTICIPANTS
    assert answers == PARTICIPANTS * len(instrument.items)
    assert counts["responses"].tolist() == [PARTICIPANTS]
    scratch = metrics.score_sums_from_answers(raw, metrics.item_map(instrument))
    got = scores.drop(columns="round_id").sort_values(["scope", "key"]).reset_index(drop=True)
    assert got["n"].tolist() == scratch["n"].tolist()
    assert (got["total"] - scratch["total"]).abs().max() < 1e-6
