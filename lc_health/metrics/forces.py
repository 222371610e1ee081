"""Facilitating and hindering factors: how many respondents recognise each, mirror pairs
aligned for a force-field picture, and the change since the previous round."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from lc_health.domain.disclosure import hidden
from lc_health.domain.instrument import Instrument


def force_field(
    counts: pd.DataFrame,
    respondents: int,
    previous_counts: pd.DataFrame | None,
    previous_respondents: int,
    instrument: Instrument,
    threshold: int,
    layer: str | None = None,
) -> pd.DataFrame:
    """One row per force-field line: a facilitating factor and its hindering mirror side by side
    (either may be missing).

    counts: force_id, n for this round; respondents: how many answered the forces question.
    Returns row, facilitating, hindering (force ids or None), fac_share, hin_share,
    fac_change, hin_change (share points since the previous round), fac_n, hin_n (how many
    recognise it now), fac_n_before, hin_n_before (then), respondents, respondents_before (of
    how many). Shares and counts are NA when fewer than `threshold` respondents answered the
    question; changes and earlier counts are NA when either round is below it. A change is
    given with its counts because at a handful of respondents one person moves a share by many
    points. With `layer`, only lines where a side plays at that layer are kept.
    """
    shown = not hidden(respondents, threshold)
    before = previous_counts is not None and not hidden(previous_respondents, threshold)
    now_n = dict(zip(counts["force_id"], counts["n"], strict=True))
    prev_n = (
        dict(zip(previous_counts["force_id"], previous_counts["n"], strict=True))
        if previous_counts is not None
        else {}
    )

    def count(force_id: str | None, n: dict[str, int], total: int, ok: bool) -> float:
        if force_id is None or not ok or total <= 0:
            return np.nan
        return float(n.get(force_id, 0))

    def share(force_id: str | None, n: dict[str, int], total: int, ok: bool) -> float:
        return count(force_id, n, total, ok) / total if total > 0 else np.nan

    rows = []
    seen: set[str] = set()
    lines: list[tuple[str | None, str | None]] = []
    for force in instrument.forces_of("facilitating"):
        lines.append((force.id, force.mirror))
        seen.update({force.id, force.mirror or ""})
    lines += [(None, f.id) for f in instrument.forces_of("hindering") if f.id not in seen]
    for index, (fac, hin) in enumerate(lines):
        layers = {instrument.force_by_id[f].layer for f in (fac, hin) if f is not None}
        if layer is not None and layer not in layers:
            continue
        fac_share = share(fac, now_n, respondents, shown)
        hin_share = share(hin, now_n, respondents, shown)
        fac_before = share(fac, prev_n, previous_respondents, before)
        hin_before = share(hin, prev_n, previous_respondents, before)
        fac_then = count(fac, prev_n, previous_respondents, before and shown)
        hin_then = count(hin, prev_n, previous_respondents, before and shown)
        rows.append(
            {
                "row": index,
                "facilitating": fac,
                "hindering": hin,
                "fac_share": fac_share,
                "hin_share": hin_share,
                "fac_change": fac_share - fac_before,
                "hin_change": hin_share - hin_before,
                "fac_n": count(fac, now_n, respondents, shown),
                "hin_n": count(hin, now_n, respondents, shown),
                "fac_n_before": fac_then,
                "hin_n_before": hin_then,
            }
        )
    columns = [
        "row",
        "facilitating",
        "hindering",
        "fac_share",
        "hin_share",
        "fac_change",
        "hin_change",
        "fac_n",
        "hin_n",
        "fac_n_before",
        "hin_n_before",
    ]
    out = pd.DataFrame(rows, columns=columns)
    for column in ("fac_n", "hin_n", "fac_n_before", "hin_n_before"):
        out[column] = out[column].astype("Int64")
    out["respondents"] = pd.array([respondents if shown else pd.NA] * len(out), dtype="Int64")
    out["respondents_before"] = pd.array(
        [previous_respondents if before and shown else pd.NA] * len(out), dtype="Int64"
    )
    return out


def portfolio_shares(
    totals: pd.DataFrame, respondents: pd.DataFrame, instrument: Instrument
) -> pd.DataFrame:
    """Per period and force: n, share of respondents, kind and layer.

    totals: period, force_id, n; respondents: period, communities, respondents (both already
    limited to rounds that pass the threshold, see store.dashboard.portfolio_force_totals).
    """
    grid = pd.MultiIndex.from_product(
        [sorted(respondents["period"]), [f.id for f in instrument.forces]],
        names=["period", "force_id"],
    ).to_frame(index=False)
    out = grid.merge(totals, on=["period", "force_id"], how="left").fillna({"n": 0})
    out = out.merge(respondents, on="period", how="left")
    out["share"] = out["n"] / out["respondents"].where(out["respondents"] > 0)
    out["kind"] = out["force_id"].map({f.id: f.kind for f in instrument.forces})
    out["layer"] = out["force_id"].map({f.id: f.layer for f in instrument.forces})
    return out.sort_values(["period", "share"], ascending=[True, False]).reset_index(drop=True)


def shares_by_period(history: pd.DataFrame, force_ids: Sequence[str]) -> pd.DataFrame:
    """The share of respondents recognising each force (portfolio_shares), one row per force
    in `force_ids`' order and one column per period."""
    wide = history[history["force_id"].isin(force_ids)].pivot(
        index="force_id", columns="period", values="share"
    )
    return wide.reindex(list(force_ids))
