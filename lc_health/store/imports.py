"""Import batches: responses that came in from a file, committed together."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session, col

from lc_health.store.models import ImportBatch


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
