"""The data behind the dashboards, read from the published figures only (never raw answers, never
an open round's), so that a page stays fast at a thousand communities and shows nothing the
disclosure policy did not publish. These are the functions the benchmark times.

Each returns plain DataFrames; lc_health.metrics turns them into what pages show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any
from typing import cast as cast_type

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy import Float, bindparam, cast, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store import ids, portfolio_summaries
from lc_health.store.communities import rounds_frame
from lc_health.store.models import (
    Action,
    Community,
    PortfolioRound,
    Publication,
    PublishedChange,
    PublishedComment,
    PublishedForce,
    PublishedGroup,
    PublishedItem,
    PublishedScore,
    Round,
)
from lc_health.store.tallies import driver_statement, plain_frame

SUMS = ("n", "total", "total_sq")
HEALTH_SCOPE = "health"
ITEMS = ("n1", "n2", "n3", "n4", "n5", "n_dk")


def _frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    # Tallies are numbers and text: straight from the driver (see tallies.plain_frame).
    return plain_frame(session, stmt, columns)


def _typed_frame(session: Session, stmt: Any, columns: list[str]) -> pd.DataFrame:
    """For rows with dates and times, which need SQLAlchemy's conversion."""
    rows = session.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


@dataclass(frozen=True)
class CommunityData:
    """One community's rounds and everything published of them (closed rounds only)."""

    rounds: pd.DataFrame  # round_id, period, opens_on, closes_on, ..., responses (so far)
    publications: pd.DataFrame  # PUBLICATION_COLUMNS: one row per published round
    scores: pd.DataFrame  # round_id, scope, key, n, total, total_sq, q1, median, q3
    items: pd.DataFrame  # round_id, item_id, n1..n5, n_dk
    forces: pd.DataFrame  # round_id, force_id, n
    changes: pd.DataFrame  # round_id, scope, key, n_pairs, difference, ci_low, ci_high, ...
    groups: pd.DataFrame  # round_id, dimension, category, scope, key, n, total, total_sq
    actions: pd.DataFrame  # action_id, round_id, period, factor_id, what, owner, due_on, status


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
    "expected_headcount",
    "health_respondents",
    "forces_respondents",
    "previous_round_id",
)
SCORE_COLUMNS = ("scope", "key", *SUMS, "q1", "median", "q3")
CHANGE_COLUMNS = (
    "scope",
    "key",
    "n_pairs",
    "difference",
    "ci_low",
    "ci_high",
    "p_adjusted",
    "status",
)
GROUP_COLUMNS = ("dimension", "category", "scope", "key", *SUMS)


def _published(session: Session, model: Any, columns: Sequence[str], community_id: int) -> Any:
    return _frame(
        session,
        sa_select(col(model.round_id), *(col(getattr(model, c)) for c in columns))
        .join(Round, col(Round.id) == col(model.round_id))
        .where(col(Round.community_id) == community_id),
        ["round_id", *columns],
    )


def community_data(*, session: Session, community_id: int) -> CommunityData:
    """Everything the lead's round review, trends and forces need for one community: its
    rounds, and of the closed ones what was published."""
    rounds = rounds_frame(session=session, community_ids=[community_id])
    publications = _typed_frame(
        session,
        sa_select(*(col(getattr(Publication, c)) for c in PUBLICATION_COLUMNS))
        .join(Round, col(Round.id) == col(Publication.round_id))
        .where(col(Round.community_id) == community_id),
        list(PUBLICATION_COLUMNS),
    )
    return CommunityData(
        rounds=rounds,
        publications=publications,
        scores=_published(session, PublishedScore, SCORE_COLUMNS, community_id),
        items=_published(session, PublishedItem, ("item_id", *ITEMS), community_id),
        forces=_published(session, PublishedForce, ("force_id", "n"), community_id),
        changes=_published(session, PublishedChange, CHANGE_COLUMNS, community_id),
        groups=_published(session, PublishedGroup, GROUP_COLUMNS, community_id),
        actions=community_actions(session=session, community_id=community_id),
    )


def latest_published_factors(
    *, session: Session, community_id: int
) -> tuple[str, int, pd.DataFrame] | None:
    """The community's latest published round with factor figures: (period, responses, frame of
    factor, n, q1, median, q3), or None when nothing was published yet."""
    latest = session.execute(
        sa_select(col(Round.id), col(Round.period), col(Publication.responses))
        .join(Publication, col(Publication.round_id) == col(Round.id))
        .join(PublishedScore, col(PublishedScore.round_id) == col(Round.id))
        .where(col(Round.community_id) == community_id, col(PublishedScore.scope) == "factor")
        .order_by(col(Round.period).desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    round_id, period, responses = latest
    frame = _frame(
        session,
        sa_select(
            col(PublishedScore.key),
            col(PublishedScore.n),
            col(PublishedScore.q1),
            col(PublishedScore.median),
            col(PublishedScore.q3),
        ).where(col(PublishedScore.round_id) == round_id, col(PublishedScore.scope) == "factor"),
        ["factor", "n", "q1", "median", "q3"],
    )
    frame["factor"] = frame["factor"].astype(int)
    return str(period), int(responses), frame


def published_comments(*, session: Session, round_id: int) -> list[str]:
    """A published round's comments, in their published order (leads only)."""
    stmt = (
        sa_select(col(PublishedComment.text))
        .where(col(PublishedComment.round_id) == round_id)
        .order_by(col(PublishedComment.position))
    )
    return [str(text) for text in session.execute(stmt).scalars()]


def community_actions(*, session: Session, community_id: int) -> pd.DataFrame:
    """action_id, round_id, period, factor_id, what, owner, due_on, status, note, updated_at."""
    return _typed_frame(
        session,
        sa_select(
            col(Action.id),
            col(Action.round_id),
            col(Round.period),
            col(Action.factor_id),
            col(Action.what),
            col(Action.owner),
            col(Action.due_on),
            col(Action.status),
            col(Action.note),
            col(Action.updated_at),
        )
        .join(Round, col(Round.id) == col(Action.round_id))
        .where(col(Action.community_id) == community_id)
        .order_by(col(Round.period), col(Action.id)),
        [
            "action_id",
            "round_id",
            "period",
            "factor_id",
            "what",
            "owner",
            "due_on",
            "status",
            "note",
            "updated_at",
        ],
    )


def _portfolio_rounds(community_ids: Iterable[int] | None) -> Any:
    stmt = (
        sa_select(col(Round.id), col(Round.community_id), col(Round.period))
        .join(Community, col(Community.id) == col(Round.community_id))
        .where(col(Community.archived_at).is_(None))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    return stmt


def _published_rounds(community_ids: Iterable[int] | None, *columns: Any) -> Any:
    """The visible communities' published rounds, from their summaries (one narrow table)."""
    stmt = (
        sa_select(*columns)
        .join(Community, col(Community.id) == col(PortfolioRound.community_id))
        .where(col(Community.archived_at).is_(None))
    )
    if community_ids is not None:
        stmt = stmt.where(col(PortfolioRound.community_id).in_(ids(community_ids)))
    return stmt


def portfolio_scores(
    *,
    session: Session,
    community_ids: Iterable[int] | None,
    scopes: Iterable[str],
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Score sums of every visible community's rounds: community_id, period, scope, key, n,
    total, total_sq (published rounds only). One indexed join, no raw answers."""
    rounds = _portfolio_rounds(community_ids)
    scope: Any = col(PublishedScore.scope)
    if periods is not None:
        rounds = rounds.where(col(Round.period).in_(sorted(set(periods))))
        if session.get_bind().dialect.name == "sqlite":
            # A few periods are a small share of all rounds: SQLite should start from those
            # rounds and look their tallies up by primary key. Written as an expression, the
            # scope cannot steer it to the (scope, key, ...) index, which reads the scope in
            # every round. (PostgreSQL plans this from its statistics.)
            scope = scope + ""
    sub = rounds.subquery()
    stmt = (
        sa_select(
            sub.c.community_id,
            sub.c.period,
            col(PublishedScore.scope),
            col(PublishedScore.key),
            *(col(getattr(PublishedScore, c)) for c in SUMS),
        )
        .join(sub, sub.c.id == col(PublishedScore.round_id))
        .where(scope.in_(sorted(set(scopes))))
    )
    return _frame(session, stmt, ["community_id", "period", "scope", "key", *SUMS])


def portfolio_participation(
    *,
    session: Session,
    community_ids: Iterable[int] | None,
    periods: Iterable[str] | None = None,
) -> pd.DataFrame:
    """community_id, period, responses, forces_respondents, personal_responses, for every
    visible published round (what its figures rest on), in `periods` when given."""
    columns = ["community_id", "period", "responses", "forces_respondents", "personal_responses"]
    stmt = _published_rounds(community_ids, *(col(getattr(PortfolioRound, c)) for c in columns))
    if periods is not None:
        stmt = stmt.where(col(PortfolioRound.period).in_(sorted(set(periods))))
    return _frame(session, stmt, columns)


def portfolio_forces(
    *, session: Session, community_ids: Iterable[int] | None, periods: Iterable[str] | None = None
) -> pd.DataFrame:
    """community_id, period, force_id, n (respondents recognising it)."""
    rounds = _portfolio_rounds(community_ids)
    if periods is not None:
        rounds = rounds.where(col(Round.period).in_(sorted(set(periods))))
    sub = rounds.subquery()
    stmt = sa_select(
        sub.c.community_id, sub.c.period, col(PublishedForce.force_id), col(PublishedForce.n)
    ).join(sub, sub.c.id == col(PublishedForce.round_id))
    return _frame(session, stmt, ["community_id", "period", "force_id", "n"])


def published_instruments(*, session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """community_id, period, instrument_id, instrument_version of every visible published
    round with responses (where trend lines across periods must break at a changed
    statement)."""
    columns = ["community_id", "period", "instrument_id", "instrument_version"]
    stmt = _published_rounds(community_ids, *(col(getattr(PortfolioRound, c)) for c in columns))
    return _frame(session, stmt.where(col(PortfolioRound.responses) > 0), columns)


def portfolio_force_totals(
    *,
    session: Session,
    community_ids: Iterable[int] | None,
    periods: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forces across the portfolio, summed in the database over the published rounds whose
    forces were published (the others are left out entirely, so they cannot be derived from
    the totals).

    Returns (totals: period, force_id, n) and (respondents: period, communities, respondents).
    """
    rounds = _portfolio_rounds(community_ids)
    if periods is not None:
        rounds = rounds.where(col(Round.period).in_(sorted(set(periods))))
    sub = rounds.subquery()
    shown = col(Publication.forces_respondents) > 0
    totals = (
        sa_select(sub.c.period, col(PublishedForce.force_id), func.sum(col(PublishedForce.n)))
        .join(sub, sub.c.id == col(PublishedForce.round_id))
        .join(Publication, col(Publication.round_id) == sub.c.id)
        .where(shown)
        .group_by(sub.c.period, col(PublishedForce.force_id))
    )
    respondents = (
        sa_select(sub.c.period, func.count(), func.sum(col(Publication.forces_respondents)))
        .join(sub, sub.c.id == col(Publication.round_id))
        .where(shown)
        .group_by(sub.c.period)
    )
    return (
        _frame(session, totals, ["period", "force_id", "n"]),
        _frame(session, respondents, ["period", "communities", "respondents"]),
    )


def health_by_round(*, session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """Every visible published round with responses and its published health-index sums (n = 0
    when the index was not published), in one query: round_id,
    community_id, period, responses, n, total, total_sq, and the published change of the
    index since the previous round: status, difference (the communities overview)."""
    sub = _portfolio_rounds(community_ids).subquery()
    stmt = (
        sa_select(
            sub.c.id,
            sub.c.community_id,
            sub.c.period,
            col(Publication.responses),
            func.coalesce(col(PublishedScore.n), 0),
            func.coalesce(col(PublishedScore.total), 0.0),
            func.coalesce(col(PublishedScore.total_sq), 0.0),
            func.coalesce(col(PublishedChange.status), "not_comparable"),
            col(PublishedChange.difference),
        )
        .join(Publication, col(Publication.round_id) == sub.c.id)
        .outerjoin(
            PublishedScore,
            (col(PublishedScore.round_id) == sub.c.id)
            & (col(PublishedScore.scope) == HEALTH_SCOPE),
        )
        .outerjoin(
            PublishedChange,
            (col(PublishedChange.round_id) == sub.c.id)
            & (col(PublishedChange.scope) == HEALTH_SCOPE),
        )
        .where(col(Publication.responses) > 0)
    )
    return _frame(
        session,
        stmt,
        [
            "round_id",
            "community_id",
            "period",
            "responses",
            "n",
            "total",
            "total_sq",
            "status",
            "difference",
        ],
    )


ROUND_SUMMARY = portfolio_summaries.COLUMNS  # what a published round's summary row holds


def portfolio_rounds(*, session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """Every visible published round's summary (ROUND_SUMMARY columns) in one read: what the
    portfolio's participation, instrument versions and trends rest on."""
    stmt = _published_rounds(
        community_ids, *(col(getattr(PortfolioRound, c)) for c in ROUND_SUMMARY)
    )
    columns = list(ROUND_SUMMARY)
    if session.get_bind().dialect.name != "postgresql":
        return _frame(session, stmt, columns)
    rounds = pd.DataFrame(dict(zip(columns, _pg_arrays(session, stmt), strict=True)))
    numbers = [c for c in columns if c not in ("period", "instrument_id")]
    return rounds.astype(
        dict.fromkeys(numbers, "int64") | {"period": "str", "instrument_id": "str"}
    )


def portfolio_shown_means(
    *,
    session: Session,
    community_ids: Iterable[int] | None,
    scores: Sequence[tuple[str, str]],
    rounds: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The portfolio over time, narrow: only the published means of `scores` ((scope, key)
    pairs, e.g. the health index and each layer), computed in the database, and the published
    rounds whose health index had too few respondents to be published.

    One read of the visible rounds that have responses, and one per (scope, key) of round ids
    and means, each through the (scope, key, round_id, n, total) index: it holds everything
    such a read needs, so the table itself is not visited, and no text travels per row. The
    rounds' community and period are joined here, on integers.

    `rounds`: portfolio_rounds() of the same communities, when already read (saves a read).

    Returns (community_id, period, scope, key, mean) and (community_id, period).
    """
    if rounds is not None:
        rounds = rounds.loc[rounds["responses"] > 0, ["round_id", "community_id", "period"]]
    else:
        rounds = _visible_rounds(session, community_ids)
    rounds = rounds.sort_values("round_id", ignore_index=True)
    known = rounds["round_id"].to_numpy()
    wanted = list(dict.fromkeys([(HEALTH_SCOPE, ""), *scores]))
    asked = set(scores)
    found: list[np.ndarray] = []  # per asked pair: rows of `rounds`
    values: list[np.ndarray] = []
    pairs: list[tuple[str, str]] = []
    healthy = np.zeros(len(rounds), dtype=bool)
    for scope, key in wanted:
        round_ids, means = _shown_means_of(session, scope, key)
        at = np.searchsorted(known, round_ids).clip(max=max(len(known) - 1, 0))
        visible_ = (known[at] == round_ids) if len(known) else np.zeros(len(at), dtype=bool)
        if (scope, key) == (HEALTH_SCOPE, ""):
            healthy[at[visible_]] = True
        if (scope, key) in asked:
            found.append(at[visible_])
            values.append(means[visible_])
            pairs.append((scope, key))
    rows = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    which = np.repeat(np.arange(len(pairs)), [len(f) for f in found])
    # Text columns are taken from a few values by position (no Python string per row).
    shown = pd.DataFrame(
        {
            "community_id": rounds["community_id"].to_numpy()[rows],
            "period": rounds["period"].array.take(rows),
            "scope": pd.array([p[0] for p in pairs], dtype="str").take(which),
            "key": pd.array([p[1] for p in pairs], dtype="str").take(which),
            "mean": np.concatenate(values) if values else np.zeros(0),
        }
    )
    too_few = rounds.loc[~healthy, ["community_id", "period"]].reset_index(drop=True)
    return shown, too_few


def _visible_rounds(session: Session, community_ids: Iterable[int] | None) -> pd.DataFrame:
    """round_id, community_id, period of the visible published rounds with responses."""
    visible = _published_rounds(
        community_ids,
        col(PortfolioRound.round_id),
        col(PortfolioRound.community_id),
        col(PortfolioRound.period),
    ).where(col(PortfolioRound.responses) > 0)
    columns = ["round_id", "community_id", "period"]
    if session.get_bind().dialect.name != "postgresql":
        return _frame(session, visible, columns)
    rounds = pd.DataFrame(dict(zip(columns, _pg_arrays(session, visible), strict=True)))
    return rounds.astype({"round_id": "int64", "community_id": "int64", "period": "str"})


def _shown_means_statement(dialect: str) -> Any:
    passes = (
        col(PublishedScore.scope) == bindparam("scope"),
        col(PublishedScore.key) == bindparam("key"),
    )
    round_id = col(PublishedScore.round_id)
    mean = col(PublishedScore.total) / cast(col(PublishedScore.n), Float)
    if dialect == "postgresql":  # each column as one array (see _pg_arrays)
        return sa_select(func.array_agg(round_id), func.array_agg(mean)).where(*passes)
    return sa_select(round_id, mean).where(*passes)


def _shown_means_of(session: Session, scope: str, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Round ids and means of one (scope, key) in every round where it was published,
    as arrays (numbers only, so no DataFrame needs building for them). The statement is
    compiled once (see tallies.DriverStatement): it runs five times for every trends read."""
    conn = session.connection()
    stmt = driver_statement(conn, "portfolio:published-means", _shown_means_statement)
    params = stmt.params({"scope": scope, "key": key})
    if conn.dialect.name == "postgresql":
        ids, means = _binary_row(session, stmt.sql, params) or (None, None)
        return np.array(ids or [], dtype=np.int64), np.array(means or [], dtype=np.float64)
    result = conn.exec_driver_sql(stmt.sql, params)
    rows = result.cursor.fetchall()  # plain tuples from the driver (see tallies.plain_frame)
    result.close()
    table = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=2 * len(rows))
    table = table.reshape(len(rows), 2)  # round ids are far below 2**53: exact as floats
    return table[:, 0].astype(np.int64), table[:, 1]


def _pg_arrays(session: Session, stmt: Any) -> list[list[Any]]:
    """PostgreSQL: a statement's columns, each as one array in the binary format. psycopg
    unpacks those in C, several times faster than building a row object for each of the
    thousands of rounds a portfolio read returns."""
    sub = stmt.subquery()
    conn = session.connection()
    compiled = sa_select(*(func.array_agg(c) for c in sub.c)).compile(
        dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
    )
    found = _binary_row(session, str(compiled), compiled.params)
    return [list(values or []) for values in (found or [None] * len(sub.c))]


def _binary_row(session: Session, sql: str, params: Any) -> tuple[Any, ...] | None:
    """PostgreSQL: the one row of a statement, fetched in the binary format through psycopg,
    inside the session's transaction."""
    dbapi = cast_type(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    with dbapi.cursor(binary=True) as cursor:
        return cursor.execute(sql, params).fetchone()
