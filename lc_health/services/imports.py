"""Writes of responses that came from a file: an import or typed-in paper sheets."""

from __future__ import annotations

from sqlmodel import Session

from lc_health.domain.enums import Source
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.instrument import Instrument
from lc_health.services import importing
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import rounds as round_store
from lc_health.store.models import ImportBatch, Round


def import_responses(
    *,
    session: Session,
    round_id: int,
    preview: importing.Preview,
    instrument: Instrument,
    source: str,
    actor: str,
    source_kind: Source = Source.imported,
) -> ImportBatch:
    """Store every row of a clean preview as one batch, or none (raises Invalid: problems in
    the preview, no rows, an unknown round or another instrument than the round's)."""
    batch = importing.commit(
        session=session,
        round_id=round_id,
        preview=preview,
        instrument=instrument,
        source=source,
        actor=actor,
        source_kind=source_kind,
    )
    rnd = round_store.get_round(session=session, round_id=round_id)
    assert rnd is not None  # commit checked it
    community = cstore.get_community(session=session, community_id=rnd.community_id)
    audit.record(
        session=session,
        actor=actor,
        action="responses.import",
        target=f"{community.name if community else rnd.community_id} {rnd.period}",
        rows=batch.rows,
        source=batch.source,
        batch=batch.id,
    )
    return batch


def organisations_by_name(*, session: Session, community_id: int) -> dict[str, int]:
    """The community's member organisations, name to id: what an organisation column may name."""
    members = cstore.community_organisations(session=session, community_id=community_id)
    return {o.name: o.id for o in members if o.id is not None}


def round_to_import(*, session: Session, round_id: int) -> Round:
    """The round answers are imported into (raises Invalid for an unknown round)."""
    rnd = round_store.get_round(session=session, round_id=round_id)
    if rnd is None:
        raise Invalid([Problem("round", "error.unknown_round", {"round_id": round_id})])
    return rnd
