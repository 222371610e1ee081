"""Per-round summaries (tallies): kept up to date inside each response's transaction, rebuilt
from raw answers on demand, and read back as tidy DataFrames for the dashboards."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Table, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from lc_health.instrument import Instrument
from lc_health.models import (
    Answer,
    ForceMark,
    ForceTally,
    ItemTally,
    Response,
    RoundTally,
    ScoreTally,
)
from lc_health.scoring import Answers, respondent_scores
from lc_health.store import ids

ITEM_COLUMNS = ("n1", "n2", "n3", "n4", "n5", "n_dk")


@dataclass
class Delta:
    """What one or more responses add to (or, negated, remove from) a round's tallies."""

    responses: int = 0
    forces_respondents: int = 0
    items: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    scores: dict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0.0, 0.0, 0.0])
    )
    forces: Counter[str] = field(default_factory=Counter)

    def add(
        self,
        answers: Answers,
        forces: Iterable[str] | None,
        instrument: Instrument,
        sign: int = 1,
    ) -> None:
        self.responses += sign
        if forces is not None:
            self.forces_respondents += sign
            for force_id in forces:
                self.forces[force_id] += sign
        for item_id, value in answers.items():
            if item_id in instrument.item_by_id:
                column = "n_dk" if value is None else f"n{value}"
                self.items[item_id][column] += sign
        for key, score in respondent_scores(answers, instrument).items():
            acc = self.scores[key]
            acc[0] += sign
            acc[1] += sign * score
            acc[2] += sign * score * score


_UPSERTS: dict[tuple[str, str], Any] = {}


def _upsert_statement(dialect: str, model: Any, keys: Sequence[str]) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE adding the new counts to the stored ones.

    Built once per dialect and table and run as executemany, so SQLAlchemy compiles it once.
    """
    cache_key = (dialect, model.__tablename__)
    if cache_key not in _UPSERTS:
        table: Table = model.__table__
        stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        counters = [c.name for c in table.columns if c.name not in keys and c.name != "raw_purged"]
        updates: dict[str, Any] = {c: table.c[c] + stmt.excluded[c] for c in counters}
        if "total" in updates:
            # When the last respondent leaves a scope, reset the sums so float residue cannot
            # linger.
            emptied = table.c.n + stmt.excluded.n == 0
            updates["total"] = case((emptied, 0.0), else_=updates["total"])
            updates["total_sq"] = case((emptied, 0.0), else_=updates["total_sq"])
        _UPSERTS[cache_key] = stmt.on_conflict_do_update(index_elements=list(keys), set_=updates)
    return _UPSERTS[cache_key]


def _upsert_add(
    session: Session, model: Any, keys: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """INSERT rows, or add their values to the existing rows."""
    if rows:
        dialect = session.get_bind().dialect.name
        session.execute(_upsert_statement(dialect, model, keys), rows)


def apply_delta(session: Session, *, round_id: int, delta: Delta) -> None:
    """Add a delta to a round's tallies, in the caller's transaction.

    Rows are written in key order so that concurrent PostgreSQL transactions lock them in the
    same order and cannot deadlock.
    """
    _upsert_add(
        session,
        RoundTally,
        ["round_id"],
        [
            {
                "round_id": round_id,
                "responses": delta.responses,
                "forces_respondents": delta.forces_respondents,
            }
        ],
    )
    item_rows = [
        {"round_id": round_id, "item_id": item_id, **{c: counts.get(c, 0) for c in ITEM_COLUMNS}}
        for item_id, counts in sorted(delta.items.items())
    ]
    _upsert_add(session, ItemTally, ["round_id", "item_id"], item_rows)
    score_rows = [
        {"round_id": round_id, "scope": scope, "key": key, "n": int(n), "total": t, "total_sq": q}
        for (scope, key), (n, t, q) in sorted(delta.scores.items())
    ]
    _upsert_add(session, ScoreTally, ["round_id", "scope", "key"], score_rows)
    force_rows = [
        {"round_id": round_id, "force_id": force_id, "n": n}
        for force_id, n in sorted(delta.forces.items())
    ]
    _upsert_add(session, ForceTally, ["round_id", "force_id"], force_rows)


def raw_round(session: Session, *, round_id: int) -> list[tuple[Answers, set[str] | None]]:
    """Every response of a round as (answers, recognised forces or None)."""
    responses = session.execute(
        select(Response.id, Response.answered_forces).where(Response.round_id == round_id)
    ).all()
    answers: dict[int, dict[str, int | None]] = {rid: {} for rid, _ in responses}
    marks: dict[int, set[str]] = {rid: set() for rid, answered in responses if answered}
    for rid, item_id, value in session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, col(Response.id) == col(Answer.response_id))
        .where(Response.round_id == round_id)
    ):
        answers[rid][item_id] = value
    for rid, force_id in session.execute(
        select(ForceMark.response_id, ForceMark.force_id)
        .join(Response, col(Response.id) == col(ForceMark.response_id))
        .where(Response.round_id == round_id)
    ):
        marks.setdefault(rid, set()).add(force_id)
    return [(answers[rid], marks.get(rid)) for rid, _ in responses]


def rebuild_round(session: Session, *, round_id: int, instrument: Instrument) -> None:
    """Recompute a round's tallies from its raw answers (after an import, or to repair)."""
    delta = Delta()
    for answers, forces in raw_round(session, round_id=round_id):
        delta.add(answers, forces, instrument)
    for model in (ItemTally, ScoreTally, ForceTally):
        session.execute(delete(model).where(col(model.round_id) == round_id))
    session.execute(delete(RoundTally).where(col(RoundTally.round_id) == round_id))
    apply_delta(session, round_id=round_id, delta=delta)


def _frame(session: Session, stmt: Any, columns: Sequence[str]) -> pd.DataFrame:
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def _in_rounds(model: Any, round_ids: Iterable[int]) -> Any:
    return model.round_id.in_(ids(round_ids))


def round_counts(session: Session, *, round_ids: Iterable[int]) -> pd.DataFrame:
    """Columns: round_id, responses, forces_respondents."""
    cols = ("round_id", "responses", "forces_respondents")
    stmt = select(*(getattr(RoundTally, c) for c in cols)).where(_in_rounds(RoundTally, round_ids))
    return _frame(session, stmt, cols)


def score_sums(
    session: Session, *, round_ids: Iterable[int], scopes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Columns: round_id, scope, key, n, total, total_sq (rows with n = 0 left out)."""
    cols = ("round_id", "scope", "key", "n", "total", "total_sq")
    stmt = select(*(getattr(ScoreTally, c) for c in cols)).where(
        _in_rounds(ScoreTally, round_ids), ScoreTally.n > 0
    )
    if scopes is not None:
        stmt = stmt.where(col(ScoreTally.scope).in_(list(scopes)))
    return _frame(session, stmt, cols)


def item_counts(session: Session, *, round_ids: Iterable[int]) -> pd.DataFrame:
    """Columns: round_id, item_id, n1..n5, n_dk."""
    cols = ("round_id", "item_id", *ITEM_COLUMNS)
    stmt = select(*(getattr(ItemTally, c) for c in cols)).where(_in_rounds(ItemTally, round_ids))
    return _frame(session, stmt, cols)


def force_counts(session: Session, *, round_ids: Iterable[int]) -> pd.DataFrame:
    """Columns: round_id, force_id, n (respondents recognising the force)."""
    cols = ("round_id", "force_id", "n")
    stmt = select(*(getattr(ForceTally, c) for c in cols)).where(
        _in_rounds(ForceTally, round_ids), ForceTally.n > 0
    )
    return _frame(session, stmt, cols)


def tallies_snapshot(session: Session, *, round_id: int) -> Mapping[str, pd.DataFrame]:
    """All of a round's tallies (for tests that compare incremental and rebuilt summaries)."""
    ids = [round_id]
    return {
        "rounds": round_counts(session, round_ids=ids),
        "scores": score_sums(session, round_ids=ids),
        "items": item_counts(session, round_ids=ids),
        "forces": force_counts(session, round_ids=ids),
    }
