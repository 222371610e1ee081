"""Synthetic benchmark data: communities, organisations, rounds, personal links, actions, and
then responses with their answers, force marks, comments and per-round tallies in bulk.

The small tables go through SQLAlchemy; the millions of answer rows go through a bulk loader,
and the tallies are computed for a whole batch of rounds at once (bulk_tallies) instead of one
save_response per respondent.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, insert

from lc_health.bench.bulk_tallies import TallyRows, tally_rows
from lc_health.bench.loader import Loader, PostgresLoader, SqliteLoader
from lc_health.bench.scales import Scale
from lc_health.bench.synth import DONT_KNOW, Batch, Stories, draw_batch, stories
from lc_health.bench.target import MARKER, Target
from lc_health.domain.demo_data import COMMENTS, ROLE_MIX
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import Period
from lc_health.store.db import write_session
from lc_health.store.models import (
    Action,
    AppMeta,
    Community,
    Invitation,
    Membership,
    Organisation,
    Round,
)
from lc_health.store.portfolio_digests import rebuild_portfolio_digests
from lc_health.store.portfolio_summaries import rebuild_portfolio_summaries

T = TypeVar("T")
SEED = 20261
# Communities drawn and loaded per batch: bounds the memory of a load at any scale.
BATCH_COMMUNITIES = 50
MEMBERS = 4  # organisations per community
SECTORS = ("Horticulture", "Health care", "Energy", "Logistics", "ICT", "Food")
REGIONS = ("Zuid-Holland", "Noord-Holland", "Utrecht", "Gelderland", "Noord-Brabant")
PHASES = ("starting", "developing", "sustaining")
ORG_TYPES = ("mbo", "hbo", "company", "government", "other")
ORG_WEIGHTS = (0.25, 0.25, 0.3, 0.15, 0.05)
ENGLISH_SHARE = 0.2

RESPONSE_COLUMNS = (
    "id",
    "round_id",
    "invitation_id",
    "respondent_key",
    "submission_key",
    "source",
    "import_batch_id",
    "language",
    "role",
    "organisation_id",
    "organisation_type",
    "instrument_version",
    "answered_forces",
    "submitted_at",
    "updated_at",
)
ITEM_TALLY_COLUMNS = ("round_id", "item_id", "n1", "n2", "n3", "n4", "n5", "n_dk")
SCORE_TALLY_COLUMNS = ("round_id", "scope", "key", "n", "total", "total_sq")


@dataclass(frozen=True)
class Generated:
    seconds: float
    cpu_seconds: float  # this process's (a PostgreSQL server's own work is not in it)
    communities: int
    rounds: int
    responses: int
    answers: int
    force_marks: int


@dataclass(frozen=True)
class People:
    """Every personal link of the portfolio, by position (invitation id = position + 1)."""

    key: list[str]
    organisation_id: npt.NDArray[np.int64]
    organisation_type: list[str]
    role: list[str]
    language: list[str]


def periods(rounds: int, today: date) -> list[Period]:
    """The last `rounds` quarters, the current one (still open) last."""
    last = Period.containing(today)
    first = last
    for _ in range(rounds - 1):
        first = first.previous()
    return list(first.through(last))


def _token_hash(position: int) -> str:
    return hashlib.sha256(f"bench-link-{position}".encode()).hexdigest()


def _people(
    scale: Scale, members: list[list[int]], org_types: list[str], rng: np.random.Generator
) -> People:
    """Each person's organisation (the community's members in turn), a role that fits its
    type, and a language; drawn per organisation type, all people of a type at once."""
    count = scale.communities * scale.people
    position = np.arange(count)
    org = np.array(members, dtype=np.int64)[position // scale.people, position % MEMBERS]
    types = np.array(org_types)[org]
    role = np.empty(count, dtype=object)
    for kind, roles in ROLE_MIX.items():
        mine = np.flatnonzero(types == kind)
        weights = np.array([w for _, w in roles], dtype=float)
        names = np.array([name for name, _ in roles], dtype=object)
        role[mine] = names[rng.choice(len(roles), size=len(mine), p=weights / weights.sum())]
    english = rng.random(count) < ENGLISH_SHARE
    return People(
        key=[f"bench{p:027d}" for p in range(count)],
        organisation_id=org + 1,
        organisation_type=types.tolist(),
        role=role.tolist(),
        language=np.where(english, "en", "nl").tolist(),
    )


def _base(
    engine: Engine, scale: Scale, instrument: Instrument, rng: np.random.Generator, today: date
) -> People:
    """Communities, organisations, memberships, rounds, personal links and a few actions."""
    c_count = scale.communities
    org_count = max(MEMBERS, c_count * 2)
    org_types = rng.choice(ORG_TYPES, size=org_count, p=ORG_WEIGHTS).tolist()
    members = [[(c * 2 + j) % org_count for j in range(MEMBERS)] for c in range(c_count)]
    quarters = periods(scale.rounds, today)
    now = datetime.now(UTC)
    people = _people(scale, members, org_types, rng)
    with write_session(engine) as session:
        session.execute(
            insert(Organisation),
            [
                {"id": o + 1, "name": f"Bench organisation {o + 1:05d}", "type": t}
                for o, t in enumerate(org_types)
            ],
        )
        session.execute(
            insert(Community),
            [
                {
                    "id": c + 1,
                    "name": f"Bench community {c + 1:04d}",
                    "sector": SECTORS[c % len(SECTORS)],
                    "region": REGIONS[c % len(REGIONS)],
                    "phase": PHASES[c % len(PHASES)],
                    "description": "",
                    "contact": "",
                    "is_demo": False,
                    "created_at": now,
                }
                for c in range(c_count)
            ],
        )
        session.execute(
            insert(Membership),
            [
                {"community_id": c + 1, "organisation_id": o + 1}
                for c in range(c_count)
                for o in members[c]
            ],
        )
        session.execute(
            insert(Round),
            [
                {
                    "id": c * scale.rounds + k + 1,
                    "community_id": c + 1,
                    "period": str(q),
                    "opens_on": q.first_day,
                    "closes_on": q.last_day,
                    "closed_manually": False,
                    "instrument_id": instrument.id,
                    "instrument_version": instrument.version,
                    "created_at": now,
                }
                for c in range(c_count)
                for k, q in enumerate(quarters)
            ],
        )
        session.execute(
            insert(Invitation),
            [
                {
                    "id": i + 1,
                    "community_id": i // scale.people + 1,
                    "round_id": None,
                    "token_hash": _token_hash(i),
                    "respondent_key": key,
                    "label": "bench",
                    "created_at": now,
                }
                for i, key in enumerate(people.key)
            ],
        )
        session.execute(insert(Action), list(_actions(scale, instrument, rng, now)))
        session.add(AppMeta(key=MARKER, value=scale.name))
    return people


def _actions(
    scale: Scale, instrument: Instrument, rng: np.random.Generator, now: datetime
) -> Iterator[dict[str, Any]]:
    factors = [f.id for f in instrument.factors]
    for c in range(scale.communities):
        for a in range(2):
            k = scale.rounds - 3 + a
            yield {
                "id": c * 2 + a + 1,
                "community_id": c + 1,
                "round_id": c * scale.rounds + k + 1,
                "factor_id": int(rng.choice(factors)),
                "what": "Plan a joint session",
                "owner": "Lead",
                "due_on": None,
                "status": "open",
                "note": "",
                "created_by": "bench",
                "created_at": now,
                "updated_at": now,
            }


def _load_batch(
    loader: Loader,
    batch: Batch,
    first_id: int,
    people: People,
    opens: list[datetime],
    instrument: Instrument,
) -> None:
    count = len(batch.round_index)
    ids = range(first_id, first_id + count)
    now = datetime.now(UTC)
    round_ids = (batch.round_index + 1).tolist()
    persons = batch.person.tolist()
    answered = batch.answered_forces.tolist()
    responses = []
    for rid, round_id, person, minutes, forces in zip(
        ids, round_ids, persons, batch.minutes.tolist(), answered, strict=True
    ):
        at = loader.stamp(min(opens[round_id - 1] + timedelta(minutes=minutes), now))
        responses.append(
            (
                rid,
                round_id,
                person + 1,
                people.key[person],
                f"bench-{rid}",
                "web",
                None,
                people.language[person],
                people.role[person],
                int(people.organisation_id[person]),
                people.organisation_type[person],
                instrument.version,
                forces,
                at,
                at,
            )
        )
    loader.rows("response", RESPONSE_COLUMNS, responses)
    item_ids = [i.id for i in instrument.items]
    loader.rows(
        "answer",
        ("response_id", "item_id", "value"),
        (
            (rid, item_id, None if v == DONT_KNOW else v)
            for rid, row in zip(ids, batch.values.tolist(), strict=True)
            for item_id, v in zip(item_ids, row, strict=True)
        ),
    )
    force_ids = [f.id for f in instrument.forces]
    marked_rows, marked_cols = np.nonzero(batch.marks)
    loader.rows(
        "forcemark",
        ("response_id", "force_id"),
        (
            (first_id + r, force_ids[j])
            for r, j in zip(marked_rows.tolist(), marked_cols.tolist(), strict=True)
        ),
    )
    commented = np.flatnonzero(batch.commented).tolist()
    loader.rows(
        "comment",
        ("response_id", "text"),
        ((first_id + r, COMMENTS[people.language[persons[r]]][r % 4]) for r in commented),
    )


PUBLICATION_COLUMNS = (
    "round_id",
    "published_at",
    "responses",
    "personal",
    "open_link",
    "paper",
    "imported",
    "counted",
    "invited",
    "health_respondents",
    "forces_respondents",
    "previous_round_id",
    "for_closes_on",
    "for_manual",
    "from_tallies",
)


def _load_tallies(loader: Loader, tallies: TallyRows, closed: ClosedRounds) -> None:
    """The running tallies of every round and, for the closed rounds, their published figures.

    The synthetic rounds have no personal links and no statement below the threshold, so their
    published figures are the tallies of the groups that reach it (what store.publication would
    compute from the raw answers, without the quartiles, changes and breakdowns the benchmark
    does not read)."""
    loader.rows(
        "roundtally", ("round_id", "responses", "forces_respondents", "raw_purged"), tallies.rounds
    )
    loader.rows("itemtally", ITEM_TALLY_COLUMNS, tallies.items)
    loader.rows("scoretally", SCORE_TALLY_COLUMNS, tallies.scores)
    loader.rows("forcetally", ("round_id", "force_id", "n"), tallies.forces)
    k = closed.threshold
    items = [r for r in tallies.items if closed.is_closed(r[0]) and sum(r[2:7]) >= k]
    scores = [r for r in tallies.scores if closed.is_closed(r[0]) and r[3] >= k]
    health = {r[0]: r[3] for r in scores if r[1] == "health"}
    published = {}
    for round_id, responses, forces_respondents, _ in tallies.rounds:
        if closed.is_closed(round_id) and responses:
            published[round_id] = forces_respondents if forces_respondents >= k else 0
    loader.rows("publisheditem", ITEM_TALLY_COLUMNS, items)
    loader.rows("publishedscore", SCORE_TALLY_COLUMNS, scores)
    loader.rows(
        "publishedforce",
        ("round_id", "force_id", "n"),
        (r for r in tallies.forces if published.get(r[0])),
    )
    loader.rows(
        "publication",
        PUBLICATION_COLUMNS,
        (
            (
                round_id,
                loader.stamp(closed.published_at),
                responses,
                0,
                responses,
                0,
                0,
                responses,
                0,
                health.get(round_id, 0),
                published[round_id],
                round_id - 1
                if closed.is_closed(round_id - 1) and (round_id - 1) % closed.rounds
                else None,
                closed.closes_on(round_id),
                False,
                False,
            )
            for round_id, responses, _, _ in tallies.rounds
            if round_id in published
        ),
    )


@dataclass(frozen=True)
class ClosedRounds:
    """Which synthetic rounds have closed (every quarter before the current one)."""

    rounds: int  # per community
    quarters: list[Period]
    today: date
    threshold: int = 5

    @property
    def published_at(self) -> datetime:
        return datetime(self.today.year, self.today.month, self.today.day, tzinfo=UTC)

    def _quarter(self, round_id: int) -> Period:
        return self.quarters[(round_id - 1) % self.rounds]

    @cached_property
    def _closed(self) -> tuple[bool, ...]:
        """Per position of a round in its community's series: closed or not."""
        return tuple(q.last_day < self.today for q in self.quarters)

    def is_closed(self, round_id: int) -> bool:
        return round_id >= 1 and self._closed[(round_id - 1) % self.rounds]

    def closes_on(self, round_id: int) -> date:
        return self._quarter(round_id).last_day


def _batches(
    rng: np.random.Generator, instrument: Instrument, story: Stories, scale: Scale
) -> Iterator[tuple[Batch, TallyRows]]:
    """The responses of BATCH_COMMUNITIES communities at a time, with their rounds' tallies."""
    round_ids = np.arange(1, scale.communities * scale.rounds + 1, dtype=np.int64)
    for first in range(0, scale.communities, BATCH_COMMUNITIES):
        batch = draw_batch(
            rng,
            instrument,
            story,
            first=first,
            count=min(BATCH_COMMUNITIES, scale.communities - first),
            rounds=scale.rounds,
            people=scale.people,
            respondents=scale.respondents,
        )
        yield batch, tally_rows(batch, round_ids, instrument)


def _ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of an iterator, each computed in a thread of its own while the caller works
    on the one before: the drawing and tallying (NumPy) overlap with the database's inserts
    (sqlite3 and psycopg's COPY let go of the GIL while the database works). One item ahead at
    most, so memory stays bounded."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-draw") as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item


def generate(
    engine: Engine, target: Target, scale: Scale, instrument: Instrument, *, seed: int = SEED
) -> Generated:
    """Fill an empty, migrated database with a synthetic portfolio of `scale`'s size."""
    started, cpu = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(seed)
    today = date.today()
    people = _base(engine, scale, instrument, rng, today)
    opens = [
        datetime(q.first_day.year, q.first_day.month, q.first_day.day, 8, tzinfo=UTC)
        for _ in range(scale.communities)
        for q in periods(scale.rounds, today)
    ]
    story = stories(rng, instrument, scale.communities, scale.people)
    loader: Loader
    path = target.sqlite_path
    if path is not None:
        engine.dispose()  # the load changes the journal mode, which needs the file to itself
        loader = SqliteLoader(path)
    else:
        loader = PostgresLoader(engine)
    closed = ClosedRounds(scale.rounds, periods(scale.rounds, today), today)
    responses = answers = marks = 0
    for batch, tallies in _ahead(_batches(rng, instrument, story, scale)):
        _load_batch(loader, batch, responses + 1, people, opens, instrument)
        _load_tallies(loader, tallies, closed)
        responses += len(batch.round_index)
        answers += batch.values.size
        marks += int(batch.marks.sum())
    loader.finish()
    # The portfolio's summaries of the published rounds, as publishing writes them: one
    # set-based rebuild after the bulk load (kept apart from the load itself).
    with write_session(engine) as session:
        rebuild_portfolio_summaries(session=session)
        rebuild_portfolio_digests(session=session)
    return Generated(
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        communities=scale.communities,
        rounds=scale.communities * scale.rounds,
        responses=responses,
        answers=answers,
        force_marks=marks,
    )
