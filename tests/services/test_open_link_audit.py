"""The open-link audit trail: the salted session hash, recording, and the padding flag."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from lc_health.domain.instrument import Instrument
from lc_health.services.open_link_audit import (
    database_salt,
    is_straightlined,
    padding_flags,
    padding_review,
    record_submission,
    session_hash,
)
from lc_health.store import db, open_links
from lc_health.store.models import AppMeta
from lc_health.store.submissions import submit_response
from tests.factories import make_community, make_response_in, make_round

START = pd.Timestamp("2026-10-01 19:00", tz="UTC")


def _trail(rows: list[tuple[float, str, bool, int | None]], round_id: int = 1) -> pd.DataFrame:
    """(minutes after START, session hash, straightlined, seconds) -> a trail frame."""
    return pd.DataFrame(
        {
            "round_id": [round_id] * len(rows),
            "at": [START + pd.Timedelta(minutes=m) for m, _, _, _ in rows],
            "session_hash": [h for _, h, _, _ in rows],
            "straightlined": [s for _, _, s, _ in rows],
            "seconds": pd.array([sec for _, _, _, sec in rows], dtype="Int64"),
        }
    )


def _round(engine: Engine, instrument: Instrument) -> int:
    with db.write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return rnd.id


# The salted hash


def test_hash_is_stable_per_salt_and_differs_between_sessions() -> None:
    assert session_hash(salt="s1", session_id="a") == session_hash(salt="s1", session_id="a")
    assert session_hash(salt="s1", session_id="a") != session_hash(salt="s1", session_id="b")
    assert session_hash(salt="s1", session_id="a") != session_hash(salt="s2", session_id="a")
    digest = session_hash(salt="s1", session_id="a")
    assert len(digest) == 64 and "a" != digest


def test_salt_is_made_once_per_database(sqlite_engine: Engine, tmp_path: Path) -> None:
    with db.read_session(sqlite_engine) as session:
        assert open_links.stored_salt(session=session) is None
    first = database_salt(sqlite_engine)
    assert database_salt(sqlite_engine) == first
    assert len(first) == 64
    with db.read_session(sqlite_engine) as session:
        rows = session.execute(
            select(func.count()).select_from(AppMeta).where(AppMeta.key == open_links.SALT_KEY)
        ).scalar_one()
    assert rows == 1

    other = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    db.upgrade(other)
    try:
        other_salt = database_salt(other)
    finally:
        other.dispose()
    assert other_salt != first
    # The same browser session hashes differently in another database.
    assert session_hash(salt=first, session_id="x") != session_hash(salt=other_salt, session_id="x")


def test_a_salt_made_by_another_process_meanwhile_wins(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = database_salt(sqlite_engine)
    real = open_links.stored_salt
    calls = iter([None])  # the first look finds nothing, as if another process was not done

    def racing(*, session: object) -> str | None:
        return next(calls, real(session=session))  # type: ignore[arg-type]

    monkeypatch.setattr(open_links, "stored_salt", racing)
    assert database_salt(sqlite_engine) == first


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([5, 5, 5, 5], True),
        ([2] * 20, True),
        ([5, 5, None, 5, 5, None], True),  # don't know is ignored
        ([5, 5, 5], False),  # too few ratings to say
        ([5, 5, None, 5], False),
        ([5, 5, 5, 4], False),
        ([], False),
        ([None] * 10, False),
    ],
)
def test_straightlined(ratings: list[int | None], expected: bool) -> None:
    assert is_straightlined(ratings) is expected


# Recording and reading the trail


def test_trail_is_recorded_and_read_without_the_response(
    sqlite_engine: Engine, instrument: Instrument
) -> None:
    round_id = _round(sqlite_engine, instrument)
    record_submission(
        sqlite_engine, round_id=round_id, session_id="browser-1", ratings=[5] * 20, seconds=41
    )
    record_submission(
        sqlite_engine, round_id=round_id, session_id="browser-2", ratings=[1, 2, 3, 4], seconds=None
    )
    with db.read_session(sqlite_engine) as session:
        trail = open_links.open_link_trail(session=session, round_id=round_id)
        summary = open_links.open_link_rounds_summary(session=session)
        none = open_links.open_link_rounds_summary(session=session, community_ids=[])
    assert list(trail.columns) == ["round_id", "at", "session_hash", "straightlined", "seconds"]
    assert trail["straightlined"].tolist() == [True, False]
    assert trail["seconds"].tolist() == [41, pd.NA]
    salt = database_salt(sqlite_engine)
    assert trail["session_hash"].tolist() == [
        session_hash(salt=salt, session_id="browser-1"),
        session_hash(salt=salt, session_id="browser-2"),
    ]
    assert "browser-1" not in trail.to_string()
    assert summary[["round_id", "submissions"]].values.tolist() == [[round_id, 2]]
    assert none.empty


# The padding flag


def test_flag_fires_for_the_padding_attack(sqlite_engine: Engine, instrument: Instrument) -> None:
    """One real all-2 respondent, then four all-5 responses from fresh browsers within minutes,
    through the real submission path of an open-link-only round."""
    round_id = _round(sqlite_engine, instrument)
    for n, value in enumerate([2, 5, 5, 5, 5]):
        answers: dict[str, int | None] = dict.fromkeys((i.id for i in instrument.items), value)
        response = make_response_in(instrument, round_id=round_id, answers=answers)
        result = submit_response(sqlite_engine, response_in=response, instrument=instrument)
        assert result.created
        record_submission(
            sqlite_engine,
            round_id=round_id,
            session_id=f"fresh-browser-{n}",
            ratings=list(response.answers.values()),
            seconds=240 if n == 0 else 35,
        )
    with db.read_session(sqlite_engine) as session:
        trail = open_links.open_link_trail(session=session, round_id=round_id)
    flags = padding_flags(trail, threshold=5)
    assert len(flags) == 1
    verdict = flags.iloc[0]
    assert verdict["round_id"] == round_id
    assert bool(verdict["flagged"]) and bool(verdict["burst"]) and not bool(verdict["repeat"])
    assert verdict["submissions"] == 5 and verdict["sessions"] == 5
    assert verdict["made_up"] == 5  # the real all-2 response is straightlined too
    assert verdict["window_made_up"] == 5
    assert verdict["window_start"] == pd.Timestamp(trail["at"].min()).tz_convert("UTC")
    assert "session_hash" not in flags.columns
    assert not set(trail["session_hash"]) & set(flags.astype(str).to_numpy().ravel())


def test_flag_fires_for_four_straightlined_submissions_alone() -> None:
    trail = _trail([(m, f"h{m}", True, 300) for m in (0, 2, 3, 5)])
    assert bool(padding_flags(trail, threshold=5)["flagged"].iloc[0])


def test_flag_stays_quiet_for_a_workshop() -> None:
    """20 varied submissions taking 3 to 6 minutes, within half an hour."""
    rng = random.Random(7)
    rows = [(rng.uniform(0, 30), f"h{n}", False, rng.randint(180, 360)) for n in range(20)]
    flags = padding_flags(_trail(rows), threshold=5)
    verdict = flags.iloc[0]
    assert not bool(verdict["flagged"])
    assert verdict["submissions"] == 20 and verdict["sessions"] == 20
    assert verdict["made_up"] == 0 and verdict["window_made_up"] == 0
    assert pd.isna(verdict["window_start"])


def test_a_workshop_with_a_few_straightliners_is_not_flagged() -> None:
    rows = [(n * 1.5, f"h{n}", n in (3, 11, 17), 240) for n in range(20)]
    assert not bool(padding_flags(_trail(rows), threshold=5)["flagged"].iloc[0])


def test_made_up_submissions_spread_over_hours_are_not_a_burst() -> None:
    rows = [(n * 45, f"h{n}", True, 30) for n in range(6)]
    verdict = padding_flags(_trail(rows), threshold=5).iloc[0]
    assert verdict["made_up"] == 6 and verdict["window_made_up"] == 1
    assert not bool(verdict["flagged"])


def test_fast_submissions_count_as_made_up() -> None:
    rows = [(m, f"h{m}", False, 60) for m in (0, 1, 2, 3)]
    assert bool(padding_flags(_trail(rows), threshold=5)["burst"].iloc[0])
    assert not bool(padding_flags(_trail(rows), threshold=5, fast_seconds=30)["burst"].iloc[0])


def test_one_session_submitting_twice_is_flagged() -> None:
    rows = [(0, "same", False, 300), (50, "same", False, 280), (90, "other", False, 310)]
    verdict = padding_flags(_trail(rows), threshold=5).iloc[0]
    assert bool(verdict["repeat"]) and bool(verdict["flagged"]) and not bool(verdict["burst"])
    assert verdict["repeated_sessions"] == 1 and verdict["sessions"] == 2


@pytest.mark.parametrize(("threshold", "needed"), [(3, 2), (5, 4), (8, 7)])
def test_the_burst_needs_one_fewer_than_the_threshold(threshold: int, needed: int) -> None:
    below = _trail([(m, f"h{m}", True, None) for m in range(needed - 1)])
    at = _trail([(m, f"h{m}", True, None) for m in range(needed)])
    assert not bool(padding_flags(below, threshold=threshold)["flagged"].iloc[0])
    assert bool(padding_flags(at, threshold=threshold)["flagged"].iloc[0])


def test_an_empty_trail_has_no_verdicts() -> None:
    flags = padding_flags(_trail([]), threshold=5)
    assert flags.empty and "flagged" in flags.columns


def test_review_puts_flagged_rounds_first() -> None:
    quiet = _trail([(0, "a", False, 300)], round_id=1)
    padded = _trail([(m, f"p{m}", True, 30) for m in range(4)], round_id=2)
    rounds = pd.DataFrame(
        {
            "round_id": [1, 2],
            "community_id": [10, 20],
            "community": ["Kas", "Hub"],
            "period": ["2026-Q4", "2026-Q3"],
            "submissions": [1, 4],
        }
    )
    review = padding_review(rounds, pd.concat([quiet, padded]), threshold=5)
    assert review["community"].tolist() == ["Hub", "Kas"]
    assert review["flagged"].tolist() == [True, False]
    assert "round_id" not in review.columns and "session_hash" not in review.columns
