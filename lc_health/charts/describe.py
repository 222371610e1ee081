"""Every chart as text: a short summary in the page language, shown under the chart and used as
its accessible name (Vega-Lite's `description` becomes the SVG's aria-label).

Pure: labels and values in, a sentence out. The page picks what a chart's summary rests on (the
figures it draws), so the text says what the picture shows and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from lc_health.charts.core import ChartT
from lc_health.domain.i18n import format_number, translate


def _pairs(labels: Sequence[str], values: Sequence[float | None]) -> list[tuple[str, float]]:
    return [
        (str(label), float(value))
        for label, value in zip(labels, values, strict=True)
        if value is not None and value == value  # drop None and NaN
    ]


def ranking(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    lang: str,
    what: str,
    decimals: int = 1,
    signed: bool = False,
) -> str:
    """'<what>. Highest: A (4.2). Lowest: B (2.9).' over the rows that have a value."""
    pairs = _pairs(labels, values)
    if not pairs:
        return translate(lang, "chart.empty", what=what)

    def shown(value: float) -> str:
        return format_number(value, lang, decimals, signed=signed)

    top = max(pairs, key=lambda pair: pair[1])
    bottom = min(pairs, key=lambda pair: pair[1])
    if len(pairs) == 1 or top[1] == bottom[1]:
        names = ", ".join(label for label, _ in pairs)
        return translate(lang, "chart.single", what=what, labels=names, value=shown(top[1]))
    return translate(
        lang,
        "chart.ranking",
        what=what,
        top=top[0],
        top_value=shown(top[1]),
        bottom=bottom[0],
        bottom_value=shown(bottom[1]),
    )


def total(labels: Sequence[str], counts: Sequence[float | None], *, lang: str, what: str) -> str:
    """'<what>. Total: 12. Most: 3 March (5).' for counts per label (days, periods)."""
    pairs = _pairs(labels, counts)
    if not pairs or not sum(value for _, value in pairs):
        return translate(lang, "chart.empty", what=what)
    top = max(pairs, key=lambda pair: pair[1])
    return translate(
        lang,
        "chart.total",
        what=what,
        total=format_number(sum(value for _, value in pairs), lang, 0),
        top=top[0],
        top_value=format_number(top[1], lang, 0),
    )


def frame_ranking(
    frame: pd.DataFrame,
    what: str,
    *,
    lang: str,
    label: str | tuple[str, ...] = "label",
    value: str = "mean",
    scale: float = 1.0,
    decimals: int = 1,
    signed: bool = False,
) -> str:
    """`ranking` over a chart's frame: rows marked `suppressed` (too few answers) left out;
    `label` may name several columns, joined as "A · B"; values multiplied by `scale`."""
    columns = [label] if isinstance(label, str) else list(label)
    names: list[str] = (
        list(frame[columns].astype(str).agg(" · ".join, axis=1)) if len(frame) else []
    )
    values = frame[value].astype("float64") * scale
    if "suppressed" in frame.columns:
        values = values.where(~frame["suppressed"].astype(bool))
    return ranking(names, list(values), lang=lang, what=what, decimals=decimals, signed=signed)


def agreement(frame: pd.DataFrame, answer_labels: Sequence[str], *, lang: str) -> str:
    """A distribution chart (share1..share5 per label) as text: the share, in %, that chose
    one of the two highest answers."""
    agreeing = frame.assign(agree=frame["share4"].fillna(0) + frame["share5"].fillna(0))
    what = f"{answer_labels[3]} + {answer_labels[4]} (%)"
    return frame_ranking(agreeing, what, lang=lang, value="agree", scale=100, decimals=0)


def named(chart: ChartT, text: str) -> ChartT:
    """The chart with `text` as its description: Vega-Lite renders it as the SVG's aria-label."""
    described: ChartT = chart.properties(description=text)
    return described


def progress(
    *,
    rated: int,
    target: int | None,
    reminders: int,
    days_left: int,
    lang: str,
    what: str,
) -> str:
    """An open round's participation chart as text: '<what>. 12 of 40 (30 %). Reminders sent:
    2. Days left: 5.' (without a target: the responses only)."""
    if target:
        share = format_number(100 * min(1.0, rated / target), lang, 0)
        counted = translate(lang, "chart.progress_of", rated=rated, target=target, share=share)
    else:
        counted = translate(lang, "chart.progress_count", rated=rated)
    return translate(
        lang,
        "chart.progress",
        what=what,
        counted=counted,
        reminders=reminders,
        days_left=days_left,
    )
