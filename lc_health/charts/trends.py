"""Trends over rounds: small multiples with uncertainty bands, n per point and action markers."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from lc_health.charts.core import BAND_COLOURS, GRID, MUTED, SCALE_DOMAIN, configure, with_shown

LINE_COLOUR = "#0B6E69"
ACTION_COLOUR = BAND_COLOURS["discuss"]


def small_multiples(
    frame: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    lang: str,
    columns: int,
    titles: Mapping[str, str],
    panel_width: int = 210,
    panel_height: int = 120,
) -> alt.FacetChart:
    """One small chart per panel (factor or layer): mean per round with its 95% band, point size
    by n, and a marker at each round where an action was agreed.

    frame: panel, panel_order, period_label, period, mean, ci_low, ci_high, n; optionally
    segment (one line per unbroken run; rows without a mean are gaps the line does not cross)
    and version_break (a dashed vertical rule where the statements behind a score changed).
    actions: panel, period_label, what (may be empty). titles: y, period, mean, n, action, and
    version (the rule's tooltip) when frame has version_break.
    """
    periods = sorted(frame["period"].unique())
    labels = frame.drop_duplicates("period").set_index("period")["period_label"]
    x_order = [labels[p] for p in periods]
    x = alt.X(
        "period_label:O", sort=x_order, title=None, axis=alt.Axis(labelAngle=-45, labelFontSize=10)
    )
    y_scale = alt.Scale(domain=list(SCALE_DOMAIN))
    y = alt.Y("mean:Q", scale=y_scale, title=titles["y"], axis=alt.Axis(values=[1, 2, 3, 4, 5]))
    if "segment" not in frame.columns:
        frame = frame.assign(segment=0)
    if "version_break" not in frame.columns:
        frame = frame.assign(version_break=False)
    combined = pd.concat(
        [
            with_shown(frame, "mean").assign(kind="score", version_text=titles.get("version", "")),
            actions.assign(kind="action", mean=SCALE_DOMAIN[0] + 0.15),
        ],
        ignore_index=True,
    )
    scores = alt.Chart().transform_filter(alt.datum.kind == "score")
    # A line never bridges a quarter without figures or a change of statements: each unbroken
    # run is its own segment, and rows without a mean break the path (and keep their quarter on
    # the axis, so the gap shows).
    band = scores.mark_area(
        opacity=0.18, color=LINE_COLOUR, invalid="break-paths-show-domains"
    ).encode(x=x, y=alt.Y("ci_low:Q", scale=y_scale), y2="ci_high:Q", detail="segment:N")
    line = scores.mark_line(
        color=LINE_COLOUR, strokeWidth=2, invalid="break-paths-show-domains"
    ).encode(x=x, y=y, detail="segment:N")
    # A point alone between gaps has no band to draw, so each point also gets its interval.
    whisker = scores.mark_rule(color=LINE_COLOUR, opacity=0.35, strokeWidth=2).encode(
        x=x, y=alt.Y("ci_low:Q", scale=y_scale), y2="ci_high:Q"
    )
    version = (
        alt.Chart()
        .transform_filter((alt.datum.kind == "score") & alt.datum.version_break)
        .mark_rule(color=MUTED, strokeDash=[2, 2], strokeWidth=1.5)
        .encode(
            x=x,
            tooltip=[
                alt.Tooltip("period_label:N", title=titles["period"]),
                alt.Tooltip("version_text:N", title=titles.get("version", "")),
            ],
        )
    )
    points = scores.mark_circle(color=LINE_COLOUR, opacity=1).encode(
        x=x,
        y=y,
        size=alt.Size("n:Q", scale=alt.Scale(range=[15, 120]), legend=None),
        tooltip=[
            alt.Tooltip("period_label:N", title=titles["period"]),
            alt.Tooltip("mean_shown:Q", title=titles["mean"], format=".1f"),
            alt.Tooltip("n:Q", title=titles["n"]),
        ],
    )
    guides = [
        alt.Chart().mark_rule(color=GRID, strokeDash=[4, 3]).encode(y=alt.datum(level))
        for level in (3.0, 4.0)
    ]
    action = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "action")
        .mark_point(shape="triangle-up", filled=True, size=90, color=ACTION_COLOUR)
        .encode(
            x=x,
            y=alt.Y("mean:Q", scale=y_scale),
            tooltip=[
                alt.Tooltip("period_label:N", title=titles["period"]),
                alt.Tooltip("what:N", title=titles["action"]),
            ],
        )
    )
    panels = list(dict.fromkeys(frame.sort_values("panel_order")["panel"]))
    chart: alt.FacetChart = (
        alt.layer(*guides, version, band, whisker, line, points, action, data=combined)
        .properties(width=panel_width, height=panel_height)
        .facet(
            facet=alt.Facet(
                "panel:N",
                sort=panels,
                title=None,
                header=alt.Header(labelFontSize=13, labelLimit=panel_width, labelColor=MUTED),
            ),
            columns=columns,
        )
    )
    return configure(chart, lang)
