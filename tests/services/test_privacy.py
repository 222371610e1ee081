"""Privacy on SQLite and PostgreSQL: a participant withdraws, an administrator exports and erases
one link's data, and the retention setting deletes old raw answers while the tallies stay
exactly as they were. Tokens never reach the database, the audit log or the log output."""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import col

from lc_health.domain.instrument import Instrument, Registry
from lc_health.services import privacy
from lc_health.store import invitations as istore
from lc_health.store import responses as response_store
from lc_health.store import tallies
from lc_health.store.db import make_engine, read_session, write_session
from lc_health.store.models import (
    Answer,
    AuditEvent,
    Comment,
    ForceMark,
    ForceTally,
    Invitation,
    ItemTally,
    Response,
    RoundTally,
    ScoreTally,
    SignInSession,
    User,
    utcnow,
)
from tests.factories import make_community, make_response_in, make_round
from tests.tally_checks import assert_tallies_match_scratch

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# period -> (opens_on, closes_on); relative to TODAY: long closed, closed exactly three years
# ago (kept with a three-year retention), closed last quarter, open now.
ROUNDS = {
    "2019-Q2": (date(2019, 4, 1), date(2019, 6, 30)),
    "2023-Q4": (date(2023, 10, 1), date(2023, 11, 28)),
    "2026-Q3": (date(2026, 7, 1), date(2026, 9, 30)),
    "2026-Q4": (date(2026, 10, 1), date(2026, 12, 31)),
}
OTHERS = 6  # other participants per round


@dataclass
class World:
    engine: Engine
    rounds: dict[str, int]
    token: str  # the participant under test: answered in every round
    invitation_id: int
    other_token: str
    open_token: str
    revoked_token: str


def _save(engine: Engine, instrument: Instrument, **kw: Any) -> int:
    with write_session(engine) as session:
        result = response_store.save_response(
            session=session, response_in=make_response_in(instrument, **kw), instrument=instrument
        )
    return result.response_id


@pytest.fixture
def world(engine: Engine, instrument: Instrument) -> World:
    rng = random.Random(8)
    with write_session(engine) as session:
        community = make_community(session, name=f"Privacylab {rng.random()}")
        assert community.id is not None
        rounds = {}
        for period, (opens_on, closes_on) in ROUNDS.items():
            rnd = make_round(
                session,
                instrument,
                community_id=community.id,
                period=period,
                opens_on=opens_on,
                closes_on=closes_on,
            )
            assert rnd.id is not None
            rounds[period] = rnd.id
        me, other, revoked = istore.create_personal_links(
            session=session, community_id=community.id, count=3, label="Workshop maart"
        )
        istore.revoke(session=session, invitation_id=revoked.invitation_id)
        open_link = istore.create_open_link(session=session, round_id=rounds["2026-Q4"])
        keys = {
            link.invitation_id: session.get(Invitation, link.invitation_id).respondent_key  # type: ignore[union-attr]
            for link in (me, other, revoked)
        }
    for period, round_id in rounds.items():
        for link in (me, other, revoked):
            _save(
                engine,
                instrument,
                round_id=round_id,
                invitation_id=link.invitation_id,
                respondent_key=keys[link.invitation_id],
                rng=rng,
                comment=f"mijn opmerking {period}" if link is me else f"andere {period}",
            )
        for n in range(OTHERS):
            _save(
                engine,
                instrument,
                round_id=round_id,
                rng=rng,
                submission_key=f"o{period}{n}",
                comment="open opmerking" if n == 0 else None,
                forces=None if n == 1 else frozenset({instrument.forces[n].id}),
            )
    return World(
        engine, rounds, me.token, me.invitation_id, other.token, open_link.token, revoked.token
    )


def _count(engine: Engine, model: type, *where: Any) -> int:
    with read_session(engine) as session:
        stmt = select(func.count()).select_from(model)
        for clause in where:
            stmt = stmt.where(clause)
        return int(session.execute(stmt).scalar_one())


def _responses_of(engine: Engine, invitation_id: int) -> int:
    return _count(engine, Response, col(Response.invitation_id) == invitation_id)


def _round_responses(engine: Engine, round_id: int) -> int:
    with read_session(engine) as session:
        counts = tallies.round_counts(session=session, round_ids=[round_id])
    return int(counts["responses"].iloc[0])


def _audit(engine: Engine) -> list[AuditEvent]:
    with read_session(engine) as session:
        return list(session.execute(select(AuditEvent).order_by(col(AuditEvent.id))).scalars())


def _secrets_absent(engine: Engine, *tokens: str) -> None:
    """Neither a token nor its hash appears in any audit event."""
    from lc_health.domain.credentials import hash_token

    text = json.dumps([(e.actor, e.action, e.target, e.detail) for e in _audit(engine)])
    for token in tokens:
        assert token not in text and hash_token(token) not in text


def test_withdraw_removes_every_round_and_tallies_stay_right(
    world: World, registry: Registry, instrument: Instrument, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with read_session(world.engine) as session:
        my_ids = list(
            session.execute(
                select(Response.id).where(col(Response.invitation_id) == world.invitation_id)
            ).scalars()
        )
    assert len(my_ids) == len(ROUNDS)
    with write_session(world.engine) as session:
        removed = privacy.withdraw(
            session=session, token=world.token, today=TODAY, instrument_for=registry.get
        )
    assert removed.outcome == privacy.Outcome.done
    assert removed.responses == len(ROUNDS)
    assert removed.periods == tuple(sorted(ROUNDS))
    assert removed.closed_periods == ("2019-Q2", "2023-Q4", "2026-Q3")  # 2026-Q4 is open
    assert _responses_of(world.engine, world.invitation_id) == 0
    for model in (Answer, ForceMark, Comment):
        assert _count(world.engine, model, col(model.response_id).in_(my_ids)) == 0
    assert _count(world.engine, Comment) == len(ROUNDS) * 3  # the others' comments stay
    for round_id in world.rounds.values():
        assert _round_responses(world.engine, round_id) == OTHERS + 2
        assert_tallies_match_scratch(world.engine, instrument, round_id)
    with read_session(world.engine) as session:  # the link keeps working
        resolved = istore.resolve(session=session, token=world.token, today=TODAY)
    assert resolved.status == istore.LinkStatus.ok
    (event,) = _audit(world.engine)
    assert event.action == "privacy.withdraw" and json.loads(event.detail) == {"responses": 4}
    _secrets_absent(world.engine, world.token)
    assert world.token not in caplog.text


def test_withdraw_again_finds_nothing(world: World, registry: Registry) -> None:
    for expected in (len(ROUNDS), 0):
        with write_session(world.engine) as session:
            removed = privacy.withdraw(
                session=session, token=world.token, today=TODAY, instrument_for=registry.get
            )
        assert (removed.outcome, removed.responses) == (privacy.Outcome.done, expected)
    assert [e.action for e in _audit(world.engine)] == ["privacy.withdraw"]  # not for nothing


@pytest.mark.parametrize(
    ("which", "outcome"),
    [
        ("open", privacy.Outcome.not_personal),
        ("revoked", privacy.Outcome.revoked),
        ("unknown", privacy.Outcome.unknown),
        ("empty", privacy.Outcome.unknown),
    ],
)
def test_withdraw_refuses_other_links_and_deletes_nothing(
    world: World, registry: Registry, which: str, outcome: privacy.Outcome
) -> None:
    token = {
        "open": world.open_token,
        "revoked": world.revoked_token,
        "unknown": "B" * 43,
        "empty": "",
    }[which]
    before = _count(world.engine, Response)
    with write_session(world.engine) as session:
        removed = privacy.withdraw(
            session=session, token=token, today=TODAY, instrument_for=registry.get
        )
    assert removed == privacy.Removed(outcome)
    assert _count(world.engine, Response) == before
    assert _audit(world.engine) == []


def test_erase_removes_the_respondent_and_unlinks_the_link(
    world: World, registry: Registry, instrument: Instrument
) -> None:
    with read_session(world.engine) as session:
        old_key = session.get(Invitation, world.invitation_id).respondent_key  # type: ignore[union-attr]
    with write_session(world.engine) as session:
        removed = privacy.erase_token(
            session=session,
            token=world.token,
            actor="beheer@example.org",
            instrument_for=registry.get,
            today=TODAY,
        )
    assert (removed.outcome, removed.responses) == (privacy.Outcome.done, len(ROUNDS))
    assert _responses_of(world.engine, world.invitation_id) == 0
    assert _count(world.engine, Response, col(Response.respondent_key) == old_key) == 0
    for round_id in world.rounds.values():
        assert_tallies_match_scratch(world.engine, instrument, round_id)
    with read_session(world.engine) as session:
        link = session.get(Invitation, world.invitation_id)
        assert link is not None
        assert link.revoked_at is not None and link.respondent_key != old_key
        assert link.label == "" and link.last_used_at is None
        resolved = istore.resolve(session=session, token=world.token, today=TODAY)
        assert resolved.status == istore.LinkStatus.revoked
    (event,) = _audit(world.engine)
    assert (event.actor, event.action) == ("beheer@example.org", "privacy.erase")
    assert json.loads(event.detail) == {"link": world.invitation_id, "responses": 4}
    _secrets_absent(world.engine, world.token)


def test_erase_of_an_open_link_or_unknown_token_changes_nothing(
    world: World, registry: Registry
) -> None:
    before = _count(world.engine, Response)
    with write_session(world.engine) as session:
        for token, outcome in (
            (world.open_token, privacy.Outcome.not_personal),
            ("nope", privacy.Outcome.unknown),
        ):
            removed = privacy.erase_token(
                session=session, token=token, actor="a@example.org", instrument_for=registry.get
            )
            assert removed.outcome == outcome
    assert _count(world.engine, Response) == before and _audit(world.engine) == []


def test_export_holds_exactly_that_links_data(world: World) -> None:
    from lc_health.domain.credentials import hash_token

    with read_session(world.engine) as session:
        export = privacy.export_token(session=session, token=world.token)
        mine = list(
            session.execute(
                select(Response).where(col(Response.invitation_id) == world.invitation_id)
            ).scalars()
        )
        expected_answers = {
            r.id: response_store.stored_answers(session=session, response_id=r.id)  # type: ignore[arg-type]
            for r in mine
        }
        expected_forces = {
            r.id: response_store.stored_forces(session=session, response_id=r.id)  # type: ignore[arg-type]
            for r in mine
        }
    text = json.dumps(export, ensure_ascii=False)  # serialisable as it is
    assert hash_token(world.token) not in text and world.token not in text
    assert "token_hash" not in text
    assert "andere" not in text and "open opmerking" not in text  # nobody else's comments
    data = json.loads(text)
    assert data["link"]["id"] == world.invitation_id
    assert data["link"]["kind"] == "personal" and data["link"]["label"] == "Workshop maart"
    assert data["link"]["revoked_at"] is None
    assert {r["response_id"] for r in data["responses"]} == {r.id for r in mine}
    assert [r["round"]["period"] for r in data["responses"]] == sorted(ROUNDS)
    for entry in data["responses"]:
        rid = entry["response_id"]
        assert entry["answers"] == expected_answers[rid]
        forces = expected_forces[rid]
        assert entry["forces"] == (sorted(forces) if forces is not None else None)
        assert entry["comment"] == f"mijn opmerking {entry['round']['period']}"
        assert entry["role"] == "student" and entry["organisation_type"] == "mbo"
        assert entry["round"]["raw_answers_purged"] is False


def test_export_of_an_open_link_has_no_responses_and_unknown_raises(world: World) -> None:
    with read_session(world.engine) as session:
        export = privacy.export_token(session=session, token=world.open_token)
        assert export["link"]["kind"] == "open" and export["link"]["round"] == "2026-Q4"
        assert export["responses"] == []
        with pytest.raises(privacy.UnknownLink):
            privacy.export_token(session=session, token="C" * 43)


def test_stored_summarises_without_content(world: World) -> None:
    with read_session(world.engine) as session:
        summary = privacy.stored(session=session, token=world.token)
        assert privacy.stored(session=session, token="D" * 43) is None
    assert summary == privacy.Stored(
        invitation_id=world.invitation_id,
        community=summary.community if summary else "",
        kind=privacy.LinkKind.personal,
        revoked=False,
        responses=4,
        comments=4,
        periods=tuple(sorted(ROUNDS)),
    )


def _tally_rows(engine: Engine, round_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored tally row of a round, as stored (floats compared exactly)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with read_session(engine) as session:
        for model in (RoundTally, ItemTally, ScoreTally, ForceTally):
            table = model.__table__  # type: ignore[attr-defined]
            columns = [c for c in table.columns if c.name != "raw_purged"]
            rows = session.execute(
                select(*columns).where(table.c.round_id == round_id).order_by(*columns)
            ).all()
            out[model.__name__] = [tuple(r) for r in rows]
    return out


def _raw_rows(engine: Engine, round_id: int) -> dict[str, int]:
    in_round = select(Response.id).where(col(Response.round_id) == round_id)
    return {
        "responses": _count(engine, Response, col(Response.round_id) == round_id),
        **{
            m.__name__: _count(engine, m, col(m.response_id).in_(in_round))
            for m in (Answer, ForceMark, Comment)
        },
    }


def _purged(engine: Engine, round_id: int) -> bool:
    with read_session(engine) as session:
        row = session.get(RoundTally, round_id)
        return bool(row and row.raw_purged)


def test_retention_deletes_old_raw_answers_and_keeps_tallies_exactly(
    world: World, registry: Registry, instrument: Instrument
) -> None:
    old, boundary = world.rounds["2019-Q2"], world.rounds["2023-Q4"]
    tallies_before = {rid: _tally_rows(world.engine, rid) for rid in world.rounds.values()}
    raw_before = {rid: _raw_rows(world.engine, rid) for rid in world.rounds.values()}
    assert raw_before[old]["responses"] == OTHERS + 3
    with read_session(world.engine) as session:
        preview = privacy.purge_preview(session=session, now=NOW, years=3)
    with write_session(world.engine) as session:
        counts = privacy.purge_expired(session=session, now=NOW, years=3, actor="test")
    assert counts == preview
    assert counts == privacy.PurgeCounts(
        rounds=1,
        responses=OTHERS + 3,
        answers=raw_before[old]["Answer"],
        force_marks=raw_before[old]["ForceMark"],
        comments=raw_before[old]["Comment"],
    )
    assert _raw_rows(world.engine, old) == {
        "responses": 0,
        "Answer": 0,
        "ForceMark": 0,
        "Comment": 0,
    }
    assert _purged(world.engine, old)
    for rid in world.rounds.values():
        assert _tally_rows(world.engine, rid) == tallies_before[rid]  # not a digit changed
        if rid != old:  # a round that closed exactly three years ago, or later: untouched
            assert _raw_rows(world.engine, rid) == raw_before[rid]
            assert not _purged(world.engine, rid)
    assert not _purged(world.engine, boundary)
    (event,) = _audit(world.engine)
    assert event.action == "privacy.purge" and json.loads(event.detail)["responses"] == 9

    with write_session(world.engine) as session:  # a second run has nothing left to do
        assert privacy.purge_expired(session=session, now=NOW, years=3) == privacy.PurgeCounts()
    # A repair cannot wipe the purged round's figures by "rebuilding" them from nothing.
    with pytest.raises(tallies.RawAnswersPurged), write_session(world.engine) as session:
        tallies.rebuild_round(session=session, round_id=old, instrument=instrument)
    assert _tally_rows(world.engine, old) == tallies_before[old]
    # A withdrawal afterwards leaves the purged round's tallies alone and fixes the others.
    with write_session(world.engine) as session:
        removed = privacy.withdraw(
            session=session, token=world.token, today=TODAY, instrument_for=registry.get
        )
    assert removed.periods == ("2023-Q4", "2026-Q3", "2026-Q4")
    assert _tally_rows(world.engine, old) == tallies_before[old]
    for period in ("2023-Q4", "2026-Q3", "2026-Q4"):
        assert_tallies_match_scratch(world.engine, instrument, world.rounds[period])


def test_retention_off_deletes_nothing(world: World) -> None:
    before = _count(world.engine, Response)
    with write_session(world.engine) as session:
        assert privacy.purge_expired(session=session, now=NOW, years=0) == privacy.PurgeCounts()
    assert _count(world.engine, Response) == before
    assert not any(_purged(world.engine, rid) for rid in world.rounds.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://lc.example.org/?t=abc_DEF-123&lang=nl", "abc_DEF-123"),
        ("  abc_DEF-123 \n", "abc_DEF-123"),
        ("https://lc.example.org/?lang=nl", None),
        ("", None),
        ("two words", None),
        ("x" * 201, None),
    ],
)
def test_token_from_text(text: str, expected: str | None) -> None:
    assert privacy.token_from_text(text) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2026, 11, 28), 3, date(2023, 11, 28)),
        (date(2028, 2, 29), 1, date(2027, 2, 28)),
        (date(2026, 1, 1), 0, None),
    ],
)
def test_retention_cutoff(day: date, years: int, expected: date | None) -> None:
    assert privacy.retention_cutoff(day, years) == expected


def _cli_purge(url: str, years: int) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LC_HEALTH_DATABASE_URL=url, LC_HEALTH_RETENTION_YEARS=str(years))
    return subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", "purge"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_purge_command(demo_db: str) -> None:
    engine = make_engine(demo_db)
    with read_session(engine) as session:
        round_ids = list(session.execute(select(RoundTally.round_id)).scalars())
    before = {rid: _tally_rows(engine, rid) for rid in round_ids}
    responses = _count(engine, Response)

    with write_session(engine) as session:
        user_id = session.execute(select(User.id).limit(1)).scalar_one()
        past = utcnow() - timedelta(days=2)
        session.add(
            SignInSession(user_id=user_id, token_hash="expired", created_at=past, expires_at=past)
        )
    off = _cli_purge(demo_db, 0)
    assert off.returncode == 0, off.stderr
    assert "no answers purged" in off.stdout and _count(engine, Response) == responses
    # Expired sign-in sessions go whatever the retention setting.
    assert "removed 1 expired sign-in session\n" in off.stdout
    assert _count(engine, SignInSession) == 0

    # The demo's rounds run from 2025-Q1; a year's retention always finds some to purge.
    done = _cli_purge(demo_db, 1)
    assert done.returncode == 0, done.stderr
    assert "aggregates kept" in done.stdout and "rounds 0" not in done.stdout
    assert 0 < _count(engine, Response) < responses
    assert {rid: _tally_rows(engine, rid) for rid in round_ids} == before
    again = _cli_purge(demo_db, 1)
    assert "rounds 0, responses 0" in again.stdout
    engine.dispose()
