"""Every file the app hands out, as data: one line per export says its name, the formats it
comes in, who may have it (checked against the disclosure policy), what it needs as input and
which function builds it. The pages show a download button per format; `lc-health export`
lists the entries and writes the ones it can make from a round.

Adding an export: write a builder `(source, format) -> bytes` in documents/, add an `Export`
line to EXPORTS, and its button label in the messages; a test makes every entry for the demo
data in every declared format. For a spreadsheet format (csv, csv-nl, xlsx) the builder hands
over tables and `Export.make` writes them through documents.spreadsheet, which makes text that
would start a formula inert: no export can skip that. Every export offered as CSV is also
offered as "CSV for Excel (NL)" (`;` between cells, decimal comma).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pandas as pd

from lc_health.documents import portfolio_export as portfolio
from lc_health.documents import round_export, spreadsheet
from lc_health.documents.round_export import RoundSource
from lc_health.domain.disclosure import Audience, Part, sees
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label

if TYPE_CHECKING:
    from lc_health.documents.linksheet import LinkCard

# The builders import their modules when called: the documents that draw charts load Altair,
# and `lc-health export --help` should not wait for it.


@dataclass(frozen=True)
class Format:
    mime: str
    suffix: str
    label: str  # message key of the download button
    icon: str


FORMATS: Mapping[str, Format] = {
    "json": Format("application/json", "json", "review.export_json", ":material/data_object:"),
    "csv": Format("text/csv", "csv", "review.export_csv", ":material/table_view:"),
    "csv-nl": Format("text/csv", "csv", "review.export_csv_nl", ":material/table_view:"),
    "xlsx": Format(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        "review.export_excel",
        ":material/grid_on:",
    ),
    "html": Format("text/html", "html", "review.export_html", ":material/description:"),
}

S = TypeVar("S")

LEADS = frozenset({Audience.lead, Audience.admin})
POLICY = frozenset({Audience.policy, Audience.admin})


class NotForYou(PermissionError):
    """The audience may not have this export (disclosure.sees)."""


@dataclass(frozen=True)
class Export(Generic[S]):
    """One downloadable document. `parts` are what of a round it discloses: every audience in
    `audiences` must see them all (disclosure.sees), which the registry checks when loaded.
    `build(source, audience, format)` gets only allowed audiences and declared formats."""

    name: str
    formats: tuple[str, ...]
    audiences: frozenset[Audience]
    parts: frozenset[Part]
    build: Callable[[S, Audience, str], bytes | spreadsheet.Spreadsheet]
    file_name: Callable[[S, str], str]
    scope: Callable[[S], str]  # what of the data it holds, for the audit log (never content)
    source: str  # what it is made from: round, portfolio, paper, links, template
    labels: Mapping[str, str] = field(default_factory=dict)  # format -> message key
    help: str = ""  # message key of a line under the buttons

    def __post_init__(self) -> None:
        unknown = set(self.formats) - set(FORMATS)
        if unknown:
            raise ValueError(f"{self.name}: unknown formats {sorted(unknown)}")
        if ("csv" in self.formats) != ("csv-nl" in self.formats):
            raise ValueError(f"{self.name}: csv and csv-nl (for Dutch Excel) come together")
        for audience in self.audiences:
            if not all(sees(audience, part) for part in self.parts):
                raise ValueError(f"{self.name}: {audience.value} may not see {set(self.parts)}")

    def allows(self, audience: Audience | str) -> bool:
        audience = Audience(audience)
        return audience in self.audiences and all(sees(audience, p) for p in self.parts)

    def make(self, source: S, audience: Audience | str, fmt: str) -> bytes:
        """The document in `fmt` for `audience`; NotForYou when the audience may not have it."""
        if not self.allows(audience):
            raise NotForYou(f"{Audience(audience).value} may not have the {self.name} export")
        if fmt not in self.formats:
            raise ValueError(f"the {self.name} export comes in {', '.join(self.formats)}")
        made = self.build(source, Audience(audience), fmt)
        if fmt in spreadsheet.FORMATS:
            return spreadsheet.write(made, fmt)
        if not isinstance(made, bytes):
            raise TypeError(f"the {self.name} export's {fmt} builder must return bytes")
        return made

    def label(self, fmt: str) -> str:
        return self.labels.get(fmt, FORMATS[fmt].label)


# -- a round: the document one audience may see (round_export), the lead's quarter report ----


def _round(source: RoundSource, audience: Audience, fmt: str) -> bytes | spreadsheet.Sheets:
    doc = round_export.document(source, audience)
    if fmt == "json":
        return round_export.to_json(doc)
    if fmt == "html":
        return round_export.to_html(doc).encode("utf-8")
    return round_export.to_tables(doc)


def _round_report(source: RoundSource, _audience: Audience, fmt: str) -> bytes | spreadsheet.Sheets:
    from lc_health.documents import round_report

    if fmt == "html":
        return round_report.report_html(source).encode("utf-8")
    return round_report.sheets(source)


def _round_stem(source: RoundSource, fmt: str) -> str:
    return f"lc-health-round-{source.view.period}.{FORMATS[fmt].suffix}"


def _round_scope(source: RoundSource) -> str:
    return f"{source.community['name']} {source.view.period} (round {source.view.round_id})"


def _report_stem(source: RoundSource, fmt: str) -> str:
    stem = f"lc-health-{source.view.period}"
    return f"{stem}-report.html" if fmt == "html" else f"{stem}.{FORMATS[fmt].suffix}"


# -- the portfolio's tables --------------------------------------------------------------------


def _portfolio(
    source: portfolio.PortfolioSource, _audience: Audience, _fmt: str
) -> spreadsheet.Sheets:
    return portfolio.sheets(source)


def _portfolio_stem(source: portfolio.PortfolioSource, fmt: str) -> str:
    return f"lc-health-portfolio-{source.period}.{FORMATS[fmt].suffix}"


# -- paper: the poster and the scoring sheets of a round ---------------------------------------


@dataclass(frozen=True)
class PaperSource:
    instrument: Instrument
    lang: str  # the language of the forms
    community: str
    period: str  # the round's period key (2025-Q1)
    copies: int = 1
    first_number: int | None = None  # numbered sheets from here; None: not numbered


def _poster(source: PaperSource, _audience: Audience, _fmt: str) -> bytes:
    from lc_health.documents import poster

    text = poster.poster_html(
        source.instrument,
        source.lang,
        community=source.community,
        period=period_label(source.period),
    )
    return text.encode("utf-8")


def _sheets(source: PaperSource, _audience: Audience, _fmt: str) -> bytes:
    from lc_health.documents import poster

    text = poster.scoring_sheet_html(
        source.instrument,
        source.lang,
        community=source.community,
        period=period_label(source.period),
        copies=source.copies,
        first_number=source.first_number,
    )
    return text.encode("utf-8")


def _paper_scope(source: PaperSource) -> str:
    return f"{source.community} {source.period}"


def _paper_stem(kind: str) -> Callable[[PaperSource, str], str]:
    return lambda s, fmt: f"lc-health-{kind}-{s.period}-{s.lang}.{FORMATS[fmt].suffix}"


# -- invitations: the personal links just made, and the import template ------------------------


@dataclass(frozen=True)
class LinkSource:
    links: Sequence[LinkCard]
    community: str
    period: str
    instruction: str  # the line above the QR codes (in `lang`)
    lang: str


def _links(source: LinkSource, _audience: Audience, fmt: str) -> bytes | pd.DataFrame:
    from lc_health.documents import linksheet

    if fmt != "html":
        return linksheet.links_frame(source.links, community=source.community, period=source.period)
    title = f"{source.community} {source.period}".strip()
    sheet = linksheet.qr_sheet_html(
        source.links, title=title, instruction=source.instruction, lang=source.lang
    )
    return sheet.encode("utf-8")


@dataclass(frozen=True)
class TemplateSource:
    instrument: Instrument
    lang: str
    organisations: Sequence[str] = ()


def _template(source: TemplateSource, _audience: Audience, fmt: str) -> spreadsheet.Spreadsheet:
    from lc_health.documents import import_template

    if fmt != "xlsx":
        return import_template.template_frame(source.instrument)
    return import_template.template_workbook(
        source.instrument, source.lang, organisations=source.organisations
    )


ROUND: Export[RoundSource] = Export(
    name="round",
    formats=("json", "csv", "csv-nl", "xlsx", "html"),
    audiences=frozenset({Audience.lead, Audience.policy, Audience.admin}),
    parts=frozenset({Part.export}),
    build=_round,
    file_name=_round_stem,
    scope=_round_scope,
    source="round",
)
ROUND_REPORT: Export[RoundSource] = Export(
    name="round-report",
    formats=("csv", "csv-nl", "xlsx", "html"),
    audiences=LEADS,
    parts=frozenset({Part.export, Part.actions}),  # the tables and the report list the actions
    build=_round_report,
    file_name=_report_stem,
    scope=_round_scope,
    source="round",
    labels={"html": "review.export_report"},
    help="review.export_report_help",
)
PORTFOLIO: Export[portfolio.PortfolioSource] = Export(
    name="portfolio",
    formats=("csv", "csv-nl", "xlsx"),
    audiences=POLICY,
    parts=frozenset({Part.figures, Part.participation}),
    build=_portfolio,
    file_name=_portfolio_stem,
    scope=lambda s: f"portfolio {s.period}, {len(s.chosen)} communities",
    source="portfolio",
)
POSTER: Export[PaperSource] = Export(
    name="poster",
    formats=("html",),
    audiences=LEADS,
    parts=frozenset(),  # the questions only: no figures
    build=_poster,
    file_name=_paper_stem("poster"),
    scope=_paper_scope,
    source="paper",
    labels={"html": "paper.download_poster"},
)
SCORING_SHEETS: Export[PaperSource] = Export(
    name="scoring-sheets",
    formats=("html",),
    audiences=LEADS,
    parts=frozenset(),
    build=_sheets,
    file_name=_paper_stem("sheets"),
    scope=_paper_scope,
    source="paper",
    labels={"html": "paper.download_sheets"},
)
INVITATION_LINKS: Export[LinkSource] = Export(
    name="invitation-links",
    formats=("csv", "csv-nl", "html"),
    audiences=frozenset({Audience.admin}),
    parts=frozenset({Part.link_status}),  # personal links: the administrator's business
    build=_links,
    file_name=lambda _s, fmt: "lc-health-qr-sheet.html" if fmt == "html" else "lc-health-links.csv",
    scope=lambda s: f"{s.community} {s.period}, {len(s.links)} links".replace(" ,", ","),
    source="links",
    labels={
        "csv": "admin_invitations.csv",
        "csv-nl": "admin_invitations.csv_nl",
        "html": "admin_invitations.sheet",
    },
)
IMPORT_TEMPLATE: Export[TemplateSource] = Export(
    name="import-template",
    formats=("csv", "csv-nl", "xlsx"),
    audiences=frozenset({Audience.admin}),
    parts=frozenset(),  # empty columns and their rules
    build=_template,
    file_name=lambda _s, fmt: f"lc-health-import.{FORMATS[fmt].suffix}",
    scope=lambda s: f"import template {s.instrument.id} v{s.instrument.version}",
    source="template",
    labels={
        "csv": "admin_import.template_csv",
        "csv-nl": "admin_import.template_csv_nl",
        "xlsx": "admin_import.template_xlsx",
    },
)

EXPORTS: Mapping[str, Export[Any]] = {
    e.name: e
    for e in (
        ROUND,
        ROUND_REPORT,
        PORTFOLIO,
        POSTER,
        SCORING_SHEETS,
        INVITATION_LINKS,
        IMPORT_TEMPLATE,
    )
}


def for_round() -> list[Export[RoundSource]]:
    """The exports made from one published round (what `lc-health export` can write)."""
    return [e for e in EXPORTS.values() if e.source == "round"]
