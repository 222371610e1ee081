"""The room's picture on the projector, drawn only from the published bytes
(metrics.live.payload): the twelve factors' answers as diverging bars (the spread), the factors
by band, and the factors proposed for the conversation in the facilitator's order."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.charts.core import enlarged
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Instrument
from lc_health.ui.context import t
from lc_health.ui.widgets import agreement, md_escape, show_chart

BANDS = ("concern", "discuss", "strong")
CHART_SCALE = 1.45  # axis labels readable from the back; still no scrolling at 1080 px


def frame(picture: dict[str, Any], instrument: Instrument, lang: str) -> pd.DataFrame:
    """The picture as the distribution chart's frame: label, share1..5, dk_text, band, mean,
    disagreement, suppressed; in factor order."""
    rows = []
    for factor in picture["factors"]:
        counts = list(factor["counts"])
        n = sum(counts)
        shares = {
            f"share{v}": (counts[v - 1] / n if n and not factor["suppressed"] else None)
            for v in range(1, 6)
        }
        rows.append(
            {
                "factor": factor["factor"],
                "label": instrument.factor_by_id[factor["factor"]].short.get(lang),
                **shares,
                "dk_text": t("review.dk_count", count=int(factor["n_dk"])),
                "band": factor["band"],
                "mean": factor["mean"],
                "disagreement": factor["disagreement"],
                "suppressed": factor["suppressed"],
            }
        )
    return pd.DataFrame(rows)


def spread_chart(shown: pd.DataFrame, instrument: Instrument, lang: str) -> None:
    answers = [p.label.get(lang) for p in instrument.scale.points]
    titles = {
        "x": t("review.axis_share"),
        "factor": t("review.factor"),
        "share": t("review.share"),
        "answer": t("review.answer"),
    }
    visible = shown[~shown["suppressed"]]
    chart = charts.distribution(
        visible, lang=lang, answer_labels=answers, titles=titles, legend_columns=3
    )
    show_chart(
        enlarged(chart, CHART_SCALE),
        theme=None,
        width="stretch",
        description=agreement(visible, answers),
    )


def by_band(shown: pd.DataFrame, lang: str) -> None:
    """The factors under their reading band, lowest band first; disagreement marked."""
    for band in BANDS:
        part = shown[shown["band"] == band].sort_values("mean")
        if part.empty:
            continue
        lines = [f"**{md_escape(t(f'band_short.{band}'))}**"]
        for label, mean, split in zip(
            part["label"], part["mean"], part["disagreement"], strict=True
        ):
            mark = " ≠" if split else ""
            lines.append(f"{md_escape(str(label))} {format_number(mean, lang)}{mark}")
        st.markdown("  \n".join(lines))
    if shown["disagreement"].any():
        st.caption(t("live.disagree_legend"))
    hidden = shown[shown["suppressed"]]
    if not hidden.empty:
        st.caption(t("live.too_few_factors", factors=", ".join(hidden["label"])))


def to_discuss(order: list[int], shown: pd.DataFrame) -> None:
    st.markdown(f"**{md_escape(t('live.to_discuss'))}**")
    if not order:
        st.caption(t("live.nothing_to_discuss"))
        return
    labels = dict(zip(shown["factor"], shown["label"], strict=True))
    st.container(key="live_discuss").markdown(
        "\n".join(f"{i}. {md_escape(str(labels[f]))}" for i, f in enumerate(order, 1))
    )
