""" "You said, we did" shows participants only what was published: two databases that differ
only in what must stay hidden (one person's answers to a statement too few rated, a hidden
breakdown group, an open round, late responses, comments, forces of too few) give the same page
data, byte for byte (YouSaid.to_json), for every published round of the community.

The worlds and their hidden changes are those of the disclosure property test
(tests/services/test_disclosure_properties.py); the page data is built here instead of the
lead's and policy maker's documents.
"""

from __future__ import annotations

import copy
import difflib
import random
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from lc_health.domain.enums import ActionStatus
from lc_health.services.actions import follow_up_action, record_action
from lc_health.services.you_said import published_rounds, you_said
from lc_health.store.db import write_session
from tests.services.test_disclosure_properties import (
    INSTRUMENT,
    KINDS,
    World,
    _empty,
    _handmade,
    _settings,
    _store,
    mutate,
    worlds,
)


def _build(engine: Engine, world: World) -> bytes:
    """Store the world in an emptied database; the community's page data for every round of
    it (published or not), with an agreed action on the round under test."""
    _empty(engine)
    round_id = _store(engine, world)
    with write_session(engine) as session:
        action = record_action(
            session=session,
            actor="lead",
            community_id=1,
            round_id=round_id,
            factor_id=5,
            what="Een gezamenlijke visie schrijven",
            owner="",
            due_on=date(2027, 1, 31),
        )
        assert action.id is not None
        follow_up_action(
            session=session,
            actor="lead",
            community_id=1,
            action_id=action.id,
            status=ActionStatus.in_progress,
            note="Eerste versie besproken",
        )
    parts = [repr(published_rounds(engine, community_id=1)).encode()]
    for rid in range(1, round_id + 1):
        found = you_said(engine, round_id=rid)
        parts.append(found.to_json() if found is not None else b"not published")
    return b"\n".join(parts)


def _same_page(engine: Engine, world: World, kind: str, seed: int) -> None:
    other = mutate(world, kind, random.Random(seed))
    assume(other is not None)
    assert other is not None
    first, second = _build(engine, world), _build(engine, other)
    if first != second:
        diff = difflib.unified_diff(
            first.decode().splitlines(), second.decode().splitlines(), lineterm="", n=1
        )
        pytest.fail(f"{kind}: a hidden change reached the page:\n" + "\n".join(list(diff)[:40]))


@pytest.mark.slow
@_settings(25)
@given(world=worlds(), kind=st.sampled_from(KINDS), seed=st.integers(0, 2**16))
def test_changing_only_hidden_answers_gives_the_same_page(
    sqlite_engine: Engine, world: World, kind: str, seed: int
) -> None:
    _same_page(sqlite_engine, world, kind, seed)


@pytest.mark.slow
@pytest.mark.postgres
@_settings(5)
@given(world=worlds(), kind=st.sampled_from(KINDS), seed=st.integers(0, 2**16))
def test_changing_only_hidden_answers_gives_the_same_page_on_postgresql(
    postgres_engine: Engine, world: World, kind: str, seed: int
) -> None:
    _same_page(postgres_engine, world, kind, seed)


@pytest.mark.parametrize("kind", KINDS)
def test_each_hidden_change_keeps_the_page_and_a_visible_one_changes_it(
    sqlite_engine: Engine, kind: str
) -> None:
    """Guard: a world of each kind has something hidden whose change leaves the page as it
    was, and changing a visible answer does change the page (the comparison can fail)."""
    world = _handmade(kind)
    other = mutate(world, kind, random.Random(1))
    assert other is not None
    assert _build(sqlite_engine, world) == _build(sqlite_engine, other)
    visible = copy.deepcopy(world)
    for person in visible.people:
        person.answers[INSTRUMENT.items[1].id] = 1
    if kind in ("items", "roles", "late"):  # worlds with enough people for a picture
        assert _build(sqlite_engine, world) != _build(sqlite_engine, visible)
