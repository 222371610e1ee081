"""Chart specs for the display rules: one decimal rounded as the bands round, colour only for a
clear change, force-field changes as counts, and trend lines that break at gaps and at a change
of statements (checked on chart.to_dict())."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from lc_health import charts
from lc_health.charts.core import configure, with_shown

TITLES = {
    k: k
    for k in (
        "x",
        "y",
        "factor",
        "difference",
        "low",
        "high",
        "status",
        "period",
        "mean",
        "n",
        "action",
        "version",
        "facilitating",
        "hindering",
        "share",
        "count",
    )
}
STATUSES = {"improved": "Improved", "no_clear_change": "No clear change", "declined": "Declined"}


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    inner = spec.get("spec", spec)
    return list(inner["layer"])


def _mark(layer: dict[str, Any]) -> dict[str, Any]:
    mark = layer["mark"]
    return mark if isinstance(mark, dict) else {"type": mark}


def test_shown_values_round_like_the_bands() -> None:
    frame = with_shown(pd.DataFrame({"mean": [3.25, 3.35, 3.96, float("nan")]}), "mean")
    assert frame["mean_shown"].tolist()[:3] == [3.2, 3.4, 4.0]
    assert frame["mean_shown"].isna().iloc[3]


def test_change_chart_colours_only_clear_changes() -> None:
    frame = pd.DataFrame(
        {
            "label": ["a", "b", "c"],
            "difference": [0.5, -0.1, -0.65],
            "ci_low": [0.2, -0.4, -1.0],
            "ci_high": [0.8, 0.2, -0.3],
            "status": ["improved", "no_clear_change", "declined"],
        }
    )
    spec = charts.change_chart(frame, lang="en", status_labels=STATUSES, titles=TITLES).to_dict()
    coloured = [layer for layer in _layers(spec) if "color" in layer.get("encoding", {})]
    assert len(coloured) == 1
    assert coloured[0]["encoding"]["color"]["scale"]["domain"] == ["Improved", "Declined"]
    assert coloured[0]["transform"] == [
        {"filter": {"field": "status", "oneOf": ["improved", "declined"]}}
    ]
    hollow = [layer for layer in _layers(spec) if _mark(layer).get("filled") is False]
    assert hollow and hollow[0]["transform"][0]["filter"]["not"]["oneOf"] == [
        "improved",
        "declined",
    ]
    tooltips = [t for layer in _layers(spec) for t in layer.get("encoding", {}).get("tooltip", [])]
    assert {t["format"] for t in tooltips if "format" in t} == {"+.1f"}


def test_means_chart_tooltips_have_one_decimal() -> None:
    frame = pd.DataFrame(
        {
            "label": ["a"],
            "mean": [3.25],
            "ci_low": [2.9],
            "ci_high": [3.6],
            "band_label": ["Worth discussing"],
            "n": [8],
        }
    )
    labels = {"strong": "Strong", "discuss": "Worth discussing", "concern": "Concern"}
    chart = charts.means_with_intervals(frame, lang="en", band_labels=labels, titles=TITLES)
    spec = chart.to_dict()
    tooltips = [t for layer in _layers(spec) for t in layer.get("encoding", {}).get("tooltip", [])]
    assert {t["format"] for t in tooltips if "format" in t} == {".1f"}
    assert {t["field"] for t in tooltips if "format" in t} == {
        "mean_shown",
        "ci_low_shown",
        "ci_high_shown",
    }


def test_force_field_writes_counts_in_grey_without_a_verdict() -> None:
    frame = pd.DataFrame(
        {
            "row": [0],
            "fac_label": ["Good communication"],
            "hin_label": ["Unclear communication"],
            "fac_share": [0.75],
            "hin_share": [0.25],
            "fac_count_text": ["6 of 8, was 2 of 8"],
            "hin_count_text": ["2 of 8"],
        }
    )
    spec = charts.force_field(frame, lang="en", titles=TITLES).to_dict()
    texts = [
        layer
        for layer in _layers(spec)
        if layer["encoding"].get("text") == {"field": "count", "type": "nominal"}
    ]
    assert len(texts) == 2
    assert all("color" not in layer["encoding"] for layer in texts)
    assert all(_mark(layer)["color"] == charts.forces.MUTED for layer in texts)
    data = pd.DataFrame(next(iter(spec["datasets"].values())))
    assert set(data["count"]) == {"6 of 8, was 2 of 8", "2 of 8"}
    assert "pp" not in str(spec)


def _trend_frame() -> pd.DataFrame:
    periods = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    return pd.DataFrame(
        {
            "panel": "Factor 1",
            "panel_order": 0,
            "period": periods,
            "period_label": [p[-2:] + " " + p[:4] for p in periods],
            "mean": [3.0, 3.4, None, 3.6, 3.9],
            "ci_low": [2.6, 3.0, None, 3.2, 3.5],
            "ci_high": [3.4, 3.8, None, 4.0, 4.3],
            "n": [6, 7, 0, 6, 8],
            "segment": [0, 0, -1, 1, 2],
            "version_break": [False, False, False, False, True],
        }
    )


def test_trend_lines_break_at_gaps_and_version_changes() -> None:
    no_actions = pd.DataFrame(columns=["panel", "period_label", "what"])
    chart = charts.small_multiples(_trend_frame(), no_actions, lang="en", columns=1, titles=TITLES)
    spec = chart.to_dict()
    layers = _layers(spec)
    lines = [layer for layer in layers if _mark(layer)["type"] in ("line", "area")]
    assert len(lines) == 2
    for layer in lines:
        assert layer["encoding"]["detail"] == {"field": "segment", "type": "nominal"}
        assert _mark(layer)["invalid"] == "break-paths-show-domains"
    rules = [
        layer
        for layer in layers
        if _mark(layer)["type"] == "rule" and "version_break" in str(layer.get("transform", ""))
    ]
    assert len(rules) == 1
    # The missing quarter stays on the axis, so the gap shows.
    x_sort = lines[0]["encoding"]["x"]["sort"]
    assert x_sort == ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026"]


def test_trend_chart_without_segments_draws_one_line_per_panel() -> None:
    frame = _trend_frame().drop(columns=["segment", "version_break"])
    no_actions = pd.DataFrame(columns=["panel", "period_label", "what"])
    chart = charts.small_multiples(frame, no_actions, lang="en", columns=1, titles=TITLES)
    data = pd.DataFrame(next(iter(chart.to_dict()["datasets"].values())))
    assert set(data["segment"].dropna()) == {0}


def test_a_projector_chart_is_larger_and_the_original_unchanged() -> None:
    """charts.core.enlarged: text, sizes and bars grow by the scale; colours stay."""
    from lc_health.charts.core import enlarged

    frame = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    base = alt.Chart(frame).mark_text(fontSize=12).encode(x="x:Q", y="y:N")
    layered = configure((base + base.mark_bar(height=18)).properties(height=alt.Step(30)), "en")
    big = enlarged(layered, 2).to_dict()
    small = layered.to_dict()
    assert big["config"]["axis"]["labelFontSize"] == 2 * small["config"]["axis"]["labelFontSize"]
    assert big["config"]["axis"]["labelColor"] == small["config"]["axis"]["labelColor"]
    assert big["config"]["title"]["fontSize"] == 22  # Vega-Lite's default, doubled
    assert big["height"] == {"step": 60} and small["height"] == {"step": 30}
    assert [layer["mark"].get("fontSize") for layer in big["layer"]] == [24, None]
    assert big["layer"][1]["mark"]["height"] == 36
    sized = enlarged(configure(base.properties(width=300, height=100), "en"), 1.5).to_dict()
    assert (sized["width"], sized["height"]) == (450, 150)
