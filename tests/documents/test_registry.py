"""The export registry: every entry makes non-empty bytes in each format it declares for the
demo data, and only for the audiences the disclosure policy lets see what it holds."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from sqlmodel import select

from lc_health.documents import portfolio_export, round_export
from lc_health.documents.linksheet import LinkCard
from lc_health.documents.registry import (
    EXPORTS,
    FORMATS,
    Export,
    LinkSource,
    NotForYou,
    PaperSource,
    TemplateSource,
)
from lc_health.domain.disclosure import Audience, Part, Policy, sees
from lc_health.domain.instrument import Registry
from lc_health.runtime.bootstrap import load_settings
from lc_health.services.publication import publish_due
from lc_health.store import db
from lc_health.store.models import Round


@pytest.fixture
def sources(demo_db: str, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """One input per kind of source, read from the demo database (rounds due published first,
    as the app and the CLI do)."""
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    policy = Policy()
    instrument = registry.latest()
    engine = db.make_engine(demo_db)
    publish_due(engine=engine, registry=registry, settings=load_settings())
    with db.read_session(engine) as session:
        rounds = session.exec(select(Round).order_by(Round.period.desc())).all()  # type: ignore[attr-defined]
        found = None
        for rnd in rounds:
            assert rnd.id is not None
            try:
                found = round_export.load_source(
                    session=session, round_id=rnd.id, registry=registry, policy=policy, lang="en"
                )
            except round_export.UnknownRound:
                continue
            if found.view.responses:
                break
        assert found is not None
        data = portfolio_export.read_portfolio(session, None, instrument)
        period = data.periods[-1]
        chosen = data.communities[["community_id", "name"]]
        ids = frozenset(int(c) for c in chosen["community_id"])
        folio = portfolio_export.PortfolioSource(
            data=data,
            now=portfolio_export.read_period_means(session, None, policy.threshold, period),
            period=period,
            chosen=chosen,
            force_totals=portfolio_export.read_force_totals(session, ids, (period,)),
            instrument=instrument,
            lang="nl",
        )
    engine.dispose()
    return {
        "round": found,
        "portfolio": folio,
        "paper": PaperSource(instrument, "nl", "Demo", "2026-Q1", copies=2, first_number=7),
        "links": LinkSource(
            [LinkCard("https://example.org/s/abc", "A")], "Demo", "2026-Q1", "Scan", "nl"
        ),
        "template": TemplateSource(instrument, "en", organisations=("School",)),
    }


def _is(fmt: str, data: bytes) -> bool:
    if fmt == "json":
        return isinstance(json.loads(data), dict)
    if fmt in ("csv", "csv-nl"):
        header = data.decode("utf-8-sig").splitlines()[0]  # a template is a header only
        return ("," if fmt == "csv" else ";") in header
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        return any(sheet.max_row > 1 for sheet in book.worksheets)
    return data.lstrip().lower().startswith(b"<!doctype html") and b"</html>" in data.lower()


@pytest.mark.parametrize("name", list(EXPORTS))
def test_every_export_makes_its_formats_for_the_demo_data(
    name: str, sources: dict[str, Any]
) -> None:
    export = EXPORTS[name]
    audience = sorted(export.audiences)[0]
    for fmt in export.formats:
        data = export.make(sources[export.source], audience, fmt)
        assert data and _is(fmt, data), (name, fmt)
        assert export.file_name(sources[export.source], fmt).endswith(f".{FORMATS[fmt].suffix}")


@pytest.mark.parametrize("name", list(EXPORTS))
def test_only_audiences_that_see_an_export_get_it(name: str, sources: dict[str, Any]) -> None:
    export = EXPORTS[name]
    for audience in Audience:
        allowed = audience in export.audiences and all(sees(audience, p) for p in export.parts)
        assert export.allows(audience) == allowed
        if not allowed:
            with pytest.raises(NotForYou):
                export.make(sources[export.source], audience, export.formats[0])


def test_an_export_cannot_promise_a_part_to_an_audience_that_does_not_see_it() -> None:
    with pytest.raises(ValueError, match="policy"):
        Export(
            name="leak",
            formats=("csv", "csv-nl"),
            audiences=frozenset({Audience.policy}),
            parts=frozenset({Part.comments}),
            build=lambda _s, _a, _f: b"x",
            file_name=lambda _s, f: f"leak.{f}",
            scope=lambda _s: "",
            source="round",
        )


def test_an_export_offered_as_csv_is_offered_for_dutch_excel_too() -> None:
    with pytest.raises(ValueError, match="csv-nl"):
        Export(
            name="comma-only",
            formats=("csv",),
            audiences=frozenset({Audience.admin}),
            parts=frozenset(),
            build=lambda _s, _a, _f: b"x",
            file_name=lambda _s, f: f"x.{f}",
            scope=lambda _s: "",
            source="round",
        )


def test_the_policy_makers_round_document_has_no_comments_or_actions(
    sources: dict[str, Any],
) -> None:
    lead = json.loads(EXPORTS["round"].make(sources["round"], Audience.lead, "json"))
    policy = json.loads(EXPORTS["round"].make(sources["round"], Audience.policy, "json"))
    assert "comments" in lead and "actions" in lead
    assert "comments" not in policy and "actions" not in policy
