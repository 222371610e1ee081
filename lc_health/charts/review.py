"""Charts of one round: the factors x layers matrix, answer distributions, means with intervals,
and change since the previous round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import altair as alt
import pandas as pd

from lc_health.charts.core import (
    BAND_COLOURS,
    GRID,
    MUTED,
    SCALE_DOMAIN,
    SUPPRESSED_COLOUR,
    TEXT,
    band_scale,
    configure,
    with_shown,
)

ROW_STEP = 30
# Diverging palette for the five answers: two shades of vermilion, a neutral grey, two blues
# (colour-blind safe; matches the band colours' directions).
ANSWER_COLOURS = ("#A7351F", "#E0876F", "#CBD2D1", "#7FA9D3", "#1F6FB2")
# Only a clear change gets a colour; "no clear change" stays a hollow grey point.
STATUS_COLOURS = {"improved": BAND_COLOURS["strong"], "declined": BAND_COLOURS["concern"]}
UNCLEAR_COLOUR = "#8A9896"


def layer_heatmap(
    frame: pd.DataFrame,
    *,
    lang: str,
    band_labels: Mapping[str, str],
    titles: Mapping[str, str],
    row: str = "factor_label",
    column: str = "layer_label",
    cell_width: int = 110,
) -> alt.LayerChart:
    """A grid of means coloured by band: factors x layers by default, or any rows x columns.

    frame: the row and column label fields, asked, mean, band, band_label, n, suppressed,
    cell_text (what the cell says: the mean, or e.g. "< 5"); order as given.
    titles: tooltip titles for the row (key "factor"), the column ("layer"), mean, n, band.
    """
    rows = list(dict.fromkeys(frame[row]))
    cols = list(dict.fromkeys(frame[column]))
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{column}:N",
            sort=cols,
            title=None,
            axis=alt.Axis(orient="top", labelAngle=0 if cell_width >= 90 else -40, labelLimit=160),
        ),
        y=alt.Y(f"{row}:N", sort=rows, title=None, axis=alt.Axis(labelLimit=280)),
    )
    shown = alt.datum.asked & ~alt.datum.suppressed
    cells = base.mark_rect(stroke="white", strokeWidth=2, cornerRadius=3).encode(
        color=alt.condition(
            shown,
            alt.Color(
                "band_label:N",
                scale=band_scale(band_labels),
                title=None,
                legend=alt.Legend(orient="bottom"),
            ),
            alt.value(SUPPRESSED_COLOUR),
        ),
        opacity=alt.condition(alt.datum.asked, alt.value(1.0), alt.value(0.0)),
        tooltip=[
            alt.Tooltip(f"{row}:N", title=titles["factor"]),
            alt.Tooltip(f"{column}:N", title=titles["layer"]),
            alt.Tooltip("cell_text:N", title=titles["mean"]),
            alt.Tooltip("band_label:N", title=titles["band"]),
            alt.Tooltip("n:Q", title=titles["n"]),
        ],
    )
    empty = base.transform_filter(~alt.datum.asked).mark_rect(
        fill="white", stroke=GRID, strokeDash=[3, 3]
    )
    text = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="cell_text:N",
        color=alt.condition(alt.datum.band == "discuss", alt.value(TEXT), alt.value("white")),
    )
    muted = (
        base.transform_filter(alt.datum.suppressed)
        .mark_text(fontSize=12)
        .encode(text="cell_text:N", color=alt.value(TEXT))
    )
    chart: alt.LayerChart = (empty + cells + text.transform_filter(shown) + muted).properties(
        height=alt.Step(ROW_STEP), width=alt.Step(cell_width)
    )
    return configure(chart, lang)


def distribution(
    frame: pd.DataFrame,
    *,
    lang: str,
    answer_labels: list[str],
    titles: Mapping[str, str],
    legend_columns: int = 5,
) -> alt.LayerChart:
    """Diverging stacked bars of the 1-5 answer shares per factor, centred on "neutral", with
    the number of don't-know answers written beside each bar.

    frame: label, share1..share5, dk_text (e.g. "3 × don't know"), in display order.
    answer_labels: the five answers' names.
    titles: x, share, answer, dont_know. legend_columns: the answers per legend row (fewer for
    a narrow column, where a row of five is cut off).
    """
    order = frame["label"].tolist()
    parts = []
    for _, row in frame.iterrows():
        if pd.isna(row["share1"]):
            continue
        left = -(row["share1"] + row["share2"] + row["share3"] / 2)
        for value in range(1, 6):
            share = float(row[f"share{value}"])
            parts.append(
                {
                    "label": row["label"],
                    "answer": answer_labels[value - 1],
                    "order": value,
                    "start": left,
                    "end": left + share,
                    "share": share,
                }
            )
            left += share
    segments = pd.DataFrame(parts, columns=["label", "answer", "order", "start", "end", "share"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=280))
    bars = (
        alt.Chart(segments)
        .mark_bar(height=18)
        .encode(
            y=y,
            x=alt.X(
                "start:Q",
                title=titles["x"],
                scale=alt.Scale(domain=[-1, 1]),
                axis=alt.Axis(
                    format="~%",
                    values=[-1, -0.5, 0, 0.5, 1],
                    labelExpr="replace(datum.label, '-', '')",
                ),
            ),
            x2="end:Q",
            color=alt.Color(
                "answer:N",
                sort=answer_labels,
                title=None,
                scale=alt.Scale(domain=answer_labels, range=list(ANSWER_COLOURS)),
                legend=alt.Legend(orient="top", columns=legend_columns),
            ),
            order="order:O",
            tooltip=[
                alt.Tooltip("label:N", title=titles["factor"]),
                alt.Tooltip("answer:N", title=titles["answer"]),
                alt.Tooltip("share:Q", title=titles["share"], format=".0%"),
            ],
        )
    )
    centre = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=MUTED).encode(x="x:Q")
    dk = (
        alt.Chart(frame.dropna(subset=["share1"]))
        .mark_text(align="left", dx=6, color=MUTED, fontSize=12)
        .encode(
            y=y,
            x=alt.datum(1),
            text=alt.Text("dk_text:N"),
        )
    )
    chart: alt.LayerChart = (bars + centre + dk).properties(height=alt.Step(ROW_STEP))
    return configure(chart, lang)


def means_with_intervals(
    frame: pd.DataFrame, *, lang: str, band_labels: Mapping[str, str], titles: Mapping[str, str]
) -> alt.LayerChart:
    """Each factor's mean (dot, coloured by band) with its 95% interval (line).

    frame: label, mean, ci_low, ci_high, band_label, n (suppressed rows left out by the caller).
    titles: x, factor, mean, low, high, n.
    """
    order = frame["label"].tolist()
    data = with_shown(frame, "mean", "ci_low", "ci_high")
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=280))
    )
    x = alt.X(
        "ci_low:Q",
        scale=alt.Scale(domain=list(SCALE_DOMAIN)),
        title=titles["x"],
        axis=alt.Axis(values=[1, 2, 3, 4, 5], format=".0f"),
    )
    bands = (
        alt.Chart(pd.DataFrame({"x": [3.0, 4.0]}))
        .mark_rule(color=GRID, strokeDash=[4, 3])
        .encode(x="x:Q")
    )
    interval = base.mark_rule(color=MUTED, strokeWidth=2).encode(x=x, x2="ci_high:Q")
    point = base.mark_point(filled=True, size=110, stroke="white", strokeWidth=1).encode(
        x="mean:Q",
        color=alt.Color(
            "band_label:N",
            scale=band_scale(band_labels),
            title=None,
            legend=alt.Legend(orient="top"),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=titles["factor"]),
            alt.Tooltip("mean_shown:Q", title=titles["mean"], format=".1f"),
            alt.Tooltip("ci_low_shown:Q", title=titles["low"], format=".1f"),
            alt.Tooltip("ci_high_shown:Q", title=titles["high"], format=".1f"),
            alt.Tooltip("n:Q", title=titles["n"]),
        ],
    )
    chart: alt.LayerChart = (bands + interval + point).properties(height=alt.Step(ROW_STEP))
    return configure(chart, lang)


def change_chart(
    frame: pd.DataFrame, *, lang: str, status_labels: Mapping[str, str], titles: Mapping[str, str]
) -> alt.LayerChart:
    """Per factor: the change since the previous round with its 95% interval. Only a clear
    improvement or decline is coloured (and in the legend); the rest are hollow grey points.

    frame: label, difference, ci_low, ci_high, status (comparable rows only).
    titles: x, factor, difference, low, high, status.
    """
    order = frame["label"].tolist()
    data = with_shown(frame, "difference", "ci_low", "ci_high").assign(
        status_label=frame["status"].map(status_labels)
    )
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=280))
    )
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color=MUTED).encode(x="x:Q")
    interval = base.mark_rule(strokeWidth=2, color=MUTED).encode(
        x=alt.X("ci_low:Q", title=titles["x"]), x2="ci_high:Q"
    )
    clear = [s for s in STATUS_COLOURS if s in status_labels]
    is_clear = alt.FieldOneOfPredicate(field="status", oneOf=clear)
    tooltip = [
        alt.Tooltip("label:N", title=titles["factor"]),
        alt.Tooltip("difference_shown:Q", title=titles["difference"], format="+.1f"),
        alt.Tooltip("ci_low_shown:Q", title=titles["low"], format="+.1f"),
        alt.Tooltip("ci_high_shown:Q", title=titles["high"], format="+.1f"),
        alt.Tooltip("status_label:N", title=titles["status"]),
    ]
    point = (
        base.mark_point(filled=True, size=110, stroke="white", strokeWidth=1)
        .encode(
            x="difference:Q",
            color=alt.Color(
                "status_label:N",
                title=None,
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(
                    domain=[status_labels[s] for s in clear],
                    range=[STATUS_COLOURS[s] for s in clear],
                ),
            ),
            tooltip=tooltip,
        )
        .transform_filter(is_clear)
    )
    unclear = (
        base.mark_point(filled=False, size=90, strokeWidth=2, color=UNCLEAR_COLOUR)
        .encode(x="difference:Q", tooltip=tooltip)
        .transform_filter(~is_clear)
    )
    chart: alt.LayerChart = (zero + interval + unclear + point).properties(
        height=alt.Step(ROW_STEP)
    )
    return configure(chart, lang)


def participation_days(
    frame: pd.DataFrame, *, lang: str, titles: Mapping[str, str]
) -> alt.LayerChart:
    """Responses per day of an open round, with the running total as a line.

    frame: day (date), responses. titles: x, responses, total.
    """
    data = frame.assign(day=pd.to_datetime(frame["day"]), total=frame["responses"].cumsum())
    base = alt.Chart(data).encode(
        x=alt.X("day:T", title=titles["x"], axis=alt.Axis(format="%d-%m", labelAngle=0))
    )
    bars = base.mark_bar(color=BAND_COLOURS["strong"], opacity=0.85).encode(
        y=alt.Y("responses:Q", title=titles["responses"], axis=alt.Axis(tickMinStep=1)),
        tooltip=[
            alt.Tooltip("day:T", title=titles["x"], format="%d-%m-%Y"),
            alt.Tooltip("responses:Q", title=titles["responses"]),
            alt.Tooltip("total:Q", title=titles["total"]),
        ],
    )
    line = base.mark_line(color=TEXT, strokeDash=[4, 3], point=True).encode(
        y=alt.Y("total:Q", title=titles["total"], axis=alt.Axis(tickMinStep=1, orient="right"))
    )
    chart: alt.LayerChart = (
        alt.layer(bars, line).resolve_scale(y="independent").properties(height=220)
    )
    return configure(chart, lang)


def participation_progress(
    frame: pd.DataFrame,
    *,
    span: tuple[date, date],
    target: int | None,
    reminders: Sequence[date],
    lang: str,
    titles: Mapping[str, str],
) -> alt.LayerChart:
    """An open round's responses against what it hopes for: responses per day as bars, the
    running total of those the response rate counts as a line, the invitations (or the expected
    headcount) as a dashed level labelled under it and each reminder day as a vertical rule; the
    first one is labelled (at the top, on the side with room), so labels never run into each
    other on a narrow screen. The x axis runs over the whole round, so the days left show as
    room on the right.

    frame: day (date), responses, rated. span: the round's first and last day. titles: x, y
    (the count axis), responses, total, target, reminder.
    """
    data = frame.assign(day=pd.to_datetime(frame["day"]), total=frame["rated"].cumsum())
    top = max(int(data["total"].max()) if len(data) else 0, target or 0, 1)
    x = alt.X(
        "day:T",
        title=titles["x"],
        scale=alt.Scale(domain=[f"{span[0]:%Y-%m-%d}", f"{span[1]:%Y-%m-%d}"]),
        axis=alt.Axis(format="%d-%m", labelAngle=0, grid=False),
    )

    def y(field: str) -> alt.Y:
        return alt.Y(
            f"{field}:Q",
            title=titles["y"],
            scale=alt.Scale(domain=[0, top * 1.1]),
            axis=alt.Axis(tickMinStep=1),
        )

    tooltip = [
        alt.Tooltip("day:T", title=titles["x"], format="%d-%m-%Y"),
        alt.Tooltip("responses:Q", title=titles["responses"]),
        alt.Tooltip("total:Q", title=titles["total"]),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    # Bars about two thirds of a day wide on a chart some 500 pixels wide.
    width = max(2, min(14, 330 // ((span[1] - span[0]).days + 1)))
    bars = base.mark_bar(color=BAND_COLOURS["strong"], opacity=0.45, size=width).encode(
        y=y("responses")
    )
    line = base.mark_line(color=TEXT, point=alt.OverlayMarkDef(color=TEXT, size=30)).encode(
        y=y("total")
    )
    layers: list[alt.Chart] = [bars, line]
    if target:
        level = alt.Chart(pd.DataFrame({"count": [target], "label": [titles["target"]]}))
        layers.append(level.mark_rule(color=MUTED, strokeDash=[6, 4]).encode(y=y("count")))
        layers.append(
            level.mark_text(align="left", dx=4, dy=9, color=MUTED).encode(
                y=y("count"), x=alt.value(0), text="label:N"
            )
        )
    if reminders:
        marks = pd.DataFrame({"day": pd.to_datetime(list(reminders)), "label": titles["reminder"]})
        rules = alt.Chart(marks).encode(
            x=x, tooltip=[alt.Tooltip("day:T", title=titles["reminder"], format="%d-%m-%Y")]
        )
        layers.append(rules.mark_rule(color=BAND_COLOURS["concern"], strokeDash=[2, 2]))
        late = reminders[0] > span[0] + (span[1] - span[0]) / 2  # label left of the rule
        first = alt.Chart(marks.iloc[[0]]).encode(x=x)
        layers.append(
            first.mark_text(
                align="right" if late else "left",
                dx=-3 if late else 3,
                y=6,
                color=BAND_COLOURS["concern"],
            ).encode(text="label:N")
        )
    chart: alt.LayerChart = alt.LayerChart(layer=layers).properties(height=240)
    return configure(chart, lang)
