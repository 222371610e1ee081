"""The round's conversation in its documents: the quarter report (HTML, and its CSV/Excel
tables) and the lead's round export carry the closing summary and the factors discussed, every
text escaped and never a spreadsheet formula; a policy maker's export has none of it."""

from __future__ import annotations

import io
import json
from datetime import date
from functools import partial

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from lc_health.documents import round_export, round_report
from lc_health.documents.registry import EXPORTS
from lc_health.documents.report import ReportTables, quarter_report
from lc_health.domain.disclosure import Audience, Policy
from lc_health.domain.i18n import translate
from lc_health.domain.instrument import Registry
from lc_health.runtime.bootstrap import load_settings
from lc_health.services import agenda
from lc_health.services.publication import publish_due
from lc_health.store import db
from lc_health.store.models import Round

LEAD = "trekker@demo.lc-health.nl"
SUMMARY = '=HYPERLINK("http://x")\n<script>alert(1)</script> Funding first.'
NOTE = "Covered by the <new> partner"


def _html(agenda_frame: pd.DataFrame | None, summary: tuple[str, date] | None) -> str:
    return quarter_report(
        title="Lab",
        subtitle="Q3",
        headline={},
        sections=[],
        actions=pd.DataFrame(),
        tr=partial(translate, "en"),
        lang="en",
        made_on=date(2026, 12, 6),
        agenda=agenda_frame,
        summary=summary,
    )


def test_the_report_shows_the_summary_escaped_with_its_date() -> None:
    frame = pd.DataFrame({"Factor": ["9. Support"], "Outcome": ["discussed, no action"]})
    out = _html(frame, ("Line one\n<b>two</b>", date(2026, 12, 5)))
    assert "Summary of the conversation" in out
    assert '<p class="summary">Line one\n&lt;b&gt;two&lt;/b&gt;</p>' in out
    assert "Meeting closed on 05-12-2026." in out and "Factors discussed" in out
    assert "<b>two</b>" not in out
    not_closed = _html(pd.DataFrame(), None)
    assert "has not been closed yet" in not_closed and "Factors discussed" not in not_closed
    assert "Summary of the conversation" not in _html(None, None)  # not read: no section


def test_the_conversations_sheets_only_when_there_is_something() -> None:
    empty = pd.DataFrame()
    tr = partial(translate, "nl")
    assert "Samenvatting" not in ReportTables(empty, empty, empty, empty, empty, empty).sheets(tr)
    talk = ReportTables(
        empty,
        empty,
        empty,
        empty,
        empty,
        empty,
        agenda=pd.DataFrame({"a": [1]}),
        summary=pd.DataFrame({"b": ["x"]}),
    ).sheets(tr)
    assert list(talk)[-2:] == ["Agenda", "Samenvatting"]


@pytest.fixture
def closed_round(demo_db: str, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> int:
    """The latest published round of the greenhouse community, its meeting closed."""
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    publish_due(engine=engine, registry=registry, settings=load_settings())
    with db.read_session(engine) as session:
        rounds = session.exec(select(Round).order_by(Round.period.desc())).all()  # type: ignore[attr-defined]
        for rnd in rounds:
            assert rnd.id is not None
            try:
                round_export.load_source(
                    session=session, round_id=rnd.id, registry=registry, policy=Policy()
                )
            except round_export.UnknownRound:
                continue
            break
    assert rnd.id is not None
    with db.write_session(engine) as session:
        common = {"actor": LEAD, "community_id": rnd.community_id, "round_id": rnd.id}
        agenda.record_no_action(session, **common, factor_id=4, proposed=(4,), note=NOTE)
        agenda.close_meeting(session, **common, text=SUMMARY)
    engine.dispose()
    return rnd.id


def _source(demo_db: str, registry: Registry, round_id: int) -> round_export.RoundSource:
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        source = round_export.load_source(
            session=session, round_id=round_id, registry=registry, policy=Policy(), lang="en"
        )
    engine.dispose()
    return source


def test_the_quarter_report_carries_the_summary(
    demo_db: str, registry: Registry, closed_round: int
) -> None:
    source = _source(demo_db, registry, closed_round)
    html = round_report.report_html(source)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Funding first." in html
    assert "<script>" not in html and "Covered by the &lt;new&gt; partner" in html
    sheets = round_report.sheets(source)
    assert sheets["Summary"].iloc[0]["Summary"] == SUMMARY
    assert sheets["Agenda"].iloc[0].tolist() == [
        "Handling competition sensitivity",
        "discussed, no action",
        NOTE,
    ]
    book = openpyxl.load_workbook(
        io.BytesIO(EXPORTS["round-report"].make(source, Audience.lead, "xlsx"))
    )
    cell = book["Summary"]["B2"]
    assert cell.data_type != "f" and str(cell.value).startswith("'=HYPERLINK")


def test_the_lead_export_has_the_conversation_and_the_policy_export_not(
    demo_db: str, registry: Registry, closed_round: int
) -> None:
    source = _source(demo_db, registry, closed_round)
    lead = json.loads(EXPORTS["round"].make(source, Audience.lead, "json"))
    policy = json.loads(EXPORTS["round"].make(source, Audience.policy, "json"))
    assert lead["conversation"]["summary"] == SUMMARY
    assert lead["conversation"]["discussed"] == [
        {"factor_id": 4, "outcome": "no_action", "note": NOTE}
    ]
    assert lead["conversation"]["closed_on"] == date.today().isoformat()
    assert "conversation" not in policy
    tables = round_export.to_tables(lead)
    assert tables["summary"].iloc[0]["summary"] == SUMMARY
