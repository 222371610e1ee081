"""Every chart as text: the summaries name the highest and lowest figures in the page language,
leave out rows without a figure, and become the chart's accessible name."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lc_health.charts import describe, health_bars


def test_ranking_names_highest_and_lowest_in_both_languages() -> None:
    labels, values = ["Trust", "Shared goal", "Money"], [3.46, 4.25, 2.04]
    assert describe.ranking(labels, values, lang="en", what="Mean (1 to 5)") == (
        "Mean (1 to 5). Highest: Shared goal (4.2). Lowest: Money (2.0)."
    )
    assert describe.ranking(labels, values, lang="nl", what="Gemiddelde") == (
        "Gemiddelde. Hoogst: Shared goal (4,2). Laagst: Money (2,0)."
    )


def test_ranking_leaves_out_hidden_rows_and_says_when_nothing_is_shown() -> None:
    text = describe.ranking(["A", "B", "C"], [None, 3.0, float("nan")], lang="en", what="Mean")
    assert text == "Mean. B: 3.0."
    assert describe.ranking(["A"], [None], lang="nl", what="Gemiddelde") == (
        "Gemiddelde. Geen cijfers om te tonen."
    )
    signed = describe.ranking(["A", "B"], [0.4, -0.3], lang="en", what="Change", signed=True)
    assert signed == "Change. Highest: A (+0.4). Lowest: B (-0.3)."


def test_total_counts_and_names_the_largest() -> None:
    text = describe.total(["01-10", "02-10", "03-10"], [2, 5, 0], lang="en", what="Per day")
    assert text == "Per day. Total: 7. Most: 02-10 (5)."
    assert describe.total(["01-10"], [0], lang="nl", what="Per dag") == (
        "Per dag. Geen cijfers om te tonen."
    )


def test_named_chart_carries_the_description_into_its_spec() -> None:
    frame = pd.DataFrame(
        {"label": ["A", "B"], "mean": [4.1, 2.2], "band_label": ["Strong", "Concern"], "n": [9, 8]}
    )
    bands = {"strong": "Strong", "discuss": "Worth discussing", "concern": "Concern"}
    tips = {"label": "Factor", "mean": "Mean", "band": "Reading", "n": "n"}
    chart = health_bars(frame, lang="en", band_labels=bands, x_title="Mean", tooltip_titles=tips)
    text = describe.ranking(frame["label"], frame["mean"], lang="en", what="Mean")
    spec = describe.named(chart, text).to_dict(validate=True)
    assert spec["description"] == "Mean. Highest: A (4.1). Lowest: B (2.2)."
    # Marks carry no ARIA of their own: the chart is one image, named by its description.
    assert spec["config"]["mark"]["aria"] is False
    assert isinstance(describe.named(chart, text), alt.LayerChart)


def test_frame_ranking_joins_labels_scales_and_leaves_out_suppressed_rows() -> None:
    frame = pd.DataFrame(
        {
            "community": ["Kas", "Kas", "Vis"],
            "factor": ["Trust", "Money", "Trust"],
            "share": [0.5, 0.25, 0.9],
            "suppressed": [False, False, True],
        }
    )
    text = describe.frame_ranking(
        frame, "Share", lang="en", label=("community", "factor"), value="share", scale=100
    )
    assert text == "Share. Highest: Kas · Trust (50.0). Lowest: Kas · Money (25.0)."
    empty = frame.iloc[0:0]
    assert describe.frame_ranking(empty, "Share", lang="en", value="share") == (
        "Share. No figures to show."
    )


def test_agreement_adds_the_two_highest_answers() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Trust", "Money"],
            **{f"share{i}": [0.1, 0.3] for i in (1, 2, 3)},
            "share4": [0.4, 0.1],
            "share5": [0.3, None],
        }
    )
    answers = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    assert describe.agreement(frame, answers, lang="nl") == (
        "Agree + Strongly agree (%). Hoogst: Trust (70). Laagst: Money (10)."
    )


def test_progress_says_how_far_an_open_round_is_in_both_languages() -> None:
    assert describe.progress(
        rated=12, target=40, reminders=2, days_left=5, lang="en", what="Participation so far"
    ) == ("Participation so far. 12 of 40 (30%). Reminders sent: 2. Days left: 5.")
    assert describe.progress(
        rated=3, target=None, reminders=0, days_left=14, lang="nl", what="Deelname tot nu toe"
    ) == ("Deelname tot nu toe. 3 antwoorden. Herinneringen verstuurd: 0. Dagen te gaan: 14.")
    # More answers than invitations (paper, say) never reads as more than everyone.
    assert "(100%)" in describe.progress(
        rated=5, target=4, reminders=0, days_left=1, lang="en", what="P"
    )
