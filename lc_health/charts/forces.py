"""The force field: facilitating factors pushing from the left, hindering factors from the
right, mirror pairs on one line, with how many recognise each now and in the previous round."""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import pandas as pd

from lc_health.charts.core import BAND_COLOURS, MUTED, TEXT, configure

# Two lines of text per row: the factor's name and, under it, its counts.
ROW_STEP = 38
FACILITATING_COLOUR = BAND_COLOURS["strong"]
HINDERING_COLOUR = BAND_COLOURS["concern"]


def force_field(frame: pd.DataFrame, *, lang: str, titles: Mapping[str, str]) -> alt.LayerChart:
    """frame: row, fac_label, hin_label, fac_share, hin_share, fac_count_text, hin_count_text
    (e.g. "5 of 9, was 3 of 8").

    Facilitating shares are drawn to the left of the centre line, hindering to the right; the
    factor names sit at the outer ends with their counts under them, in grey: a change in a
    share is given as counts, never as a coloured verdict (at a handful of respondents one
    person is many points). titles: x, facilitating, hindering, share, count.
    """
    order = frame["row"].tolist()
    # Bars use as much width as the largest share needs; the names sit just beyond that.
    widest = float(pd.concat([frame["fac_share"], frame["hin_share"]]).fillna(0).max())
    reach = max(0.5, math.ceil(widest * 10) / 10 + 0.1)
    ticks = [round(x * 0.25 * reach, 2) for x in range(-4, 5)]
    left = frame.assign(
        side=titles["facilitating"],
        x=-frame["fac_share"].fillna(0),
        label=frame["fac_label"],
        share=frame["fac_share"],
        count=frame["fac_count_text"],
    )
    right = frame.assign(
        side=titles["hindering"],
        x=frame["hin_share"].fillna(0),
        label=frame["hin_label"],
        share=frame["hin_share"],
        count=frame["hin_count_text"],
    )
    data = pd.concat([left, right], ignore_index=True)
    data = data[data["label"].fillna("") != ""]
    y = alt.Y("row:O", sort=order, axis=None)
    x_scale = alt.Scale(domain=[-reach * 2.2, reach * 2.2])
    bars = (
        alt.Chart(data)
        .mark_bar(height=16, cornerRadius=2)
        .encode(
            y=y,
            x=alt.X(
                "x:Q",
                scale=x_scale,
                title=titles["x"],
                axis=alt.Axis(values=ticks, format="~%", labelExpr="replace(datum.label, '-', '')"),
            ),
            x2=alt.datum(0),
            color=alt.Color(
                "side:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(
                    domain=[titles["facilitating"], titles["hindering"]],
                    range=[FACILITATING_COLOUR, HINDERING_COLOUR],
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=" "),
                alt.Tooltip("share:Q", title=titles["share"], format=".0%"),
                alt.Tooltip("count:N", title=titles["count"]),
            ],
        )
    )
    names_left = (
        alt.Chart(data[data["x"] <= 0])
        .transform_filter(alt.datum.side == titles["facilitating"])
        .mark_text(align="right", dx=-6, dy=-7, fontSize=12, color=TEXT, limit=260)
        .encode(y=y, x=alt.datum(-reach * 1.04), text="label:N")
    )
    names_right = (
        alt.Chart(data)
        .transform_filter(alt.datum.side == titles["hindering"])
        .mark_text(align="left", dx=6, dy=-7, fontSize=12, color=TEXT, limit=260)
        .encode(y=y, x=alt.datum(reach * 1.04), text="label:N")
    )
    counts_left = (
        alt.Chart(data)
        .transform_filter(alt.datum.side == titles["facilitating"])
        .mark_text(align="right", dx=-6, dy=8, fontSize=11, color=MUTED, limit=260)
        .encode(y=y, x=alt.datum(-reach * 1.04), text="count:N")
    )
    counts_right = (
        alt.Chart(data)
        .transform_filter(alt.datum.side == titles["hindering"])
        .mark_text(align="left", dx=6, dy=8, fontSize=11, color=MUTED, limit=260)
        .encode(y=y, x=alt.datum(reach * 1.04), text="count:N")
    )
    centre = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=MUTED).encode(x="x:Q")
    chart: alt.LayerChart = (
        bars + centre + names_left + names_right + counts_left + counts_right
    ).properties(height=alt.Step(ROW_STEP))
    return configure(chart, lang)
