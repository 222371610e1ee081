"""Survey submissions through the group-commit writer (store.submissions), on SQLite and
PostgreSQL: a workshop submitting at once is stored whole with tallies equal to a from-scratch
aggregation; repeats and replacements inside one burst behave as they do one by one; one bad
submission does not take the others down; a failing database reaches every submitter."""

from __future__ import annotations

import functools
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import ResponseIn
from lc_health.store import db
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Invitation, Response
from lc_health.store.responses import InvalidResponse, SaveResult
from lc_health.store.submissions import submit_response
from tests.factories import make_community, make_response_in, make_round
from tests.tally_checks import assert_tallies_match_scratch


def _round(engine: Engine, instrument: Instrument, links: int = 0) -> tuple[int, list[int]]:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        made = (
            istore.create_personal_links(session=session, community_id=community.id, count=links)
            if links
            else []
        )
        return rnd.id, [link.invitation_id for link in made]


def _submit(
    engine: Engine, response: ResponseIn, instrument: Instrument, **options: Any
) -> Callable[[], SaveResult]:
    """One participant's submission, ready to run in a thread."""
    return functools.partial(
        submit_response, engine, response_in=response, instrument=instrument, **options
    )


def _at_once(calls: list[Callable[[], SaveResult]]) -> list[SaveResult | BaseException]:
    """Run every call in its own thread, released together; results in call order."""
    results: list[SaveResult | BaseException] = [RuntimeError("not run")] * len(calls)
    start = threading.Barrier(len(calls))

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = calls[n]()
        except BaseException as exc:  # noqa: BLE001  (returned and asserted by the test)
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _count(engine: Engine, round_id: int) -> int:
    with read_session(engine) as session:
        return int(
            session.execute(
                select(func.count()).select_from(Response).where(Response.round_id == round_id)
            ).scalar_one()
        )


def test_a_workshop_at_once_is_stored_whole(engine: Engine, instrument: Instrument) -> None:
    round_id, _ = _round(engine, instrument)
    rng = random.Random(5)
    wave = [
        make_response_in(instrument, round_id=round_id, rng=rng, comment=f"c{n}" if n % 7 else None)
        for n in range(60)
    ]
    results = _at_once([_submit(engine, r, instrument) for r in wave])
    assert all(isinstance(r, SaveResult) and r.created for r in results), results
    ids = [r.response_id for r in results if isinstance(r, SaveResult)]
    assert len(set(ids)) == 60
    assert _count(engine, round_id) == 60
    with read_session(engine) as session:
        for resp, response_id in zip(wave, ids, strict=True):
            assert response_store.stored_answers(session=session, response_id=response_id) == dict(
                resp.answers
            )
            assert response_store.stored_forces(session=session, response_id=response_id) == set(
                resp.forces or ()
            )
            assert (
                response_store.stored_comment(session=session, response_id=response_id)
                == resp.comment
            )
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_a_double_click_in_one_burst_stores_one_response(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, _ = _round(engine, instrument)
    resp = make_response_in(instrument, round_id=round_id, submission_key="twice")
    others = [make_response_in(instrument, round_id=round_id) for _ in range(10)]
    results = _at_once(
        [_submit(engine, resp, instrument)] * 3 + [_submit(engine, r, instrument) for r in others]
    )
    same = [r for r in results[:3] if isinstance(r, SaveResult)]
    assert len(same) == 3
    assert len({r.response_id for r in same}) == 1
    assert sorted(r.created for r in same) == [False, False, True]
    assert _count(engine, round_id) == 11
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_a_personal_link_twice_in_one_burst_keeps_one_response(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, (link,) = _round(engine, instrument, links=1)
    first = make_response_in(instrument, round_id=round_id, invitation_id=link)
    changed = first.model_copy(
        update={"submission_key": "second", "answers": dict.fromkeys(first.answers, 2)}
    )
    results = _at_once(
        [_submit(engine, r, instrument, mark_invitation=link) for r in (first, changed)]
    )
    assert all(isinstance(r, SaveResult) for r in results), results
    assert len({r.response_id for r in results if isinstance(r, SaveResult)}) == 1
    assert _count(engine, round_id) == 1
    with read_session(engine) as session:
        stored = response_store.response_for(session=session, round_id=round_id, invitation_id=link)
        assert stored is not None and stored.id is not None
        # Whichever came second replaced the first: the answers are one submission's, whole.
        answers = response_store.stored_answers(session=session, response_id=stored.id)
        assert answers in (dict(first.answers), dict(changed.answers))
        invitation = session.get(Invitation, link)
        assert invitation is not None and invitation.last_used_at is not None
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_a_replacement_beside_new_submissions(engine: Engine, instrument: Instrument) -> None:
    round_id, (link,) = _round(engine, instrument, links=1)
    before = make_response_in(instrument, round_id=round_id, invitation_id=link)
    stored = submit_response(engine, response_in=before, instrument=instrument)
    after = before.model_copy(
        update={"submission_key": "again", "answers": dict.fromkeys(before.answers, 1)}
    )
    news = [make_response_in(instrument, round_id=round_id) for _ in range(8)]
    results = _at_once(
        [_submit(engine, after, instrument)] + [_submit(engine, r, instrument) for r in news]
    )
    assert results[0] == SaveResult(stored.response_id, created=False)
    assert all(isinstance(r, SaveResult) and r.created for r in results[1:])
    assert _count(engine, round_id) == 9
    with read_session(engine) as session:
        answers = response_store.stored_answers(session=session, response_id=stored.response_id)
    assert answers == dict(after.answers)
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_one_bad_submission_does_not_take_the_others_down(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, _ = _round(engine, instrument)
    good = [make_response_in(instrument, round_id=round_id) for _ in range(12)]
    # Valid for the instrument, but its round does not exist: the database refuses it.
    orphan = make_response_in(instrument, round_id=round_id + 999)
    results = _at_once([_submit(engine, r, instrument) for r in [*good, orphan]])
    assert all(isinstance(r, SaveResult) for r in results[:-1]), results
    assert isinstance(results[-1], IntegrityError)
    assert _count(engine, round_id) == 12
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_invalid_answers_are_refused_before_the_database(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, _ = _round(engine, instrument)
    good = make_response_in(instrument, round_id=round_id)
    bad = good.model_copy(update={"answers": {**good.answers, "no-such-item": 3}})
    with pytest.raises(InvalidResponse):
        submit_response(engine, response_in=bad, instrument=instrument)
    assert _count(engine, round_id) == 0


def test_a_database_that_fails_reaches_every_submitter(
    tmp_path: Path, instrument: Instrument
) -> None:
    path = tmp_path / "gone.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    round_id, _ = _round(engine, instrument)
    engine.dispose()
    path.unlink()
    path.mkdir()  # a folder where the database was: nothing can be opened or written
    wave: list[ResponseIn] = [make_response_in(instrument, round_id=round_id) for _ in range(5)]
    results = _at_once([_submit(engine, r, instrument) for r in wave])
    assert all(isinstance(r, OperationalError) for r in results), results
    engine.dispose()


def test_random_bursts_with_repeats_replacements_and_deletions(
    engine: Engine, instrument: Instrument
) -> None:
    round_id, links = _round(engine, instrument, links=6)
    rng = random.Random(11)
    expected: set[object] = set()  # one stored response per personal link or submission key
    for burst in range(4):
        wave: list[ResponseIn] = []
        for n in range(25):
            pick = rng.random()
            if pick < 0.3:
                resp = make_response_in(
                    instrument,
                    round_id=round_id,
                    rng=rng,
                    invitation_id=rng.choice(links),
                    submission_key=f"b{burst}-{n}",
                )
            elif pick < 0.45 and wave:
                resp = rng.choice(wave)  # a repeat of one already in this burst
            else:
                resp = make_response_in(
                    instrument,
                    round_id=round_id,
                    rng=rng,
                    submission_key=f"b{burst}-{n}",
                    forces=None
                    if rng.random() < 0.2
                    else frozenset(f.id for f in instrument.forces if rng.random() < 0.3),
                )
            wave.append(resp)
        results = _at_once([_submit(engine, r, instrument) for r in wave])
        assert all(isinstance(r, SaveResult) for r in results), results
        expected |= {
            ("link", r.invitation_id) if r.invitation_id else r.submission_key for r in wave
        }
        # Between bursts somebody withdraws.
        with read_session(engine) as session:
            ids = (
                session.execute(
                    select(Response.id).where(Response.round_id == round_id).order_by(Response.id)
                )
                .scalars()
                .all()
            )
        victim = rng.choice(ids)
        with write_session(engine) as session:
            row = session.get(Response, victim)
            assert row is not None
            gone = ("link", row.invitation_id) if row.invitation_id else row.submission_key
            response_store.delete_response(
                session=session, response_id=victim, instrument=instrument
            )
        expected.remove(gone)
    assert _count(engine, round_id) == len(expected)
    assert_tallies_match_scratch(engine, instrument, round_id)
