"""Import batches: responses that came in from a file, committed together."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.domain.enums import Source
from lc_health.store.models import ImportBatch, Response


def earlier_imports(*, session: Session, round_id: int) -> pd.DataFrame:
    """A round's import batches, newest first. Columns: batch_id, source, rows, imported_by,
    imported_at."""
    stmt = (
        select(
            col(ImportBatch.id),
            col(ImportBatch.source),
            col(ImportBatch.rows),
            col(ImportBatch.imported_by),
            col(ImportBatch.imported_at),
        )
        .where(col(ImportBatch.round_id) == round_id)
        .order_by(col(ImportBatch.imported_at).desc(), col(ImportBatch.id).desc())
    )
    found = session.execute(stmt).all()
    return pd.DataFrame(
        [tuple(r) for r in found],
        columns=["batch_id", "source", "rows", "imported_by", "imported_at"],
    )


def add_batch(
    session: Session,
    *,
    round_id: int,
    source: str,
    rows: int,
    imported_by: str,
    content_sha256: str | None = None,
) -> ImportBatch:
    batch = ImportBatch(
        round_id=round_id,
        source=source,
        rows=rows,
        imported_by=imported_by,
        content_sha256=content_sha256,
    )
    session.add(batch)
    session.flush()
    return batch


def paper_count(session: Session, *, round_id: int) -> int:
    """How many of a round's responses came from paper."""
    stmt = sa_select(func.count()).where(
        col(Response.round_id) == round_id, col(Response.source) == Source.paper.value
    )
    return int(session.execute(stmt).scalar_one())


def batch_with_content(session: Session, *, content_sha256: str) -> ImportBatch | None:
    """The earliest import batch of a file with these contents (any round), if any."""
    stmt = (
        sa_select(ImportBatch)
        .where(col(ImportBatch.content_sha256) == content_sha256)
        .order_by(col(ImportBatch.id))
        .limit(1)
    )
    found: ImportBatch | None = session.execute(stmt).scalars().first()
    return found
