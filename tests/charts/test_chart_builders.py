"""Every chart builder straight from a small hand-made frame, on its Vega-Lite spec: the mark,
the fields it encodes, the 1-5 score domain, the band colours, the titles and tooltips the
caller gives (in the page language) and the number locale; each spec passes the schema."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from lc_health import charts
from lc_health.charts.core import BAND_COLOURS, NUMBER_LOCALES, SUPPRESSED_COLOUR
from lc_health.charts.portfolio import bands_per_period, factor_spread, top_forces
from lc_health.charts.review import ANSWER_COLOURS

BANDS_EN = {"strong": "Strong", "discuss": "Worth discussing", "concern": "Concern"}
BANDS_NL = {"strong": "Sterk", "discuss": "Bespreken", "concern": "Zorgpunt"}
BAND_RANGE = [BAND_COLOURS["strong"], BAND_COLOURS["discuss"], BAND_COLOURS["concern"]]


def _spec(chart: Any) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict(validate=True)  # raises on a schema violation
    return spec


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec.get("spec", spec).get("layer", [spec]))


def _mark_type(layer: dict[str, Any]) -> str:
    mark = layer["mark"]
    return str(mark["type"] if isinstance(mark, dict) else mark)


def _by_mark(spec: dict[str, Any], mark: str) -> list[dict[str, Any]]:
    return [layer for layer in _layers(spec) if _mark_type(layer) == mark]


def _channel(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """A channel shared by the layers (Altair writes it into each layer)."""
    found = [
        layer["encoding"][name] for layer in _layers(spec) if name in layer.get("encoding", {})
    ]
    assert found, f"no layer encodes {name}"
    return dict(found[0])


def _tooltips(spec: dict[str, Any]) -> dict[str, str]:
    """field -> tooltip title, over every layer."""
    out: dict[str, str] = {}
    for layer in _layers(spec):
        for tip in layer.get("encoding", {}).get("tooltip", []):
            if isinstance(tip, dict) and "title" in tip:
                out[tip["field"]] = tip["title"]
    return out


def _data(spec: dict[str, Any]) -> list[pd.DataFrame]:
    return [pd.DataFrame(rows) for rows in spec["datasets"].values()]


# -- health bars ------------------------------------------------------------------------------


def _health_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "label": ["Trust", "Goals", "Money"],
            "mean": [3.25, 4.4, None],
            "band_label": ["Worth discussing", "Strong", None],
            "n": [8, 9, 2],
        }
    )


def test_health_bars_on_the_score_scale_coloured_by_band_highest_first() -> None:
    titles = {"label": "Factor", "mean": "Mean", "band": "Reading", "n": "Responses"}
    chart = charts.health_bars(
        _health_frame(), lang="en", band_labels=BANDS_EN, x_title="Score", tooltip_titles=titles
    )
    spec = _spec(chart)
    (bars,) = _by_mark(spec, "bar")
    x = bars["encoding"]["x"]
    assert (x["field"], x["scale"]["domain"], x["title"]) == ("mean", [1.0, 5.0], "Score")
    assert bars["encoding"]["x2"] == {"datum": 1.0}
    colour = bars["encoding"]["color"]
    assert colour["field"] == "band_label"
    assert colour["scale"] == {"domain": list(BANDS_EN.values()), "range": BAND_RANGE}
    assert _channel(spec, "y")["sort"] == ["Goals", "Trust"]  # highest first, NA left out
    assert _tooltips(spec) == {
        "label": "Factor",
        "mean_shown": "Mean",
        "band_label": "Reading",
        "n": "Responses",
    }
    (text,) = _by_mark(spec, "text")
    assert text["encoding"]["text"] == {
        "field": "mean_shown",
        "format": ".1f",
        "type": "quantitative",
    }
    (data,) = _data(spec)
    assert data["mean_shown"].tolist() == [3.2, 4.4]  # rounded half to even, like the bands


def test_health_bars_keep_a_given_order_and_read_band_text_and_factors() -> None:
    frame = _health_frame().assign(band_text="Worth discussing (uncertain)", factors="12")
    titles = {"label": "F", "mean": "M", "band": "B", "n": "N", "factors": "Rests on"}
    chart = charts.health_bars(
        frame,
        lang="en",
        band_labels=BANDS_EN,
        x_title="x",
        tooltip_titles=titles,
        order=["Trust", "Goals"],
    )
    spec = _spec(chart)
    assert _channel(spec, "y")["sort"] == ["Trust", "Goals"]
    tips = _tooltips(spec)
    assert tips["band_text"] == "B" and "band_label" not in tips
    assert tips["factors"] == "Rests on"


@pytest.mark.parametrize(("lang", "decimal"), [("nl", ","), ("en", ".")])
def test_every_chart_writes_numbers_the_page_language_way(lang: str, decimal: str) -> None:
    titles = {"label": "l", "mean": "m", "band": "b", "n": "n"}
    chart = charts.health_bars(
        _health_frame(), lang=lang, band_labels=BANDS_EN, x_title="x", tooltip_titles=titles
    )
    config = _spec(chart)["config"]
    assert config["locale"]["number"] == NUMBER_LOCALES[lang]
    assert config["locale"]["number"]["decimal"] == decimal


# -- feedback ---------------------------------------------------------------------------------


def test_feedback_chart_shows_range_median_and_own_score_on_the_score_scale() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Vertrouwen", "Doelen"],
            "own": [4.0, 2.0],
            "median": [3.5, None],
            "q1": [3.0, None],
            "q3": [4.0, None],
        }
    )
    titles = {
        "x": "Score",
        "own": "Jouw score",
        "median": "Mediaan",
        "range": "Middelste helft",
        "factor": "Factor",
    }
    spec = _spec(charts.feedback_chart(frame, lang="nl", titles=titles))
    assert [_mark_type(layer) for layer in _layers(spec)] == ["bar", "tick", "point"]
    bar, tick, point = _layers(spec)
    assert bar["encoding"]["x"]["field"] == "q1" and bar["encoding"]["x2"] == {"field": "q3"}
    assert tick["encoding"]["x"]["field"] == "median"
    assert point["encoding"]["x"]["field"] == "own"
    for layer in (bar, tick, point):
        assert layer["encoding"]["x"]["scale"]["domain"] == [1.0, 5.0]
        assert layer["encoding"]["y"]["sort"] == ["Vertrouwen", "Doelen"]
    tips = _tooltips(spec)
    assert tips["own"] == "Jouw score" and tips["median"] == "Mediaan"
    assert tips["q1"] == "Middelste helft ↓" and tips["q3"] == "Middelste helft ↑"
    assert spec["config"]["locale"]["number"]["decimal"] == ","


# -- layer heatmap ----------------------------------------------------------------------------


def _heatmap_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "factor_label": ["Trust", "Trust", "Goals", "Goals"],
            "layer_label": ["Individual", "Organisation", "Individual", "Organisation"],
            "asked": [True, True, True, False],
            "mean": [4.2, None, 2.4, None],
            "band": ["strong", None, "concern", None],
            "band_label": ["Strong", None, "Concern", None],
            "n": [8, 3, 9, 0],
            "suppressed": [False, True, False, False],
            "cell_text": ["4.2", "< 5", "2.4", ""],
        }
    )


def test_layer_heatmap_colours_shown_cells_by_band_and_greys_out_suppressed_ones() -> None:
    titles = {"factor": "Factor", "layer": "Layer", "mean": "Mean", "n": "n", "band": "Band"}
    spec = _spec(
        charts.layer_heatmap(_heatmap_frame(), lang="en", band_labels=BANDS_EN, titles=titles)
    )
    assert _channel(spec, "x")["sort"] == ["Individual", "Organisation"]
    assert _channel(spec, "y")["sort"] == ["Trust", "Goals"]
    rects = _by_mark(spec, "rect")
    assert len(rects) == 2  # the dashed empty cell and the coloured cell
    cells = next(layer for layer in rects if "color" in layer.get("encoding", {}))
    colour = cells["encoding"]["color"]
    assert colour["value"] == SUPPRESSED_COLOUR  # otherwise: grey
    assert colour["condition"]["field"] == "band_label"
    assert colour["condition"]["scale"] == {"domain": list(BANDS_EN.values()), "range": BAND_RANGE}
    assert colour["condition"]["test"] == "(datum.asked && (!datum.suppressed))"
    assert _tooltips(spec) == {
        "factor_label": "Factor",
        "layer_label": "Layer",
        "cell_text": "Mean",
        "band_label": "Band",
        "n": "n",
    }
    texts = _by_mark(spec, "text")
    assert {layer["encoding"]["text"]["field"] for layer in texts} == {"cell_text"}


def test_layer_heatmap_takes_other_rows_and_columns() -> None:
    frame = _heatmap_frame().rename(columns={"factor_label": "community", "layer_label": "period"})
    titles = {"factor": "Community", "layer": "Period", "mean": "m", "n": "n", "band": "b"}
    spec = _spec(
        charts.layer_heatmap(
            frame,
            lang="en",
            band_labels=BANDS_EN,
            titles=titles,
            row="community",
            column="period",
            cell_width=60,
        )
    )
    assert _channel(spec, "y")["field"] == "community"
    assert _channel(spec, "x")["field"] == "period"
    assert _channel(spec, "x")["axis"]["labelAngle"] == -40  # narrow cells: slanted labels
    assert spec["width"] == {"step": 60}


# -- distribution -----------------------------------------------------------------------------


def test_distribution_centres_the_bars_on_neutral_and_writes_dont_know() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Trust", "Goals"],
            "share1": [0.1, None],
            "share2": [0.1, None],
            "share3": [0.2, None],
            "share4": [0.4, None],
            "share5": [0.2, None],
            "dk_text": ["2 × don't know", ""],
        }
    )
    answers = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    titles = {
        "x": "Share",
        "share": "Share",
        "answer": "Answer",
        "factor": "Factor",
        "dont_know": "Don't know",
    }
    spec = _spec(charts.distribution(frame, lang="en", answer_labels=answers, titles=titles))
    (bars,) = _by_mark(spec, "bar")
    assert bars["encoding"]["x"]["scale"]["domain"] == [-1, 1]
    assert bars["encoding"]["color"]["scale"] == {"domain": answers, "range": list(ANSWER_COLOURS)}
    segments = next(d for d in _data(spec) if "start" in d.columns)
    assert set(segments["label"]) == {"Trust"}  # a factor without shares draws no bar
    neutral = segments[segments["answer"] == "Neutral"].iloc[0]
    assert neutral["start"] == pytest.approx(-0.1) and neutral["end"] == pytest.approx(0.1)
    assert segments["end"].max() == pytest.approx(0.7)
    (dk,) = _by_mark(spec, "text")
    assert dk["encoding"]["text"]["field"] == "dk_text"
    assert _tooltips(spec) == {"label": "Factor", "answer": "Answer", "share": "Share"}


# -- participation ----------------------------------------------------------------------------


def test_participation_days_draws_daily_bars_and_a_running_total() -> None:
    frame = pd.DataFrame(
        {"day": [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)], "responses": [3, 1, 4]}
    )
    titles = {"x": "Dag", "responses": "Antwoorden", "total": "Totaal"}
    spec = _spec(charts.participation_days(frame, lang="nl", titles=titles))
    (bars,) = _by_mark(spec, "bar")
    (line,) = _by_mark(spec, "line")
    assert bars["encoding"]["y"]["field"] == "responses"
    assert line["encoding"]["y"]["field"] == "total"
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    assert _channel(spec, "x")["type"] == "temporal"
    (data,) = _data(spec)
    assert data["total"].tolist() == [3, 4, 8]
    assert _tooltips(spec) == {"day": "Dag", "responses": "Antwoorden", "total": "Totaal"}


PROGRESS_TITLES = {
    "x": "Dag",
    "y": "Antwoorden",
    "responses": "Per dag",
    "total": "Tot nu toe",
    "target": "Uitgenodigd: 10",
    "reminder": "Herinnering",
}


def test_participation_progress_sets_the_running_total_against_invitations_and_reminders() -> None:
    frame = pd.DataFrame(
        {
            "day": [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)],
            "responses": [3, 0, 4],
            "rated": [2, 0, 4],
        }
    )
    spec = _spec(
        charts.participation_progress(
            frame,
            span=(date(2027, 1, 1), date(2027, 1, 28)),
            target=10,
            reminders=[date(2027, 1, 2)],
            lang="nl",
            titles=PROGRESS_TITLES,
        )
    )
    (bars,) = _by_mark(spec, "bar")
    (line,) = _by_mark(spec, "line")
    rules = _by_mark(spec, "rule")
    texts = _by_mark(spec, "text")
    assert bars["encoding"]["y"]["field"] == "responses"
    assert line["encoding"]["y"]["field"] == "total"
    assert len(rules) == 2 and len(texts) == 2  # the invitations level and the reminder day
    # One count axis for all, from 0 to above the invitations; the x axis spans the whole round.
    assert {layer["encoding"]["y"]["scale"]["domain"][1] for layer in (bars, line)} == {11.0}
    assert _channel(spec, "x")["scale"]["domain"] == ["2027-01-01", "2027-01-28"]
    frames = _data(spec)
    days = next(d for d in frames if "total" in d.columns)
    assert days["total"].tolist() == [2, 2, 6]  # the running total of the rated responses
    labels = {str(v) for d in frames if "label" in d.columns for v in d["label"]}
    assert labels == {"Uitgenodigd: 10", "Herinnering"}
    assert _tooltips(spec)["total"] == "Tot nu toe"


def test_participation_progress_labels_one_reminder_on_the_side_with_room() -> None:
    """Reminders a few days apart would print their labels over each other on a phone: each
    day gets its rule, only the first its label, left of it late in the round."""
    frame = pd.DataFrame({"day": [date(2027, 1, 1)], "responses": [1], "rated": [1]})
    late = [date(2027, 1, 21), date(2027, 1, 26)]
    spec = _spec(
        charts.participation_progress(
            frame,
            span=(date(2027, 1, 1), date(2027, 1, 28)),
            target=10,
            reminders=late,
            lang="en",
            titles=PROGRESS_TITLES,
        )
    )
    texts = _by_mark(spec, "text")
    reminder = next(t for t in texts if t["mark"].get("y") == 6)
    level = next(t for t in texts if t is not reminder)
    assert reminder["mark"]["align"] == "right" and reminder["mark"]["dx"] < 0
    assert level["mark"]["dy"] > 0  # under the dashed level, clear of the reminder's label
    assert len(_by_mark(spec, "rule")) == 2  # the level, and one layer of reminder rules
    reminder_days = [d for d in _data(spec) if "label" in d.columns and len(d) == 2]
    assert len(reminder_days) == 1  # both days drawn as rules


def test_participation_progress_without_a_target_or_reminders_draws_bars_and_a_line() -> None:
    frame = pd.DataFrame({"day": [date(2027, 4, 1)], "responses": [0], "rated": [0]})
    spec = _spec(
        charts.participation_progress(
            frame,
            span=(date(2027, 4, 1), date(2027, 4, 14)),
            target=None,
            reminders=[],
            lang="en",
            titles=PROGRESS_TITLES,
        )
    )
    assert sorted(_mark_type(layer) for layer in _layers(spec)) == ["bar", "line"]
    assert _channel(spec, "y")["scale"]["domain"] == [0, 1.1]  # an axis even with no answers


# -- portfolio --------------------------------------------------------------------------------


def test_factor_spread_draws_a_few_marks_per_factor_whatever_the_number_of_communities() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Trust", "Goals"],
            "communities": [9000, 8500],
            "p10": [2.1, 2.6],
            "q1": [2.8, 3.2],
            "median": [3.3, 3.9],
            "q3": [3.7, 4.3],
            "p90": [4.2, 4.7],
            "band_label": ["Worth discussing", "Worth discussing"],
        }
    )
    chosen = pd.DataFrame(
        {"label": ["Trust", "Goals"], "community": ["A", "A"], "mean": [2.5, 4.4]}
    )
    titles = {
        "x": "Mean",
        "factor": "Factor",
        "community": "Community",
        "mean": "Mean",
        "median": "Median",
        "communities": "Communities",
        "middle": "Middle half",
        "outer": "80% of communities",
    }
    spec = _spec(factor_spread(frame, chosen, lang="en", band_labels=BANDS_EN, titles=titles))
    rules, bars, ticks, points = (_by_mark(spec, m) for m in ("rule", "bar", "tick", "point"))
    assert len(rules) == len(bars) == len(ticks) == len(points) == 1
    assert bars[0]["encoding"]["color"]["scale"]["range"] == BAND_RANGE
    assert points[0]["mark"]["shape"] == "diamond"
    for layer in (rules[0], bars[0], ticks[0], points[0]):
        assert layer["encoding"]["x"]["scale"]["domain"] == [1.0, 5.0]
        assert layer["encoding"]["y"]["sort"] == ["Trust", "Goals"]
    # One row per factor and one per chosen mean: nothing per community.
    assert sorted(len(rows) for rows in spec["datasets"].values()) == [2, 2]


def test_bands_per_period_stacks_bands_then_too_few_in_fixed_colours() -> None:
    frame = pd.DataFrame(
        {
            "period_label": ["Q1 2026", "Q1 2026", "Q2 2026"],
            "band": ["too_few", "strong", "concern"],
            "communities": [2, 3, 1],
        }
    )
    labels = {**BANDS_NL, "too_few": "Te weinig"}
    spec = _spec(bands_per_period(frame, lang="nl", labels=labels, titles={"x": "", "y": "Aantal"}))
    assert _mark_type(spec) == "bar"
    colour = spec["encoding"]["color"]
    domain = ["Sterk", "Bespreken", "Zorgpunt", "Te weinig"]
    assert colour["scale"] == {"domain": domain, "range": [*BAND_RANGE, SUPPRESSED_COLOUR]}
    assert _channel(spec, "y") == {
        "field": "communities",
        "stack": True,
        "title": "Aantal",
        "type": "quantitative",
    }
    (data,) = _data(spec)
    assert data["label"].tolist() == ["Te weinig", "Sterk", "Zorgpunt"]
    assert data["order"].tolist() == [3, 0, 2]


def test_top_forces_are_shares_coloured_by_kind_in_the_given_order() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Good communication", "No time"],
            "kind": ["facilitating", "hindering"],
            "share": [0.6, 0.35],
        }
    )
    kinds = {"facilitating": "Helpt", "hindering": "Remt"}
    spec = _spec(top_forces(frame, lang="nl", kind_labels=kinds, titles={"x": "Aandeel"}))
    assert _mark_type(spec) == "bar"
    assert _channel(spec, "x")["field"] == "share"
    assert _channel(spec, "x")["axis"]["format"] == "~%"
    assert _channel(spec, "y")["sort"] == ["Good communication", "No time"]
    assert spec["encoding"]["color"]["scale"] == {
        "domain": ["Helpt", "Remt"],
        "range": [BAND_COLOURS["strong"], BAND_COLOURS["concern"]],
    }
    assert _tooltips(spec)["share"] == "Aandeel"


# -- the rest of the review charts ------------------------------------------------------------


def test_means_with_intervals_draw_bands_lines_and_points_on_the_score_scale() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Trust", "Goals"],
            "mean": [4.1, 2.8],
            "ci_low": [3.7, 2.2],
            "ci_high": [4.5, 3.4],
            "band_label": ["Strong", "Concern"],
            "n": [8, 8],
        }
    )
    titles = {
        "x": "Mean",
        "factor": "Factor",
        "mean": "Mean",
        "low": "Low",
        "high": "High",
        "n": "n",
    }
    spec = _spec(charts.means_with_intervals(frame, lang="en", band_labels=BANDS_EN, titles=titles))
    rules = _by_mark(spec, "rule")
    assert len(rules) == 2  # the band edges at 3 and 4, and the intervals
    interval = next(r for r in rules if r["encoding"].get("x2"))
    assert interval["encoding"]["x"]["scale"]["domain"] == [1.0, 5.0]
    assert interval["encoding"]["x2"] == {"field": "ci_high"}
    edges = next(d for d in _data(spec) if list(d.columns) == ["x"])
    assert edges["x"].tolist() == [3.0, 4.0]
    (point,) = _by_mark(spec, "point")
    assert point["encoding"]["color"]["scale"]["range"] == BAND_RANGE


def test_change_chart_sits_on_a_zero_line_with_signed_tooltips() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Trust"],
            "difference": [0.45],
            "ci_low": [0.1],
            "ci_high": [0.8],
            "status": ["improved"],
        }
    )
    status = {
        "improved": "Beter",
        "no_clear_change": "Geen duidelijke verandering",
        "declined": "Slechter",
    }
    titles = {
        "x": "Verschil",
        "factor": "Factor",
        "difference": "Verschil",
        "low": "Laag",
        "high": "Hoog",
        "status": "Oordeel",
    }
    spec = _spec(charts.change_chart(frame, lang="nl", status_labels=status, titles=titles))
    zero = next(d for d in _data(spec) if list(d.columns) == ["x"])
    assert zero["x"].tolist() == [0.0]
    tips = _tooltips(spec)
    assert tips["difference_shown"] == "Verschil" and tips["status_label"] == "Oordeel"
    data = next(d for d in _data(spec) if "status_label" in d.columns)
    assert data["status_label"].tolist() == ["Beter"]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
