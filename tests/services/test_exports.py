"""services.exports: every export handed out is in the audit log (which, of what, in which
format, for whom, who took it) and never with its content; an export that cannot be made is not
recorded."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select

from lc_health.services.exports import hand_out
from lc_health.store import db
from lc_health.store.models import AuditEvent
from tests.services.audited import events

CONTENT = b'name,comment\r\nLab Noord,\'=HYPERLINK("x")\r\n'


def test_an_export_handed_out_is_audited_without_its_content(engine: Engine) -> None:
    data = hand_out(
        engine=engine,
        make=lambda: CONTENT,
        actor="trekker@example.org",
        export="round-report",
        fmt="csv-nl",
        scope="Lab Noord 2026-Q3 (round 7)",
        audience="lead",
    )
    assert data == CONTENT
    assert events(engine) == [("trekker@example.org", "export", "Lab Noord 2026-Q3 (round 7)")]
    with db.read_session(engine) as session:
        detail = session.execute(select(AuditEvent.detail)).scalar_one()
    assert json.loads(detail) == {"audience": "lead", "export": "round-report", "format": "csv-nl"}
    assert "HYPERLINK" not in detail


def test_an_export_that_cannot_be_made_is_not_recorded(engine: Engine) -> None:
    def broken() -> bytes:
        raise ValueError("no such format")

    with pytest.raises(ValueError):
        hand_out(
            engine=engine,
            make=broken,
            actor="a@example.org",
            export="round",
            fmt="xlsx",
            scope="x",
            audience="lead",
        )
    assert events(engine) == []
