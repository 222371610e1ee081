"""Saving responses on SQLite and PostgreSQL: round trip, all or nothing, idempotency, replacing,
deleting, and tallies that always equal a from-scratch aggregation of the raw answers."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument
from lc_health.store import responses as response_store
from lc_health.store import tallies
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Answer, Comment, ForceMark, Invitation, Response
from tests.factories import make_community, make_response_in, make_round
from tests.tally_checks import assert_tallies_match_scratch


def _new_round(engine: Engine, instrument: Instrument) -> int:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return rnd.id


def _count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_round_trip(engine: Engine, instrument: Instrument) -> None:
    round_id = _new_round(engine, instrument)
    answers: dict[str, int | None] = {
        item.id: (n % 5) + 1 for n, item in enumerate(instrument.items)
    }
    answers[instrument.items[3].id] = None
    forces = frozenset(f.id for f in instrument.forces[:3])
    comment = "Goed overleg 👍 <b>echt</b> — *meer* tijd graag"
    resp = make_response_in(
        instrument,
        round_id=round_id,
        answers=answers,
        forces=forces,
        comment=comment,
        language="en",
        role="teacher",
        organisation_type="hbo",
    )
    with write_session(engine) as session:
        result = response_store.save_response(
            session=session, response_in=resp, instrument=instrument
        )
    assert result.created
    with read_session(engine) as session:
        assert (
            response_store.stored_answers(session=session, response_id=result.response_id)
            == answers
        )
        assert (
            response_store.stored_forces(session=session, response_id=result.response_id) == forces
        )
        assert (
            response_store.stored_comment(session=session, response_id=result.response_id)
            == comment
        )
        row = session.get(Response, result.response_id)
        assert row is not None
        assert (row.language, row.role, row.organisation_type, row.source) == (
            "en",
            "teacher",
            "hbo",
            "web",
        )
        assert row.instrument_version == instrument.version
        assert row.answered_forces is True


def test_failing_save_leaves_nothing(engine: Engine, instrument: Instrument) -> None:
    """A response whose last write fails (a foreign key to a missing organisation) stores no
    answer, mark, comment or tally."""
    round_id = _new_round(engine, instrument)
    resp = make_response_in(
        instrument,
        round_id=round_id,
        rng=random.Random(1),
        comment="hello",
        organisation_id=987654,
    )
    with pytest.raises(IntegrityError), write_session(engine) as session:
        response_store.save_response(session=session, response_in=resp, instrument=instrument)
    for model in (Response, Answer, ForceMark, Comment):
        assert _count(engine, model) == 0, model
    with read_session(engine) as session:
        assert tallies.round_counts(session=session, round_ids=[round_id]).empty
        assert tallies.score_sums(session=session, round_ids=[round_id]).empty


def test_invalid_response_is_refused_before_writing(engine: Engine, instrument: Instrument) -> None:
    round_id = _new_round(engine, instrument)
    answers: dict[str, int | None] = {instrument.items[0].id: 6, "no_such_item": 3}
    resp = make_response_in(
        instrument,
        round_id=round_id,
        answers=answers,
        forces=frozenset({"fac_nope"}),
        role="astronaut",
    )
    with pytest.raises(response_store.InvalidResponse) as info, write_session(engine) as session:
        response_store.save_response(session=session, response_in=resp, instrument=instrument)
    assert info.value.problems == [
        f"answers.{instrument.items[0].id}: 6 is not on the 1-5 scale",
        "answers.no_such_item: unknown item",
        "forces.fac_nope: unknown facilitating or hindering factor",
        "role: unknown role 'astronaut'",
    ]
    assert _count(engine, Response) == 0


def test_same_submission_twice_is_stored_once(engine: Engine, instrument: Instrument) -> None:
    round_id = _new_round(engine, instrument)
    resp = make_response_in(instrument, round_id=round_id, submission_key="double-click")
    with write_session(engine) as session:
        first = response_store.save_response(
            session=session, response_in=resp, instrument=instrument
        )
    with write_session(engine) as session:
        second = response_store.save_response(
            session=session, response_in=resp, instrument=instrument
        )
    assert first.created and not second.created
    assert first.response_id == second.response_id
    assert _count(engine, Response) == 1
    with read_session(engine) as session:
        assert tallies.round_counts(session=session, round_ids=[round_id])[
            "responses"
        ].tolist() == [1]


def _personal_invitation(engine: Engine, community_id: int, n: int = 0) -> int:
    with write_session(engine) as session:
        inv = Invitation(
            community_id=community_id, token_hash=f"{n:064d}", respondent_key=f"rk{n:030d}"
        )
        session.add(inv)
        session.flush()
        assert inv.id is not None
        return inv.id


def test_personal_link_replaces_its_earlier_answers(engine: Engine, instrument: Instrument) -> None:
    round_id = _new_round(engine, instrument)
    with read_session(engine) as session:
        community_id = response_store.round_of(session=session, round_id=round_id).community_id  # type: ignore[union-attr]
    invitation_id = _personal_invitation(engine, community_id)
    rng = random.Random(7)
    first = make_response_in(
        instrument, round_id=round_id, invitation_id=invitation_id, rng=rng, comment="eerst"
    )
    second = make_response_in(
        instrument,
        round_id=round_id,
        invitation_id=invitation_id,
        rng=rng,
        comment=None,
        forces=None,
    )
    with write_session(engine) as session:
        a = response_store.save_response(session=session, response_in=first, instrument=instrument)
    with write_session(engine) as session:
        b = response_store.save_response(session=session, response_in=second, instrument=instrument)
    assert a.created and not b.created and a.response_id == b.response_id
    assert _count(engine, Response) == 1
    assert _count(engine, Comment) == 0
    with read_session(engine) as session:
        assert (
            response_store.stored_answers(session=session, response_id=a.response_id)
            == second.answers
        )
        assert response_store.stored_forces(session=session, response_id=a.response_id) is None
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_tallies_match_scratch_after_random_edits_and_deletions(
    engine: Engine, instrument: Instrument
) -> None:
    round_id = _new_round(engine, instrument)
    with read_session(engine) as session:
        community_id = response_store.round_of(session=session, round_id=round_id).community_id  # type: ignore[union-attr]
    rng = random.Random(2026)
    invitations = [_personal_invitation(engine, community_id, n) for n in range(8)]
    stored: list[int] = []
    for step in range(40):
        action = rng.random()
        with write_session(engine) as session:
            if action < 0.15 and stored:
                victim = stored.pop(rng.randrange(len(stored)))
                response_store.delete_response(
                    session=session, response_id=victim, instrument=instrument
                )
                continue
            invitation = rng.choice(invitations) if action < 0.6 else None
            resp = make_response_in(
                instrument,
                round_id=round_id,
                rng=rng,
                invitation_id=invitation,
                forces=None
                if rng.random() < 0.2
                else frozenset(f.id for f in instrument.forces if rng.random() < 0.3),
                submission_key=f"s{step}",
            )
            result = response_store.save_response(
                session=session, response_in=resp, instrument=instrument
            )
            if result.created:
                stored.append(result.response_id)
    with read_session(engine) as session:
        counts = tallies.round_counts(session=session, round_ids=[round_id])
    assert counts["responses"].tolist() == [len(stored)]
    assert_tallies_match_scratch(engine, instrument, round_id)


def test_paper_response_without_forces_does_not_count_in_force_shares(
    engine: Engine, instrument: Instrument
) -> None:
    round_id = _new_round(engine, instrument)
    with write_session(engine) as session:
        for n, forces in enumerate((None, frozenset({instrument.forces[0].id}))):
            resp = make_response_in(
                instrument,
                round_id=round_id,
                forces=forces,
                source=Source.paper,
                submission_key=f"p{n}",
            )
            response_store.save_response(session=session, response_in=resp, instrument=instrument)
    with read_session(engine) as session:
        counts = tallies.round_counts(session=session, round_ids=[round_id])
        forces_frame = tallies.force_counts(session=session, round_ids=[round_id])
    assert counts[["responses", "forces_respondents"]].values.tolist() == [[2, 1]]
    assert forces_frame[["force_id", "n"]].values.tolist() == [[instrument.forces[0].id, 1]]


def test_round_answers_frame_keeps_dont_know_as_missing(
    engine: Engine, instrument: Instrument
) -> None:
    round_id = _new_round(engine, instrument)
    answers: dict[str, int | None] = {instrument.items[0].id: None, instrument.items[1].id: 5}
    with write_session(engine) as session:
        response_store.save_response(
            session=session,
            response_in=make_response_in(instrument, round_id=round_id, answers=answers),
            instrument=instrument,
        )
    with read_session(engine) as session:
        frame = response_store.round_answers(session=session, round_id=round_id)
    frame = frame.sort_values("item_id").reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "item_id": sorted(answers),
            "value": pd.array([answers[k] for k in sorted(answers)], dtype="Int64"),
        }
    )
    assert_frame_equal(frame[["item_id", "value"]], expected, check_dtype=False)


def test_many_rounds_read_at_once_equal_round_by_round(
    engine: Engine, instrument: Instrument
) -> None:
    """Tally reads for more rounds than fit one placeholder each (one array parameter) give the
    same rows as reading each round; submission times round-trip unchanged."""
    rng = random.Random(11)
    round_ids: list[int] = []
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        for n in range(tallies.MANY_IDS + 5):
            rnd = make_round(
                session, instrument, community_id=community.id, period=f"{1900 + n}-Q1"
            )
            assert rnd.id is not None
            round_ids.append(rnd.id)
            resp = make_response_in(instrument, round_id=rnd.id, rng=rng, submission_key=f"m{n}")
            response_store.save_response(session=session, response_in=resp, instrument=instrument)
    with read_session(engine) as session:
        together = tallies.score_sums(session=session, round_ids=round_ids)
        apart = pd.concat(
            [tallies.score_sums(session=session, round_ids=[r]) for r in round_ids],
            ignore_index=True,
        )
        counts = tallies.round_counts(session=session, round_ids=round_ids)
    keys = ["round_id", "scope", "key"]
    assert_frame_equal(
        together.sort_values(keys).reset_index(drop=True),
        apart.sort_values(keys).reset_index(drop=True),
    )
    assert sorted(counts["round_id"]) == sorted(round_ids)
    moment = pd.Timestamp("2026-05-04 10:11:12.123456", tz="UTC").to_pydatetime()
    resp = make_response_in(instrument, round_id=round_ids[0], submitted_at=moment)
    with write_session(engine) as session:
        saved = response_store.save_response(
            session=session, response_in=resp, instrument=instrument
        )
    with read_session(engine) as session:
        row = session.get(Response, saved.response_id)
        assert row is not None
        assert row.submitted_at == moment and row.updated_at == moment
