"""Portfolio charts: how the communities spread per factor, bands per period and the forces
most often recognised."""

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


def factor_spread(
    frame: pd.DataFrame,
    chosen: pd.DataFrame,
    *,
    lang: str,
    band_labels: Mapping[str, str],
    titles: Mapping[str, str],
) -> alt.LayerChart:
    """Per factor (rows), how the shown communities' means spread: a line from the 10th to the
    90th percentile, a bar over the middle half coloured by the band of the median, the median
    as a white stripe; the chosen community as a diamond. The marks do not grow with the
    number of communities.

    frame: label, communities, p10, q1, median, q3, p90, band_label (of the median).
    chosen: label, community, mean (the chosen community's shown means; may be empty).
    titles: x, factor, community, mean, median, communities, middle, outer.
    """
    order = list(frame["label"])
    frame = with_shown(frame, "p10", "q1", "median", "q3", "p90")
    chosen = with_shown(chosen, "mean")
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    domain = alt.Scale(domain=list(SCALE_DOMAIN))
    x = alt.X(
        "p10:Q",
        scale=domain,
        title=titles["x"],
        axis=alt.Axis(values=[1, 2, 3, 4, 5], format=".0f"),
    )
    tooltip = [
        alt.Tooltip("label:N", title=titles["factor"]),
        alt.Tooltip("communities:Q", title=titles["communities"]),
        alt.Tooltip("median_shown:Q", title=titles["median"], format=".1f"),
        alt.Tooltip("q1_shown:Q", title=f"{titles['middle']} ≥", format=".1f"),
        alt.Tooltip("q3_shown:Q", title=f"{titles['middle']} ≤", format=".1f"),
        alt.Tooltip("p10_shown:Q", title=f"{titles['outer']} ≥", format=".1f"),
        alt.Tooltip("p90_shown:Q", title=f"{titles['outer']} ≤", format=".1f"),
    ]
    base = alt.Chart(frame).encode(y=y, tooltip=tooltip)
    outer = base.mark_rule(color=MUTED, strokeWidth=2).encode(x=x, x2="p90:Q")
    middle = base.mark_bar(height=16, cornerRadius=3, opacity=0.85).encode(
        x=alt.X("q1:Q", scale=domain),
        x2="q3:Q",
        color=alt.Color(
            "band_label:N",
            scale=band_scale(band_labels),
            title=None,
            legend=alt.Legend(orient="top"),
        ),
    )
    median = base.mark_tick(color="white", thickness=3, size=16).encode(
        x=alt.X("median:Q", scale=domain)
    )
    point = (
        alt.Chart(chosen)
        .mark_point(
            size=200, filled=True, color=HIGHLIGHT, stroke="white", strokeWidth=2, shape="diamond"
        )
        .encode(
            y=y,
            x=alt.X("mean:Q", scale=domain),
            tooltip=[
                alt.Tooltip("community:N", title=titles["community"]),
                alt.Tooltip("label:N", title=titles["factor"]),
                alt.Tooltip("mean_shown:Q", title=titles["mean"], format=".1f"),
            ],
        )
    )
    chart: alt.LayerChart = (outer + middle + median + point).properties(height=alt.Step(ROW_STEP))
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
