"""The lead's quarter report of one round: the aggregates with readable names as tables (CSV,
Excel) and a self-contained HTML report with the charts. Suppressed figures stay empty."""

from __future__ import annotations

from functools import partial

import pandas as pd

from lc_health import charts
from lc_health.documents import report
from lc_health.documents.round_export import RoundSource
from lc_health.domain.disclosure import too_few_text
from lc_health.domain.i18n import format_number, translate
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.metrics import forces, review
from lc_health.services.round_review import factor_frames

Section = tuple[str, str, str]  # heading, explanation, inline SVG

FACTOR_COLUMNS = [
    "n",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "band",
    "n_dk",
    "share1",
    "share2",
    "share3",
    "share4",
    "share5",
    "disagreement",
]


def _names(instrument: Instrument, lang: str) -> tuple[dict[int, str], dict[str, str]]:
    factors = {f.id: f.name.get(lang) for f in instrument.factors}
    return factors, {x.id: x.name.get(lang) for x in instrument.layers}


def _actions(source: RoundSource, names: dict[int, str]) -> pd.DataFrame:
    tr = partial(translate, source.lang)
    actions = source.data.actions
    actions = actions.assign(
        period=actions["period"].map(period_label),
        factor=actions["factor_id"].map(names),
        status=actions["status"].map(lambda s: tr(f"action_status.{s}")),
    )[["period", "factor", "what", "owner", "due_on", "status", "note"]]
    return actions.rename(columns={c: tr(f"report.col_{c}") for c in actions.columns})


def _agenda(source: RoundSource, names: dict[int, str]) -> pd.DataFrame:
    """The factors the group discussed, with the outcome and the note of "no action"."""
    if source.record is None:
        return pd.DataFrame()
    tr = partial(translate, source.lang)
    rows = [
        {
            tr("report.col_factor"): names.get(d.factor_id, str(d.factor_id)),
            tr("report.col_outcome"): tr(f"conversation.outcome_{d.outcome}"),
            tr("report.col_note"): d.note,
        }
        for d in source.record.discussed
    ]
    return pd.DataFrame(rows)


def _summary(source: RoundSource) -> pd.DataFrame:
    record = source.record
    if record is None or record.summary is None or record.closed_on is None:
        return pd.DataFrame()
    tr = partial(translate, source.lang)
    closed = record.closed_on.strftime("%d-%m-%Y")
    return pd.DataFrame(
        [{tr("report.col_closed_on"): closed, tr("report.col_summary"): record.summary}]
    )


def _forces(source: RoundSource) -> pd.DataFrame:
    view, instrument = source.view, source.instrument
    field = forces.force_field(
        view.forces,
        view.force_respondents,
        view.previous_forces,
        view.previous_force_respondents,
        instrument,
        source.policy.threshold,
    )
    names = {f.id: f.name.get(source.lang) for f in instrument.forces}
    return field.assign(
        facilitating_name=field["facilitating"].map(lambda f: names.get(f, "")),
        hindering_name=field["hindering"].map(lambda f: names.get(f, "")),
    ).round(3)


def tables(source: RoundSource) -> report.ReportTables:
    """The round's aggregates with readable names; suppressed figures stay empty."""
    view, instrument, threshold = source.view, source.instrument, source.policy.threshold
    name, layer = _names(instrument, source.lang)
    factors, changes = factor_frames(view, instrument, threshold)
    factor_table = factors.assign(factor_name=factors["factor"].map(name))[
        ["factor", "factor_name", *FACTOR_COLUMNS]
    ].round(3)
    matrix = review.layer_matrix(view.scores, instrument, threshold)
    matrix = (
        matrix[matrix["asked"]]
        .assign(factor_name=matrix["factor"].map(name), layer_name=matrix["layer"].map(layer))[
            ["factor", "factor_name", "layer", "layer_name", "n", "mean", "band"]
        ]
        .round(3)
    )
    layers = review.layer_indices(view.scores, instrument, threshold)
    layers = layers.assign(layer_name=layers["layer"].map(layer))[
        ["layer", "layer_name", "n", "mean", "ci_low", "ci_high", "band"]
    ].round(3)
    return report.ReportTables(
        factors=factor_table,
        matrix=matrix,
        layers=layers,
        change=changes.rename(columns={"key": "factor"}).round(3),
        forces=_forces(source),
        actions=_actions(source, name),
        agenda=_agenda(source, name),
        summary=_summary(source),
    )


def sheets(source: RoundSource) -> dict[str, pd.DataFrame]:
    """The tables under their translated names (one CSV table or Excel sheet each)."""
    return tables(source).sheets(partial(translate, source.lang))


def _factor_label(instrument: Instrument, factor: int, lang: str) -> str:
    return f"{factor}. {instrument.factor_by_id[factor].short.get(lang)}"


def _layer_section(source: RoundSource, labels: dict[str, str], tips: dict[str, str]) -> Section:
    view, instrument, lang = source.view, source.instrument, source.lang
    threshold = source.policy.threshold
    tr = partial(translate, lang)
    _, layer_names = _names(instrument, lang)
    matrix = review.layer_matrix(view.scores, instrument, threshold)
    frame = matrix.assign(
        factor_label=matrix["factor"].map(lambda f: _factor_label(instrument, f, lang)),
        layer_label=matrix["layer"].map(layer_names),
        band_label=matrix["band"].map(lambda b: labels.get(b, "") if isinstance(b, str) else ""),
        cell_text=[
            "" if not asked else too_few_text(threshold) if hidden else format_number(mean, lang)
            for asked, hidden, mean in zip(
                matrix["asked"], matrix["suppressed"], matrix["mean"], strict=True
            )
        ],
    )
    chart = charts.layer_heatmap(frame, lang=lang, band_labels=labels, titles=tips)
    return (
        tr("review.tab_layers"),
        tr("review.layer_intro", threshold=threshold),
        report.svg(chart),
    )


def _factor_sections(
    source: RoundSource, labels: dict[str, str], tips: dict[str, str]
) -> list[Section]:
    instrument, lang = source.instrument, source.lang
    tr = partial(translate, lang)
    factors, _ = factor_frames(source.view, instrument, source.policy.threshold)
    shown = factors[~factors["suppressed"]].copy()
    if shown.empty:
        return []
    shown["label"] = shown["factor"].map(lambda f: _factor_label(instrument, f, lang))
    shown["dk_text"] = shown["n_dk"].map(lambda n: tr("review.dk_count", count=int(n)))
    shown["band_label"] = shown["band"].map(lambda b: labels.get(b, ""))
    answers = [p.label.get(lang) for p in instrument.scale.points]
    spread = charts.distribution(
        shown, lang=lang, answer_labels=answers, titles=tips | {"x": tr("review.axis_share")}
    )
    means = charts.means_with_intervals(shown, lang=lang, band_labels=labels, titles=tips)
    return [
        (tr("review.tab_factors"), tr("review.factor_intro"), report.svg(spread)),
        (tr("review.means_title"), tr("review.change_rule"), report.svg(means)),
    ]


def _headline(source: RoundSource, labels: dict[str, str]) -> dict[str, str]:
    tr = partial(translate, source.lang)
    now = review.health(source.view.scores, source.policy.threshold)
    headline = {tr("review.responses"): str(source.view.responses)}
    if now is not None and not now["suppressed"]:
        headline[tr("communities.col_health")] = format_number(now["mean"], source.lang)
        headline[tr("communities.col_reading")] = labels[str(now["band"])]
    return headline


def report_html(source: RoundSource) -> str:
    """The quarter report: headline figures, the charts as inline SVG, and the actions."""
    tr = partial(translate, source.lang)
    labels = {b: tr(f"band.{b}") for b in ("strong", "discuss", "concern")}
    tips = {
        "factor": "",
        "layer": "",
        "mean": "",
        "n": "",
        "band": "",
        "low": "",
        "high": "",
        "x": tr("review.axis_mean"),
        "share": "",
        "answer": "",
    }
    sections = [_layer_section(source, labels, tips), *_factor_sections(source, labels, tips)]
    record, made = source.record, tables(source)
    closed = (
        (record.summary, record.closed_on)
        if record is not None and record.summary is not None and record.closed_on is not None
        else None
    )
    return report.quarter_report(
        title=str(source.community["name"]),
        subtitle=tr("report.subtitle", period=period_label(source.view.period)),
        headline=_headline(source, labels),
        sections=sections,
        actions=made.actions,
        tr=tr,
        lang=source.lang,
        made_on=source.made_on,
        agenda=made.agenda if record is not None else None,
        summary=closed,
    )
