"""Migration 0012 (portfolio digests) goes down (to 0011, its parent) and up again on SQLite and
PostgreSQL: on the way up every period with a publication gets a stale mark (no data), which the
first read builds from the published rows, and the index of active personal links comes back."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from lc_health.domain.instrument import Instrument, Registry
from lc_health.services.demo import load_demo
from lc_health.store import db
from lc_health.store import portfolio_digests as digests
from tests.publishing import publish


def _marks(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("SELECT period, part, data IS NULL FROM portfoliodigest ORDER BY period, part")
            )
        ]


def test_down_to_0011_and_up_again_marks_every_published_period(
    engine: Engine, registry: Registry, instrument: Instrument
) -> None:
    with db.write_session(engine) as session:
        load_demo(session=session, instrument=instrument)
    publish(engine, registry, today=date.today(), now=datetime.now(UTC))
    with engine.connect() as conn:
        periods = sorted(
            str(p)
            for p in conn.execute(text("SELECT DISTINCT period FROM portfolioround")).scalars()
        )
    assert periods
    marked = _marks(engine)
    assert set(periods) <= {m[0] for m in marked}  # publishing marked them (stale)
    plain = create_engine(engine.url)
    try:
        command.downgrade(db.alembic_config(plain), "0011")
    finally:
        plain.dispose()
    assert db.current_revision(engine) == "0011"
    assert "portfoliodigest" not in set(inspect(engine).get_table_names())
    assert "ix_invitation_personal_active" not in {
        i["name"] for i in inspect(engine).get_indexes("invitation")
    }
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    assert _marks(engine) == [(p, part, True) for p in periods for part in sorted(digests.PARTS)]
    assert "ix_invitation_personal_active" in {
        i["name"] for i in inspect(engine).get_indexes("invitation")
    }
    with db.read_session(engine) as session:
        loaded = digests.read_digests(session=session, part="scores")
    assert sorted(loaded.built) == periods
    with db.write_session(engine) as session:
        digests.save_digests(session=session, loaded=loaded)
    assert all(not stale for _, _, stale in _marks(engine))
