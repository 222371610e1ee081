"""The export tab: the round's aggregates as CSV and Excel, and the quarter report."""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.documents import report
from lc_health.domain.disclosure import too_few_text
from lc_health.domain.i18n import format_number, translate
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.metrics import forces, review
from lc_health.store.dashboard import CommunityData
from lc_health.ui.context import app, t
from lc_health.ui.review.data import RoundView


def tables(view: RoundView, data: CommunityData, factors: pd.DataFrame, changes: pd.DataFrame,
           instrument: Instrument, lang: str, threshold: int) -> report.ReportTables:  # fmt: skip
    """The round's aggregates with readable names; suppressed figures stay empty."""
    tr = partial(translate, lang)
    name = {f.id: f.name.get(lang) for f in instrument.factors}
    layer = {x.id: x.name.get(lang) for x in instrument.layers}
    factor_cols = ["n", "mean", "sd", "ci_low", "ci_high", "band", "n_dk", "share1", "share2",
                   "share3", "share4", "share5", "disagreement"]  # fmt: skip
    factor_table = factors.assign(factor_name=factors["factor"].map(name))[
        ["factor", "factor_name", *factor_cols]
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
    change = changes.rename(columns={"key": "factor"}).round(3)
    field = forces.force_field(view.forces, view.force_respondents, view.previous_forces,
                               view.previous_force_respondents, instrument, threshold)  # fmt: skip
    force_names = {f.id: f.name.get(lang) for f in instrument.forces}
    field = field.assign(
        facilitating_name=field["facilitating"].map(lambda f: force_names.get(f, "")),
        hindering_name=field["hindering"].map(lambda f: force_names.get(f, "")),
    ).round(3)
    actions = data.actions.assign(
        period=data.actions["period"].map(period_label),
        factor=data.actions["factor_id"].map(name),
        status=data.actions["status"].map(lambda s: tr(f"action_status.{s}")),
    )[["period", "factor", "what", "owner", "due_on", "status", "note"]]
    return report.ReportTables(
        factors=factor_table, matrix=matrix, layers=layers, change=change, forces=field,
        actions=actions.rename(columns={c: tr(f"report.col_{c}") for c in actions.columns}),
    )  # fmt: skip


def _report_html(community: str, view: RoundView, factors: pd.DataFrame,
                 built: report.ReportTables, instrument: Instrument, lang: str,
                 threshold: int) -> str:  # fmt: skip
    tr = partial(translate, lang)
    labels = {b: tr(f"band.{b}") for b in ("strong", "discuss", "concern")}
    now = review.health(view.scores, threshold)
    headline = {tr("review.responses"): str(view.responses)}
    if now is not None and not now["suppressed"]:
        headline[tr("communities.col_health")] = format_number(now["mean"], lang)
        headline[tr("communities.col_reading")] = labels[str(now["band"])]
    layer_names = {x.id: x.name.get(lang) for x in instrument.layers}
    matrix = review.layer_matrix(view.scores, instrument, threshold)
    frame = matrix.assign(
        factor_label=matrix["factor"].map(
            lambda f: f"{f}. {instrument.factor_by_id[f].short.get(lang)}"
        ),
        layer_label=matrix["layer"].map(layer_names),
        band_label=matrix["band"].map(lambda b: labels.get(b, "") if isinstance(b, str) else ""),
        cell_text=[
            "" if not asked else too_few_text(threshold) if hidden else format_number(mean, lang)
            for asked, hidden, mean in zip(matrix["asked"], matrix["suppressed"], matrix["mean"],
                                           strict=True)
        ],
    )  # fmt: skip
    tips = {"factor": "", "layer": "", "mean": "", "n": "", "band": "", "low": "", "high": "",
            "x": tr("review.axis_mean"), "share": "", "answer": ""}  # fmt: skip
    sections = [
        (tr("review.tab_layers"), tr("review.layer_intro", threshold=threshold),
         report.svg(charts.layer_heatmap(frame, lang=lang, band_labels=labels, titles=tips))),
    ]  # fmt: skip
    shown = factors[~factors["suppressed"]].copy()
    if not shown.empty:
        shown["label"] = shown["factor"].map(
            lambda f: f"{f}. {instrument.factor_by_id[f].short.get(lang)}"
        )
        shown["dk_text"] = shown["n_dk"].map(lambda n: tr("review.dk_count", count=int(n)))
        shown["band_label"] = shown["band"].map(lambda b: labels.get(b, ""))
        answers = [p.label.get(lang) for p in instrument.scale.points]
        sections.append(
            (tr("review.tab_factors"), tr("review.factor_intro"),
             report.svg(charts.distribution(shown, lang=lang, answer_labels=answers,
                                            titles=tips | {"x": tr("review.axis_share")})))
        )  # fmt: skip
        sections.append(
            (tr("review.means_title"), tr("review.change_rule"),
             report.svg(charts.means_with_intervals(shown, lang=lang, band_labels=labels,
                                                    titles=tips)))
        )  # fmt: skip
    return report.quarter_report(
        title=community,
        subtitle=tr("report.subtitle", period=period_label(view.period)),
        headline=headline, sections=sections, actions=built.actions, tr=tr, lang=lang,
        made_on=date.today(),
    )  # fmt: skip


def render(community: str, data: CommunityData, view: RoundView, factors: pd.DataFrame,
           changes: pd.DataFrame, instrument: Instrument, lang: str) -> None:  # fmt: skip
    threshold = app().settings.anonymity_threshold
    st.caption(t("review.export_intro", threshold=threshold))
    built = tables(view, data, factors, changes, instrument, lang, threshold)
    tr = partial(translate, lang)
    stem = f"lc-health-{view.period}"
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("review.export_csv"), data=lambda: report.to_csv(built.sheets(tr)),
                       file_name=f"{stem}.csv", mime="text/csv",
                       icon=":material/table_view:", on_click="ignore")  # fmt: skip
    c2.download_button(
        t("review.export_excel"), data=lambda: report.to_excel(built.sheets(tr)),
        file_name=f"{stem}.xlsx", icon=":material/grid_on:", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip
    c3.download_button(
        t("review.export_report"),
        data=lambda: _report_html(community, view, factors, built, instrument, lang, threshold),
        file_name=f"{stem}-report.html", mime="text/html", icon=":material/description:",
        on_click="ignore", type="primary",
    )  # fmt: skip
    st.caption(t("review.export_report_help"))
