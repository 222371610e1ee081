"""The projector can never show one person: two live sessions whose sheets differ only in the
order or timing of sheets within a publication step, in when the projector asked, or in one
person's answers that no step has taken yet, publish the same bytes to the projector; and two
publications in a row always differ by at least the threshold of sheets. The same holds for a
session tied to the open round, whose phones answer the round's instrument and whose picture
is made of factor scores (and whose sheets become round responses on the way). On real SQLite,
through the service layer."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from lc_health.domain.instrument import Instrument, load_registry
from lc_health.domain.live import FACTORS
from lc_health.metrics.live import read_payload
from lc_health.services import live
from lc_health.store import db
from tests.factories import make_community, make_round

LEAD = "trekker@example.org"
NAMES = itertools.count()
START = datetime(2026, 8, 1, 10, 0, tzinfo=UTC)

Sheet = dict[int, int] | dict[str, int]
sheets_strategy = st.lists(
    st.fixed_dictionaries({f: st.integers(0, 5) for f in FACTORS}), min_size=3, max_size=16
)
TIED = load_registry().latest()
item_sheet = st.fixed_dictionaries({i.id: st.integers(0, 5) for i in TIED.items})


def _send(
    engine: Engine, sid: int, token: str, sheet: Sheet, tied: Instrument | None, n: int
) -> None:
    """One phone answers and sends (a tied phone through send_tied, every other one saying it
    already answered the round: the picture must not care)."""
    with db.write_session(engine) as session:
        live.save_answers(
            session, session_id=sid, phone_token=token, answers=sheet, instrument=tied
        )
        if tied is None:
            live.send(session, session_id=sid, phone_token=token, now=START + timedelta(seconds=n))
    if tied is not None:
        live.send_tied(
            engine,
            session_id=sid,
            phone_token=token,
            instrument=tied,
            already_answered=n % 2 == 0,
            now=START + timedelta(seconds=n),
            today=START.date(),
        )


def _run(
    engine: Engine,
    threshold: int,
    order: list[Sheet],
    reveal_at: int,
    polls: set[int],
    tied: Instrument | None = None,
) -> list[bytes]:
    """One session: the sheets sent in this order, the reveal after `reveal_at` of them, the
    projector asking after the sends in `polls` (and once at the end). Returns every distinct
    picture the projector received, in order."""
    with db.write_session(engine) as session:
        community = make_community(session, name=f"Lab {next(NAMES)}")
        assert community.id is not None
        round_id = None
        if tied is not None:
            round_id = make_round(session, tied, community_id=community.id).id
        row = live.start(
            session,
            actor=LEAD,
            community_id=community.id,
            round_id=round_id,
            threshold=threshold,
            today=START.date(),
        )
        sid, code = row.id, row.code
    assert sid is not None
    seen: list[bytes] = []

    def look() -> None:
        with db.write_session(engine) as session:
            live.publish_due(session, session_id=sid, instrument=tied)
        with db.read_session(engine) as session:
            shown = live.projector(session, session_id=sid)
        assert shown is not None
        if shown.published and (not seen or seen[-1] != shown.published):
            seen.append(shown.published)

    for n, sheet in enumerate(order, start=1):
        token = f"phone-{n}"
        with db.write_session(engine) as session:
            live.join(session, code=code, phone_token=token, client="", language="nl", now=START)
        _send(engine, sid, token, sheet, tied, n)
        if n == reveal_at:
            with db.write_session(engine) as session:
                live.reveal(session, actor=LEAD, session_id=sid, now=START, instrument=tied)
        if n in polls:
            look()
    look()
    return seen


def _steps(count: int, reveal_at: int, threshold: int) -> list[range]:
    """The sheets (by position) in each publication step."""
    out = [range(0, reveal_at)]
    start = reveal_at
    while start + threshold <= count:
        out.append(range(start, start + threshold))
        start += threshold
    out.append(range(start, count))  # not (yet) published
    return out


def _check(
    engine: Engine,
    threshold: int,
    sheets: list[Sheet],
    seed: int,
    changed: Sheet,
    tied: Instrument | None = None,
) -> None:
    if len(sheets) < threshold:
        sheets = sheets + sheets[: threshold - len(sheets)]
    rng = random.Random(seed)
    reveal_at = rng.randint(threshold, len(sheets))
    steps = _steps(len(sheets), reveal_at, threshold)
    # The other session: the same people, in another order within each step, one person who
    # no step has taken yet answering differently, and the projector asking at other moments.
    other: list[Sheet] = []
    for step in steps:
        part = [sheets[i] for i in step]
        rng.shuffle(part)
        other.extend(part)
    if len(steps[-1]):
        other[-1] = changed
    every = set(range(1, len(sheets) + 1))
    some = {n for n in every if rng.random() < 0.3}

    first = _run(engine, threshold, sheets, reveal_at, every, tied)
    second = _run(engine, threshold, other, reveal_at, some, tied)

    assert first[-1] == second[-1]
    assert set(second) <= set(first)  # asking less often may skip a step, never add one
    counts = [int(str(read_payload(p)["sheets"])) for p in first]
    assert counts[0] == reveal_at and counts[0] >= threshold
    assert all(b - a >= threshold for a, b in zip(counts, counts[1:], strict=False))


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: two sessions each
)


@SETTINGS
@given(
    threshold=st.integers(3, 5),
    sheets=sheets_strategy,
    seed=st.integers(0, 2**16),
    changed=st.fixed_dictionaries({f: st.integers(0, 5) for f in FACTORS}),
)
def test_the_projector_shows_steps_never_one_person(
    sqlite_engine: Engine, threshold: int, sheets: list[Sheet], seed: int, changed: Sheet
) -> None:
    _check(sqlite_engine, threshold, sheets, seed, changed)


@settings(SETTINGS, max_examples=8)
@given(
    threshold=st.integers(3, 4),
    sheets=st.lists(item_sheet, min_size=3, max_size=9),
    seed=st.integers(0, 2**16),
    changed=item_sheet,
)
def test_a_tied_sessions_projector_shows_steps_never_one_person(
    sqlite_engine: Engine, threshold: int, sheets: list[Sheet], seed: int, changed: Sheet
) -> None:
    _check(sqlite_engine, threshold, sheets, seed, changed, TIED)
