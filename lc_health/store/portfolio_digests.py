"""Each period's published figures packed for the portfolio pages (models.PortfolioDigest): the
portfolio reads a dozen rows instead of every published score and force of every round.

Parts of a period, each a set of NumPy arrays over the period's published rounds (sorted by
round id; the row of a round is the same in every part):
  rounds  round_id, community_id, instrument_code (into instrument_ids), instrument_version,
          responses, forces_respondents, personal_responses (as models.PortfolioRound)
  trends  scope, key (health and layers) and per round and key: present, mean
  scores  scope, key (health, layers, factors) and per round and key: present, n, total,
          total_sq
  forces  force_id and per round and force: present, n

Kept correct by staleness, not by patching: whatever changes a round's published figures
marks its period stale in the same transaction (mark_stale_rounds, called by
portfolio_summaries.rebuild_portfolio_summaries, which every publication calls); a read that
finds a period stale builds it from the published rows (build_digests) and may keep it
(save_digests, guarded by the generation it read, so a digest built from an older snapshot
never overwrites a newer mark). rebuild_portfolio_digests builds everything, set-based.
Visibility (archived communities, a user's communities) is applied when reading, never stored.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from lc_health.store import ids
from lc_health.store.models import (
    Community,
    PortfolioDigest,
    PortfolioRound,
    PublishedForce,
    PublishedScore,
    Round,
)
from lc_health.store.tallies import plain_frame

FORMAT = 2  # raised whenever the arrays of a part change: older digests then read as stale
PARTS = ("rounds", "trends", "scores", "forces")
ROUND_NUMBERS = (
    "round_id",
    "community_id",
    "instrument_version",
    "responses",
    "forces_respondents",
    "personal_responses",
)
TREND_SCOPES = ("health", "layer")
SCORE_SCOPES = ("health", "layer", "factor")

Arrays = dict[str, np.ndarray]


MAGIC = b"LCPD"


def pack(arrays: Arrays) -> bytes:
    """Arrays as one blob: MAGIC, the header's length (4 bytes, little-endian), a JSON header
    (per array: name, dtype as NumPy spells it with its byte order, shape) and then each
    array's bytes in that order. Numbers are stored little-endian; nothing is pickled."""
    header = []
    chunks = []
    for name, array in arrays.items():
        fixed = np.ascontiguousarray(array)
        if fixed.dtype.byteorder == ">" or (
            fixed.dtype.byteorder == "=" and sys.byteorder == "big"
        ):
            fixed = fixed.astype(fixed.dtype.newbyteorder("<"))
        header.append([name, fixed.dtype.str, list(fixed.shape)])
        chunks.append(fixed.tobytes())
    head = json.dumps(header).encode()
    return b"".join([MAGIC, len(head).to_bytes(4, "little"), head, *chunks])


def unpack(data: bytes | memoryview) -> Arrays:
    """The arrays of a pack()ed blob (read-only views on it, no copies)."""
    blob = bytes(data)
    if blob[:4] != MAGIC:
        raise ValueError("not a portfolio digest")
    length = int.from_bytes(blob[4:8], "little")
    offset = 8 + length
    out: Arrays = {}
    for name, dtype, shape in json.loads(blob[8:offset]):
        kind = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        if count == 0:
            out[str(name)] = np.zeros(shape, dtype=kind)
            continue
        out[str(name)] = np.frombuffer(blob, dtype=kind, count=count, offset=offset).reshape(shape)
        offset += count * kind.itemsize
    return out


# -- marking stale ---------------------------------------------------------------------------


def mark_stale(*, session: Session, periods: Iterable[str]) -> None:
    """Mark these periods' digests stale (creating the marks of a period not seen before), in
    the caller's transaction: one statement per part, whatever came before."""
    wanted = sorted({str(p) for p in periods})
    if not wanted:
        return
    dialect = session.get_bind().dialect.name
    maker: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [
        {"period": p, "part": part, "format": 0, "generation": 0, "data": None}
        for p in wanted
        for part in PARTS
    ]
    stmt = maker(PortfolioDigest).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["period", "part"],
        set_={
            "data": None,
            "format": 0,
            "generation": col(PortfolioDigest.generation) + 1,
        },
    )
    session.execute(stmt)


def mark_stale_rounds(*, session: Session, round_ids: Iterable[int] | None) -> None:
    """Mark stale the periods of these rounds (every period when None), both as the rounds
    say and as their summaries say."""
    periods = sa_select(col(Round.period)).distinct()
    summarised = sa_select(col(PortfolioRound.period)).distinct()
    wanted = None if round_ids is None else ids(round_ids)
    if wanted is not None:
        periods = periods.where(col(Round.id).in_(wanted))
        summarised = summarised.where(col(PortfolioRound.round_id).in_(wanted))
    found = {str(p) for p in session.execute(periods).scalars()}
    found |= {str(p) for p in session.execute(summarised).scalars()}
    mark_stale(session=session, periods=found)


# -- building ----------------------------------------------------------------------------------


def _matrix(
    frame: pd.DataFrame, rows: np.ndarray, key_columns: Sequence[str]
) -> tuple[list[tuple[str, ...]], np.ndarray, np.ndarray]:
    """The distinct keys of frame (sorted), and for every frame row its row in the period's
    rounds and its key's column."""
    keyed = pd.MultiIndex.from_frame(frame[list(key_columns)].astype(str))
    codes, uniques = pd.factorize(keyed, sort=True)
    keys = [tuple(str(v) for v in u) for u in uniques]
    return keys, rows, np.asarray(codes, dtype=np.int64)


def _texts(values: Sequence[str]) -> np.ndarray:
    return np.array(list(values), dtype=np.str_) if values else np.zeros(0, dtype="<U1")


def build_digests(
    *, session: Session, periods: Sequence[str] | None
) -> dict[str, dict[str, bytes]]:
    """Every part of these periods (all periods with a published round when None), packed, from
    the published rows: three set-based reads per period (one period's rows in memory at a
    time). A period without published rounds has none."""
    if periods is None:
        found = sa_select(col(PortfolioRound.period)).distinct()
        periods = sorted(str(p) for p in session.execute(found).scalars())
    out: dict[str, dict[str, bytes]] = {}
    for period in periods:
        built = _build_period(session, period)
        if built is not None:
            out[period] = built
    return out


def _build_period(session: Session, period: str) -> dict[str, bytes] | None:
    rounds = plain_frame(
        session,
        sa_select(
            col(PortfolioRound.period),
            col(PortfolioRound.instrument_id),
            *(col(getattr(PortfolioRound, c)) for c in ROUND_NUMBERS),
        )
        .where(col(PortfolioRound.period) == period)
        .order_by(col(PortfolioRound.period), col(PortfolioRound.round_id)),
        ["period", "instrument_id", *ROUND_NUMBERS],
    )
    scores = plain_frame(
        session,
        sa_select(
            col(PortfolioRound.period),
            col(PublishedScore.round_id),
            col(PublishedScore.scope),
            col(PublishedScore.key),
            col(PublishedScore.n),
            col(PublishedScore.total),
            col(PublishedScore.total_sq),
        )
        .join(PortfolioRound, col(PortfolioRound.round_id) == col(PublishedScore.round_id))
        .where(
            col(PortfolioRound.period) == period,
            col(PublishedScore.scope).in_(SCORE_SCOPES),
        ),
        ["period", "round_id", "scope", "key", "n", "total", "total_sq"],
    )
    forces = plain_frame(
        session,
        sa_select(
            col(PortfolioRound.period),
            col(PublishedForce.round_id),
            col(PublishedForce.force_id),
            col(PublishedForce.n),
        )
        .join(PortfolioRound, col(PortfolioRound.round_id) == col(PublishedForce.round_id))
        .where(col(PortfolioRound.period) == period),
        ["period", "round_id", "force_id", "n"],
    )
    if rounds.empty:
        return None
    return _period_parts(rounds, scores, forces)


def _period_parts(
    rounds: pd.DataFrame, scores: pd.DataFrame, forces: pd.DataFrame
) -> dict[str, bytes]:
    round_ids = rounds["round_id"].to_numpy(dtype=np.int64)
    instrument_codes, instrument_ids = pd.factorize(rounds["instrument_id"].astype(str), sort=True)
    parts: dict[str, bytes] = {
        "rounds": pack(
            {c: rounds[c].to_numpy(dtype=np.int64) for c in ROUND_NUMBERS}
            | {
                "instrument_code": np.asarray(instrument_codes, dtype=np.int64),
                "instrument_ids": _texts([str(i) for i in instrument_ids]),
            }
        )
    }
    count = len(round_ids)
    at = np.searchsorted(round_ids, scores["round_id"].to_numpy(dtype=np.int64))
    keys, rows, columns = _matrix(scores, at, ["scope", "key"])
    present = np.zeros((count, len(keys)), dtype=np.bool_)
    n = np.zeros((count, len(keys)), dtype=np.int64)
    total = np.zeros((count, len(keys)), dtype=np.float64)
    total_sq = np.zeros((count, len(keys)), dtype=np.float64)
    present[rows, columns] = True
    n[rows, columns] = scores["n"].to_numpy(dtype=np.int64)
    total[rows, columns] = scores["total"].to_numpy(dtype=np.float64)
    total_sq[rows, columns] = scores["total_sq"].to_numpy(dtype=np.float64)
    scope = _texts([k[0] for k in keys])
    key = _texts([k[1] for k in keys])
    parts["scores"] = pack(
        {"scope": scope, "key": key, "present": present, "n": n, "total": total}
        | {"total_sq": total_sq}
    )
    trend = np.isin(scope, TREND_SCOPES) if len(keys) else np.zeros(0, dtype=np.bool_)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(present, total / n.astype(np.float64), np.nan)
    parts["trends"] = pack(
        {
            "scope": scope[trend],
            "key": key[trend],
            "present": present[:, trend],
            "mean": mean[:, trend],
        }
    )
    at = np.searchsorted(round_ids, forces["round_id"].to_numpy(dtype=np.int64))
    force_keys, rows, columns = _matrix(forces, at, ["force_id"])
    present = np.zeros((count, len(force_keys)), dtype=np.bool_)
    force_n = np.zeros((count, len(force_keys)), dtype=np.int64)
    present[rows, columns] = True
    force_n[rows, columns] = forces["n"].to_numpy(dtype=np.int64)
    parts["forces"] = pack(
        {"force_id": _texts([k[0] for k in force_keys]), "present": present, "n": force_n}
    )
    return parts


# -- reading and keeping -----------------------------------------------------------------------


@dataclass
class Loaded:
    """Digests as read: period -> part -> arrays; `built` holds the periods that were stale
    (packed, to keep with save_digests) and `generations` the marks they were built against."""

    digests: dict[str, dict[str, Arrays]] = field(default_factory=dict)
    built: dict[str, dict[str, bytes]] = field(default_factory=dict)
    generations: dict[tuple[str, str], int] = field(default_factory=dict)


def read_digests(*, session: Session, part: str, periods: Sequence[str] | None = None) -> Loaded:
    """The rounds part and `part` of these periods (every period when None), building those
    that are stale from the published rows. Periods without a digest mark have no
    publication."""
    wanted = sorted({"rounds", part})
    stmt = sa_select(
        col(PortfolioDigest.period),
        col(PortfolioDigest.part),
        col(PortfolioDigest.format),
        col(PortfolioDigest.data),
    ).where(col(PortfolioDigest.part).in_(wanted))
    if periods is not None:
        stmt = stmt.where(col(PortfolioDigest.period).in_(sorted(set(periods))))
    loaded = Loaded()
    stale: set[str] = set()
    for period, name, version, data in session.execute(stmt).all():
        if data is None or version != FORMAT:
            stale.add(str(period))
        else:
            loaded.digests.setdefault(str(period), {})[str(name)] = unpack(data)
    if stale:
        marks = sa_select(
            col(PortfolioDigest.period), col(PortfolioDigest.part), col(PortfolioDigest.generation)
        ).where(col(PortfolioDigest.period).in_(sorted(stale)))
        loaded.generations = {(str(p), str(n)): int(g) for p, n, g in session.execute(marks).all()}
        loaded.built = build_digests(session=session, periods=sorted(stale))
        for period in stale:
            loaded.digests.pop(period, None)
        for period, parts in loaded.built.items():
            loaded.digests[period] = {name: unpack(parts[name]) for name in wanted}
    return loaded


def save_digests(*, session: Session, loaded: Loaded) -> None:
    """Keep what read_digests built, where the mark is still the one it was built against
    (a publication in between raised it: that period stays stale)."""
    for period, parts in loaded.built.items():
        for name, data in parts.items():
            generation = loaded.generations.get((period, name))
            if generation is None:
                continue
            session.execute(
                update(PortfolioDigest)
                .where(
                    col(PortfolioDigest.period) == period,
                    col(PortfolioDigest.part) == name,
                    col(PortfolioDigest.generation) == generation,
                )
                .values(data=data, format=FORMAT)
            )


def rebuild_portfolio_digests(*, session: Session, periods: Iterable[str] | None = None) -> None:
    """Build and store the digests of these periods (every period with a publication when
    None; then marks of periods without one are removed), in the caller's transaction."""
    wanted = None if periods is None else sorted({str(p) for p in periods})
    built = build_digests(session=session, periods=wanted)
    if wanted is None:
        session.execute(delete(PortfolioDigest))
    mark_stale(session=session, periods=wanted if wanted is not None else list(built))
    for period, parts in built.items():
        for name, data in parts.items():
            session.execute(
                update(PortfolioDigest)
                .where(col(PortfolioDigest.period) == period, col(PortfolioDigest.part) == name)
                .values(data=data, format=FORMAT)
            )


def forget_unpublished_periods(*, session: Session) -> None:
    """Remove the digests of periods left without a published round (after rounds were
    deleted, e.g. the demo's)."""
    published = sa_select(col(PortfolioRound.period)).distinct()
    session.execute(delete(PortfolioDigest).where(col(PortfolioDigest.period).not_in(published)))


def build_stale_digests(*, session: Session) -> Loaded:
    """Build the digests of every stale period (after publishing) with the marks they were
    built against; keep them with save_digests in a short write transaction (the build itself
    only reads, so it need not hold SQLite's write lock)."""
    marks = sa_select(
        col(PortfolioDigest.period), col(PortfolioDigest.part), col(PortfolioDigest.generation)
    ).where(
        col(PortfolioDigest.period).in_(
            sa_select(col(PortfolioDigest.period)).where(
                col(PortfolioDigest.data).is_(None) | (col(PortfolioDigest.format) != FORMAT)
            )
        )
    )
    loaded = Loaded(
        generations={(str(p), str(n)): int(g) for p, n, g in session.execute(marks).all()}
    )
    stale = sorted({p for p, _ in loaded.generations})
    if stale:
        loaded.built = build_digests(session=session, periods=stale)
    return loaded


def visible_communities(*, session: Session, community_ids: Iterable[int] | None) -> np.ndarray:
    """The sorted ids of the communities the portfolio shows: not archived, and among
    `community_ids` when given."""
    stmt = sa_select(col(Community.id)).where(col(Community.archived_at).is_(None))
    if community_ids is not None:
        stmt = stmt.where(col(Community.id).in_(ids(community_ids)))
    found = np.array(session.execute(stmt).scalars().all(), dtype=np.int64)
    return np.sort(found)
