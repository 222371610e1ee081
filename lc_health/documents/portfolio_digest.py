"""The portfolio's reads from the periods' digests (store.portfolio_digests), in the shapes the
row-by-row reads gave (store.dashboard: portfolio_rounds, portfolio_shown_means,
portfolio_scores, portfolio_force_totals): a visible community's rounds are picked out of
each period's arrays with a sorted search, nothing per community runs in Python. A period
found stale is built from the published rows and kept in its own short write transaction;
where that fails (a read-only replica, a busy writer) the next read builds it again."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from lc_health.store import portfolio_digests as digests
from lc_health.store.db import write_session

Arrays = digests.Arrays


def _keep(session: Session, loaded: digests.Loaded) -> None:
    engine = session.get_bind()
    if not isinstance(engine, Engine):
        return
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return  # one shared connection: a second transaction on it would end the reader's
    try:
        with write_session(engine) as writer:
            digests.save_digests(session=writer, loaded=loaded)
    except SQLAlchemyError:
        pass  # read-only, or busy: the period stays stale and is built again when read


def load(
    session: Session, part: str, periods: Sequence[str] | None
) -> dict[str, dict[str, Arrays]]:
    """period -> {"rounds": ..., part: ...} for these periods (all when None)."""
    loaded = digests.read_digests(session=session, part=part, periods=periods)
    if loaded.built:
        _keep(session, loaded)
    return loaded.digests


def _visible(rounds: Arrays, visible: np.ndarray) -> np.ndarray:
    """Row mask of the rounds whose community is in `visible` (sorted ids)."""
    communities = rounds["community_id"]
    if not len(visible):
        return np.zeros(len(communities), dtype=np.bool_)
    at = np.searchsorted(visible, communities).clip(max=len(visible) - 1)
    mask: np.ndarray = visible[at] == communities
    return mask


def _texts(values: list[str], counts: list[int]) -> pd.api.extensions.ExtensionArray:
    codes = np.repeat(np.arange(len(values)), counts)
    return pd.array(values, dtype="str").take(codes) if values else pd.array([], dtype="str")


def rounds_frame(found: dict[str, dict[str, Arrays]], visible: np.ndarray) -> pd.DataFrame:
    """The visible published rounds (dashboard.ROUND_SUMMARY columns) of the periods found."""
    periods: list[str] = []
    counts: list[int] = []
    columns: dict[str, list[np.ndarray]] = {c: [] for c in digests.ROUND_NUMBERS}
    names: list[str] = []  # every period's instrument ids, in one list
    codes: list[np.ndarray] = []
    for period in sorted(found):
        rounds = found[period]["rounds"]
        mask = _visible(rounds, visible)
        periods.append(period)
        counts.append(int(mask.sum()))
        for c in digests.ROUND_NUMBERS:
            columns[c].append(rounds[c][mask])
        codes.append(rounds["instrument_code"][mask] + len(names))
        names.extend(str(n) for n in rounds["instrument_ids"].tolist())
    number = {c: np.concatenate(v) if v else np.zeros(0, np.int64) for c, v in columns.items()}
    instrument = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    return pd.DataFrame(
        {
            "round_id": number["round_id"],
            "community_id": number["community_id"],
            "period": _texts(periods, counts),
            "instrument_id": pd.array(names or [""], dtype="str").take(instrument),
            "instrument_version": number["instrument_version"],
            "responses": number["responses"],
            "forces_respondents": number["forces_respondents"],
            "personal_responses": number["personal_responses"],
        }
    )


def shown_means(
    found: dict[str, dict[str, Arrays]], visible: np.ndarray, scores: Sequence[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """As dashboard.portfolio_shown_means: the published means of `scores` in the visible
    rounds with responses (community_id, period, scope, key, mean), and those rounds without a
    published health index (community_id, period)."""
    asked = list(dict.fromkeys(scores))
    parts: dict[str, list[np.ndarray]] = {"community_id": [], "mean": [], "which": []}
    period_of: list[str] = []
    period_counts: list[int] = []
    too_few_ids: list[np.ndarray] = []
    too_few_counts: list[int] = []
    for period in sorted(found):
        rounds, trends = found[period]["rounds"], found[period]["trends"]
        mask = _visible(rounds, visible) & (rounds["responses"] > 0)
        pairs = list(zip(trends["scope"].tolist(), trends["key"].tolist(), strict=True))
        column = {pair: i for i, pair in enumerate(pairs)}
        healthy = (
            trends["present"][:, column[("health", "")]]
            if ("health", "") in column
            else np.zeros(len(mask), dtype=np.bool_)
        )
        missing = mask & ~healthy
        too_few_ids.append(rounds["community_id"][missing])
        too_few_counts.append(int(missing.sum()))
        total = 0
        for position, pair in enumerate(asked):
            if pair not in column:
                continue
            rows = mask & trends["present"][:, column[pair]]
            parts["community_id"].append(rounds["community_id"][rows])
            parts["mean"].append(trends["mean"][rows, column[pair]])
            parts["which"].append(np.full(int(rows.sum()), position, dtype=np.int64))
            total += int(rows.sum())
        period_of.append(period)
        period_counts.append(total)
    joined = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
    which = joined["which"].astype(np.int64)
    shown = pd.DataFrame(
        {
            "community_id": joined["community_id"].astype(np.int64),
            "period": _texts(period_of, period_counts),
            "scope": pd.array([p[0] for p in asked], dtype="str").take(which),
            "key": pd.array([p[1] for p in asked], dtype="str").take(which),
            "mean": joined["mean"].astype(np.float64),
        }
    )
    too_few = pd.DataFrame(
        {
            "community_id": (np.concatenate(too_few_ids) if too_few_ids else np.zeros(0)).astype(
                np.int64
            ),
            "period": _texts(period_of, too_few_counts),
        }
    )
    return shown, too_few


def period_sums(
    found: dict[str, dict[str, Arrays]], visible: np.ndarray, period: str
) -> pd.DataFrame:
    """As metrics.portfolio.with_too_few over dashboard.portfolio_scores (health, layers and
    factors) of one period: community_id, period, scope, key, n, total, total_sq, plus a
    health row with n = 0 for every visible round with responses but no published index."""
    columns = ["community_id", "period", "scope", "key", "n", "total", "total_sq"]
    if period not in found:
        return pd.DataFrame({c: [] for c in columns})
    rounds, scores = found[period]["rounds"], found[period]["scores"]
    mask = _visible(rounds, visible)
    present = scores["present"] & mask[:, None]
    rows, keys = np.nonzero(present)  # row-major: by round, then key
    pairs = list(zip(scores["scope"].tolist(), scores["key"].tolist(), strict=True))
    health = pairs.index(("health", "")) if ("health", "") in pairs else -1
    healthy = present[:, health] if health >= 0 else np.zeros(len(mask), dtype=np.bool_)
    missing = np.nonzero(mask & (rounds["responses"] > 0) & ~healthy)[0]
    # The too-few rows take a last, extra key: the health index.
    codes = np.concatenate([keys, np.full(len(missing), len(pairs), dtype=np.int64)])
    return pd.DataFrame(
        {
            "community_id": np.concatenate(
                [rounds["community_id"][rows], rounds["community_id"][missing]]
            ),
            "period": pd.array([period], dtype="str").take(np.zeros(len(codes), np.int64)),
            "scope": pd.array([p[0] for p in pairs] + ["health"], dtype="str").take(codes),
            "key": pd.array([p[1] for p in pairs] + [""], dtype="str").take(codes),
            "n": np.concatenate([scores["n"][rows, keys], np.zeros(len(missing), np.int64)]),
            "total": np.concatenate([scores["total"][rows, keys], np.zeros(len(missing))]),
            "total_sq": np.concatenate([scores["total_sq"][rows, keys], np.zeros(len(missing))]),
        }
    )


def force_totals(
    found: dict[str, dict[str, Arrays]], visible: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """As dashboard.portfolio_force_totals: (period, force_id, n) summed over the visible
    rounds whose forces were published, and (period, communities, respondents)."""
    totals: dict[str, list[object]] = {"period": [], "force_id": [], "n": []}
    respondents: dict[str, list[object]] = {"period": [], "communities": [], "respondents": []}
    for period in sorted(found):
        rounds, forces = found[period]["rounds"], found[period]["forces"]
        shown = _visible(rounds, visible) & (rounds["forces_respondents"] > 0)
        if not shown.any():
            continue
        respondents["period"].append(period)
        respondents["communities"].append(int(shown.sum()))
        respondents["respondents"].append(int(rounds["forces_respondents"][shown].sum()))
        present = forces["present"][shown]
        sums = forces["n"][shown].sum(axis=0)
        for force_id, has, n in zip(
            forces["force_id"].tolist(),
            np.asarray(present.any(axis=0), dtype=np.bool_).tolist(),
            sums.tolist(),
            strict=True,
        ):
            if has:
                totals["period"].append(period)
                totals["force_id"].append(str(force_id))
                totals["n"].append(int(n))
    return pd.DataFrame(totals), pd.DataFrame(respondents)
