"""Exports of a community's round: the aggregates as CSV and Excel, and a self-contained
quarter report (HTML with the charts as inline SVG, made to print to PDF).

Only aggregates that pass the anonymity threshold are written; never an individual's answers,
never a comment.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import altair as alt
import pandas as pd
import vl_convert

from lc_health.documents import spreadsheet

Translate = Callable[..., str]


@dataclass(frozen=True)
class ReportTables:
    """The round's aggregates, one table per topic, already suppressed."""

    factors: pd.DataFrame
    matrix: pd.DataFrame
    layers: pd.DataFrame
    change: pd.DataFrame
    forces: pd.DataFrame
    actions: pd.DataFrame
    # The round's conversation: the factors discussed and the closing summary (when any).
    agenda: pd.DataFrame = field(default_factory=pd.DataFrame)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)

    def sheets(self, tr: Translate) -> dict[str, pd.DataFrame]:
        out = {
            tr("report.sheet_factors"): self.factors,
            tr("report.sheet_matrix"): self.matrix,
            tr("report.sheet_layers"): self.layers,
            tr("report.sheet_change"): self.change,
            tr("report.sheet_forces"): self.forces,
            tr("report.sheet_actions"): self.actions,
        }
        if not self.agenda.empty:
            out[tr("report.sheet_agenda")] = self.agenda
        if not self.summary.empty:
            out[tr("report.sheet_summary")] = self.summary
        return out


def to_csv(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """All tables in one tidy CSV (documents.spreadsheet: text that would start a formula is
    made inert)."""
    return spreadsheet.sheets_csv(sheets)


def to_excel(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per table (documents.spreadsheet: no cell is ever a formula)."""
    return spreadsheet.sheets_xlsx(sheets)


def svg(chart: alt.TopLevelMixin) -> str:
    """A chart as inline SVG (rendered here, so the report needs no JavaScript or network)."""
    return str(vl_convert.vegalite_to_svg(chart.to_dict()))


def table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if pd.isna(v) else str(v))}</td>" for v in row)
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def conversation_html(
    agenda: pd.DataFrame | None, summary: tuple[str, date] | None, tr: Translate
) -> str:
    """The report's section on the round's conversation: the factors discussed, and the summary
    with its line breaks kept (or the note that the meeting is not closed yet)."""
    parts = [f"<h2>{html.escape(tr('report.summary'))}</h2>"]
    if summary is None:
        parts.append(f"<p>{html.escape(tr('report.no_summary'))}</p>")
    else:
        text, closed_on = summary
        parts.append(f'<p class="summary">{html.escape(text)}</p>')
        closed = tr("report.summary_closed", date=closed_on.strftime("%d-%m-%Y"))
        parts.append(f"<p>{html.escape(closed)}</p>")
    if agenda is not None and not agenda.empty:
        parts.append(f"<h3>{html.escape(tr('report.discussed'))}</h3>{table_html(agenda)}")
    return f"<section>{''.join(parts)}</section>"


def quarter_report(
    *,
    title: str,
    subtitle: str,
    headline: Mapping[str, str],
    sections: list[tuple[str, str, str]],
    actions: pd.DataFrame,
    tr: Translate,
    lang: str,
    made_on: date,
    agenda: pd.DataFrame | None = None,
    summary: tuple[str, date] | None = None,
) -> str:
    """The report page. sections: (heading, explanation, inline SVG). agenda: the factors
    discussed; summary: the conversation's closing text and date. Every text is escaped."""
    kpis = "".join(
        f'<div class="kpi"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in headline.items()
    )
    body = "".join(
        f"<section><h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>"
        f'<div class="chart">{image}</div></section>'
        for heading, text, image in sections
    )
    no_actions = f"<p>{html.escape(tr('report.no_actions'))}</p>"
    action_html = table_html(actions) if not actions.empty else no_actions
    talk = conversation_html(agenda, summary, tr) if agenda is not None else ""
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8">
<title>{html.escape(title)} · {html.escape(subtitle)}</title>
<style>
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: "Source Sans Pro", "Source Sans 3", Arial, sans-serif; color: #0A1211;
       max-width: 190mm; margin: 0 auto; line-height: 1.4; }}
h1 {{ font-size: 22pt; margin: 0; }} h2 {{ font-size: 14pt; margin: 8mm 0 2mm; }}
.subtitle {{ color: #3E4C4A; margin: 1mm 0 6mm; }}
.kpis {{ display: flex; gap: 4mm; flex-wrap: wrap; }}
.kpi {{ border: 1px solid #C9D1D0; border-radius: 2mm; padding: 3mm 4mm; min-width: 35mm; }}
.kpi .label {{ font-size: 9pt; color: #3E4C4A; }}
.kpi .value {{ font-size: 16pt; font-weight: 600; }}
section {{ break-inside: avoid; page-break-inside: avoid; }}
.chart svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9.5pt; }}
th, td {{ border-bottom: 1px solid #E3E8E7; padding: 1.5mm 2mm; text-align: left;
         vertical-align: top; }}
.summary {{ white-space: pre-wrap; }}
footer {{ margin-top: 8mm; font-size: 8.5pt; color: #3E4C4A; }}
</style></head><body>
<h1>{html.escape(title)}</h1><p class="subtitle">{html.escape(subtitle)}</p>
<div class="kpis">{kpis}</div>
{body}
<section><h2>{html.escape(tr("report.actions"))}</h2>{action_html}</section>
{talk}
<footer>{html.escape(tr("report.footer", date=made_on.strftime("%d-%m-%Y")))}</footer>
</body></html>
"""
