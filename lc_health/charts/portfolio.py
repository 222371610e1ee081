"""Portfolio charts: factors across communities, the spread of communities over time, bands per
period and the forces most often recognised."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from lc_health.charts.core import (
    BAND_COLOURS,
    MUTED,
    SCALE_DOMAIN,
    SUPPRESSED_COLOUR,
    band_scale,
    configure,
    with_shown,
)
from lc_health.metrics.core import BANDS

HIGHLIGHT = "#0B6E69"
ROW_STEP = 30


def factor_strips(
    frame: pd.DataFrame, *, lang: str, band_labels: Mapping[str, str], titles: Mapping[str, str]
) -> alt.LayerChart:
    """Per factor (rows), every shown community's mean as a dot; the portfolio median as a
    tick; one selected community larger and outlined.

    frame: label, community, mean, band_label, highlighted (bool), median (same per label).
    titles: x, factor, community, mean, median.
    """
    order = list(dict.fromkeys(frame["label"]))
    frame = with_shown(frame, "mean", "median")
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X(
        "mean:Q",
        scale=alt.Scale(domain=list(SCALE_DOMAIN)),
        title=titles["x"],
        axis=alt.Axis(values=[1, 2, 3, 4, 5], format=".0f"),
    )
    others = (
        alt.Chart(frame[~frame["highlighted"]])
        .mark_circle(size=60, opacity=0.55)
        .encode(
            y=y,
            x=x,
            color=alt.Color(
                "band_label:N",
                scale=band_scale(band_labels),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1, 1])),
            tooltip=[
                alt.Tooltip("community:N", title=titles["community"]),
                alt.Tooltip("label:N", title=titles["factor"]),
                alt.Tooltip("mean_shown:Q", title=titles["mean"], format=".1f"),
            ],
        )
        .transform_calculate(jitter="(random() - 0.5) * 1.2")
    )
    medians = (
        alt.Chart(frame.drop_duplicates("label"))
        .mark_tick(color=MUTED, thickness=3, size=22)
        .encode(
            y=y,
            x=alt.X("median:Q", scale=alt.Scale(domain=list(SCALE_DOMAIN))),
            tooltip=[alt.Tooltip("median_shown:Q", title=titles["median"], format=".1f")],
        )
    )
    chosen = (
        alt.Chart(frame[frame["highlighted"]])
        .mark_point(
            size=220, filled=True, color=HIGHLIGHT, stroke="white", strokeWidth=2, shape="diamond"
        )
        .encode(
            y=y,
            x=x,
            tooltip=[
                alt.Tooltip("community:N", title=titles["community"]),
                alt.Tooltip("mean_shown:Q", title=titles["mean"], format=".1f"),
            ],
        )
    )
    chart: alt.LayerChart = (others + medians + chosen).properties(height=alt.Step(ROW_STEP + 6))
    return configure(chart, lang)


def bands_per_period(
    frame: pd.DataFrame, *, lang: str, labels: Mapping[str, str], titles: Mapping[str, str]
) -> alt.Chart:
    """Stacked bars: how many communities are in each band (and too few) per period.

    frame: period_label, band (strong/discuss/concern/too_few), communities.
    labels: band -> text (including too_few). titles: x, y.
    """
    order = [*BANDS, "too_few"]
    data = frame.assign(label=frame["band"].map(labels), order=frame["band"].map(order.index))
    colours = [BAND_COLOURS[b] for b in BANDS] + [SUPPRESSED_COLOUR]
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("period_label:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("communities:Q", title=titles["y"], stack=True),
            color=alt.Color(
                "label:N",
                title=None,
                sort=[labels[b] for b in order],
                scale=alt.Scale(domain=[labels[b] for b in order], range=colours),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("order:Q"),
            tooltip=["period_label:N", "label:N", "communities:Q"],
        )
        .properties(height=260)
    )
    return configure(chart, lang)


def top_forces(
    frame: pd.DataFrame, *, lang: str, kind_labels: Mapping[str, str], titles: Mapping[str, str]
) -> alt.Chart:
    """Horizontal bars of the share of respondents recognising each force, coloured by kind.

    frame: label, kind, share (sorted as shown). titles: x.
    """
    order = frame["label"].tolist()
    data = frame.assign(kind_label=frame["kind"].map(kind_labels))
    chart: alt.Chart = (
        alt.Chart(data)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("share:Q", title=titles["x"], axis=alt.Axis(format="~%")),
            color=alt.Color(
                "kind_label:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(
                    domain=[kind_labels["facilitating"], kind_labels["hindering"]],
                    range=[BAND_COLOURS["strong"], BAND_COLOURS["concern"]],
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=" "),
                alt.Tooltip("share:Q", title=titles["x"], format=".0%"),
            ],
        )
        .properties(height=alt.Step(24))
    )
    return configure(chart, lang)
