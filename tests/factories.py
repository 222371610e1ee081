"""Factories for test data, with keyword overrides; they write through the real store."""

from __future__ import annotations

import itertools
import random
from datetime import date
from typing import Any

from sqlmodel import Session

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import ResponseIn
from lc_health.store import communities as cstore
from lc_health.store.models import Community, Round
from lc_health.store.rounds import create_round

_counter = itertools.count(1)


def make_community(session: Session, **overrides: Any) -> Community:
    values: dict[str, Any] = {
        "name": f"Community {next(_counter)}",
        "sector": "Horticulture",
        "region": "Zuid-Holland",
        "phase": "developing",
    }
    values.update(overrides)
    return cstore.create_community(session=session, **values)


def make_round(
    session: Session, instrument: Instrument, *, community_id: int, **overrides: Any
) -> Round:
    values: dict[str, Any] = {
        "period": "2026-Q3",
        "opens_on": date(2026, 7, 1),
        "closes_on": date(2026, 9, 30),
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
    }
    values.update(overrides)
    return create_round(session=session, community_id=community_id, **values)


def make_response_in(
    instrument: Instrument, *, round_id: int, rng: random.Random | None = None, **overrides: Any
) -> ResponseIn:
    """A complete, valid submission: all 4s and no forces, or random ones when rng is given."""
    answers: dict[str, int | None] = dict.fromkeys((i.id for i in instrument.items), 4)
    forces: frozenset[str] = frozenset()
    if rng is not None:
        answers = {
            i.id: None if rng.random() < 0.08 else rng.randint(1, 5) for i in instrument.items
        }
        forces = frozenset(f.id for f in instrument.forces if rng.random() < 0.2)
    values: dict[str, Any] = {
        "round_id": round_id,
        "submission_key": f"sub-{next(_counter)}",
        "language": "nl",
        "role": "student",
        "organisation_type": "mbo",
        "answers": answers,
        "forces": forces,
        "comment": None,
    }
    values.update(overrides)
    return ResponseIn(**values)
