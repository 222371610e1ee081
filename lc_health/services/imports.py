"""Writes of responses that came from a file: an import or typed-in paper sheets."""

from __future__ import annotations

from sqlmodel import Session

from lc_health.domain.enums import Source
from lc_health.domain.errors import Invalid, Problem
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.services import importing
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import imports as import_store
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
    content_sha256: str | None = None,
    same_file_confirmed: bool = False,
) -> ImportBatch:
    """Store every row of a clean preview as one batch, or none (raises Invalid: problems in
    the preview, no rows, an unknown round or another instrument than the round's, or a file
    whose contents (content_sha256, see importing.file_sha256) were imported before, unless
    the person confirmed that they mean to import it again)."""
    if content_sha256 is not None and not same_file_confirmed:
        _refuse_same_file(session, content_sha256)
    batch = importing.commit(
        session=session,
        round_id=round_id,
        preview=preview,
        instrument=instrument,
        source=source,
        actor=actor,
        source_kind=source_kind,
        content_sha256=content_sha256,
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
        **({"sha256": content_sha256} if content_sha256 else {}),
    )
    return batch


def earlier_import_of(*, session: Session, content_sha256: str) -> ImportBatch | None:
    """The first import of a file with exactly these contents, if there was one."""
    return import_store.batch_with_content(session, content_sha256=content_sha256)


def _refuse_same_file(session: Session, content_sha256: str) -> None:
    earlier = earlier_import_of(session=session, content_sha256=content_sha256)
    if earlier is None:
        return
    rnd = round_store.get_round(session=session, round_id=earlier.round_id)
    params = {
        "when": earlier.imported_at.strftime("%d-%m-%Y %H:%M"),
        "period": period_label(rnd.period) if rnd else str(earlier.round_id),
        "rows": earlier.rows,
    }
    raise Invalid([Problem("file", "import.same_file", params)])


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
