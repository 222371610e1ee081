"""Theme constants and the shared configuration of every chart, plus the simplest charts.

Colours are safe for the common colour-vision deficiencies (blue / amber / vermilion differ in
both hue and lightness), and no chart relies on colour alone: bands are also named in labels
and tooltips.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import altair as alt
import numpy as np
import pandas as pd

from lc_health.domain.disclosure import DISPLAY_DECIMALS
from lc_health.metrics import BANDS, CONCERN, DISCUSS, STRONG

FONT = "Source Sans Pro, Source Sans 3, sans-serif"
TEXT = "#0A1211"
MUTED = "#5B6B69"
GRID = "#E3E8E7"
BAND_COLOURS: Mapping[str, str] = {STRONG: "#1F6FB2", DISCUSS: "#E8A33D", CONCERN: "#C4432B"}
SUPPRESSED_COLOUR = "#C9D1D0"
SCALE_DOMAIN = (1.0, 5.0)
BAR_HEIGHT = 26


# Vega's number locale: Dutch writes 3,5 where English writes 3.5.
NUMBER_LOCALES: Mapping[str, dict[str, object]] = {
    "nl": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["€ ", ""]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}


ChartT = TypeVar(
    "ChartT", alt.Chart, alt.LayerChart, alt.FacetChart, alt.VConcatChart, alt.HConcatChart
)


def configure(chart: ChartT, lang: str) -> ChartT:
    """Fonts, colours and the number format of the page language, for any top-level chart."""
    locale = {"number": NUMBER_LOCALES.get(lang, NUMBER_LOCALES["en"])}
    configured: ChartT = (
        chart.configure(font=FONT, locale=locale)
        .configure_axis(
            labelColor=TEXT, titleColor=TEXT, gridColor=GRID, labelFontSize=13, titleFontSize=13
        )
        .configure_legend(labelColor=TEXT, titleColor=TEXT, labelFontSize=13, titleFontSize=13)
        .configure_view(stroke=None)
        # A chart is one image to assistive technology, named by its description (see
        # describe.py): Vega would otherwise give every mark container an image role, and the
        # empty ones of a layered chart no name (axe: svg-img-alt).
        .configure_mark(aria=False)
    )
    return configured


# What a projector view enlarges: the text sizes of the shared configuration, and of marks.
_CONFIG_FONTS: Mapping[str, tuple[str, ...]] = {
    "axis": ("labelFontSize", "titleFontSize"),
    "legend": ("labelFontSize", "titleFontSize"),
    "header": ("labelFontSize", "titleFontSize"),
    "title": ("fontSize",),
}
_DEFAULT_FONT_SIZE = 11  # Vega-Lite's own, for a size the chart leaves unset


def _scaled(value: object, scale: float) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return round(value * scale, 1)


def _enlarge_view(view: object, scale: float) -> None:
    """Width, height (a number or a step) and the text and bar sizes of one view, in place."""
    for size in ("width", "height"):
        value = getattr(view, size, alt.Undefined)
        if isinstance(value, alt.Step):
            value.step = _scaled(value.step, scale)
        elif value is not alt.Undefined:
            setattr(view, size, _scaled(value, scale))
    mark = getattr(view, "mark", alt.Undefined)
    if isinstance(mark, alt.MarkDef):
        for prop in ("fontSize", "height"):
            value = getattr(mark, prop, alt.Undefined)
            if value is not alt.Undefined:
                setattr(mark, prop, _scaled(value, scale))
    for child in ("layer", "hconcat", "vconcat", "concat"):
        for part in getattr(view, child, None) or []:
            _enlarge_view(part, scale)
    spec = getattr(view, "spec", alt.Undefined)
    if spec is not alt.Undefined:
        _enlarge_view(spec, scale)


def enlarged(chart: ChartT, scale: float) -> ChartT:
    """The chart for a projector: sizes, text and bars `scale` times as large (a copy)."""
    out: ChartT = chart.copy(deep=True)
    if out.config is alt.Undefined:
        out.config = alt.Config()
    for part, names in _CONFIG_FONTS.items():
        section = getattr(out.config, part, alt.Undefined)
        if section is alt.Undefined:
            section = getattr(alt, f"{part.capitalize()}Config")()
            setattr(out.config, part, section)
        for name in names:
            value = getattr(section, name, alt.Undefined)
            size = _DEFAULT_FONT_SIZE if value is alt.Undefined else value
            setattr(section, name, _scaled(size, scale))
    _enlarge_view(out, scale)
    return out


def with_shown(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with a `<column>_shown` copy of each column, rounded to one decimal the way the
    bands round (half to even). Tooltips and labels read these: Vega's own rounding sends an
    exact half up, so a mean of 3.25 would read 3.3 in a tooltip and 3.2 in the table."""
    return frame.assign(
        **{
            f"{column}_shown": np.round(frame[column].astype("float64"), DISPLAY_DECIMALS)
            for column in columns
        }
    )


def band_scale(labels: Mapping[str, str]) -> alt.Scale:
    """Colour scale keyed by translated band labels, in strong, discuss, concern order."""
    return alt.Scale(domain=[labels[b] for b in BANDS], range=[BAND_COLOURS[b] for b in BANDS])


def health_bars(
    frame: pd.DataFrame,
    *,
    lang: str,
    band_labels: Mapping[str, str],
    x_title: str,
    tooltip_titles: Mapping[str, str],
    order: Sequence[str] | None = None,
) -> alt.LayerChart:
    """Horizontal bars of a 1-5 mean per row, coloured by band, with the value at the bar's end;
    highest first, or in `order` (labels) where a ranking would mislead.

    frame: label, mean, band_label, n (rows whose mean is NA are left out); optionally
    band_text (the reading in words, e.g. marked uncertain; the tooltip shows it instead of
    band_label) and factors (with tooltip_titles["factors"]: what each row rests on).
    """
    data = with_shown(frame.dropna(subset=["mean"]), "mean")
    if order is None:
        order = data.sort_values("mean", ascending=False)["label"].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y(
            "label:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelLimit=320),
            scale=alt.Scale(paddingInner=0.35),
        ),
    )
    band_field = "band_text" if "band_text" in data.columns else "band_label"
    tooltip = [
        alt.Tooltip("label:N", title=tooltip_titles["label"]),
        alt.Tooltip("mean_shown:Q", title=tooltip_titles["mean"], format=".1f"),
        alt.Tooltip(f"{band_field}:N", title=tooltip_titles["band"]),
        alt.Tooltip("n:Q", title=tooltip_titles["n"]),
    ]
    if "factors" in data.columns and "factors" in tooltip_titles:
        tooltip.append(alt.Tooltip("factors:N", title=tooltip_titles["factors"]))
    bars = base.mark_bar(cornerRadiusEnd=3).encode(
        x=alt.X(
            "mean:Q",
            scale=alt.Scale(domain=list(SCALE_DOMAIN)),
            title=x_title,
            axis=alt.Axis(values=[1, 2, 3, 4, 5], format=".0f"),
        ),
        x2=alt.datum(SCALE_DOMAIN[0]),
        color=alt.Color(
            "band_label:N",
            scale=band_scale(band_labels),
            title=None,
            legend=alt.Legend(orient="top"),
        ),
        tooltip=tooltip,
    )
    values = base.mark_text(align="left", dx=4, color=TEXT, fontSize=13).encode(
        x="mean:Q", text=alt.Text("mean_shown:Q", format=".1f")
    )
    chart: alt.LayerChart = (bars + values).properties(height=alt.Step(BAR_HEIGHT))
    return configure(chart, lang)


OWN_COLOUR = "#0B6E69"
RANGE_COLOUR = "#C9D1D0"
MEDIAN_COLOUR = "#3E4C4A"


def feedback_chart(frame: pd.DataFrame, *, lang: str, titles: Mapping[str, str]) -> alt.LayerChart:
    """Per factor: the community's middle half (bar), its median (tick) and your own score (dot).

    frame: label, own, median, q1, q3 (community figures NA where suppressed), in display order.
    titles: x, own, median, range, factor (axis, legend and tooltip texts).
    """
    order = frame["label"].tolist()
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(domain=list(SCALE_DOMAIN))
    x_axis = alt.Axis(values=[1, 2, 3, 4, 5], format=".0f")
    base = alt.Chart(frame)
    middle = base.mark_bar(color=RANGE_COLOUR, height=12, cornerRadius=6).encode(
        y=y,
        x=alt.X("q1:Q", scale=x_scale, axis=x_axis, title=titles["x"]),
        x2="q3:Q",
        tooltip=[
            alt.Tooltip("label:N", title=titles["factor"]),
            alt.Tooltip("q1:Q", title=f"{titles['range']} ↓", format=".1f"),
            alt.Tooltip("q3:Q", title=f"{titles['range']} ↑", format=".1f"),
        ],
    )
    median = base.mark_tick(color=MEDIAN_COLOUR, thickness=3, size=18).encode(
        y=y,
        x=alt.X("median:Q", scale=x_scale),
        tooltip=[alt.Tooltip("median:Q", title=titles["median"], format=".1f")],
    )
    own = base.mark_point(
        filled=True, size=140, color=OWN_COLOUR, stroke="white", strokeWidth=1.5
    ).encode(
        y=y,
        x=alt.X("own:Q", scale=x_scale),
        tooltip=[
            alt.Tooltip("label:N", title=titles["factor"]),
            alt.Tooltip("own:Q", title=titles["own"], format=".1f"),
        ],
    )
    chart: alt.LayerChart = (middle + median + own).properties(height=alt.Step(BAR_HEIGHT + 4))
    return configure(chart, lang)


def warm_up() -> None:
    """Load the chart builders and Altair's Vega-Lite schema (a server calls this once at
    start, so that the first visitor of a chart page does not wait for it)."""
    import lc_health.charts  # noqa: F401  (every builder module, and Altair with them)

    frame = pd.DataFrame({"x": [1.0], "y": ["a"]})
    configure(alt.Chart(frame).mark_bar().encode(x="x:Q", y="y:N"), "en").to_dict()
