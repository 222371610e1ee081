"""Migration 0010 (portfolio summaries) goes down (to 0009) and up again on SQLite and
PostgreSQL; on the way up it fills a summary for every earlier publication, the same rows that
publishing wrote (here: the demo portfolio, published)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from lc_health.domain.instrument import Instrument, Registry
from lc_health.services.demo import load_demo
from lc_health.store import db
from lc_health.store.portfolio_summaries import COLUMNS
from tests.publishing import publish


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(f"SELECT {', '.join(COLUMNS)} FROM portfolioround ORDER BY round_id")
            )
        ]


def test_down_to_0009_and_up_again_fills_every_publication(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    with db.write_session(engine) as session:
        load_demo(session=session, instrument=instrument)
    publish(engine, registry, today=date.today(), now=datetime.now(UTC))
    written = _rows(engine)
    with engine.connect() as conn:
        published = conn.execute(text("SELECT count(*) FROM publication")).scalar_one()
    assert len(written) == published > 0
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), "0009")
    finally:
        plain.dispose()
    assert db.current_revision(engine) == "0009"
    assert "portfolioround" not in set(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert _rows(engine) == written
