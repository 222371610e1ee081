"""Publishing closed rounds for the app and the CLI: the figures of every round that closed
(by hand or by its date) are fixed under the disclosure policy before anyone reads them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lc_health.domain.disclosure import Policy, PolicySettings
from lc_health.domain.instrument import Instrument, Registry
from lc_health.store import db
from lc_health.store import portfolio_digests as digests
from lc_health.store import publication as publication_store
from lc_health.store.models import Round
from lc_health.store.publication import InstrumentFor, Outcome

log = logging.getLogger(__name__)


def instrument_for(registry: Registry) -> InstrumentFor:
    """The instrument a round asked (its own version, not the latest)."""

    def find(rnd: Round) -> Instrument:
        return registry.get(rnd.instrument_id, rnd.instrument_version)

    return find


def publish_due(
    *,
    engine: Engine,
    registry: Registry,
    settings: PolicySettings,
    today: date | None = None,
    community_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> list[Outcome]:
    """Publish every round that closed since it was last looked at, in one transaction
    (`now`, default the current time, is the publication time: for a backfill of past days).

    Several app processes may find the same due round at once (replicas starting together):
    the first to commit publishes it; the others' transactions fail on the publication's key
    and leave the work to it.
    """
    today = today or date.today()
    # Most calls find nothing due: look first in a read, so that pages and a workshop's
    # submissions do not queue for SQLite's write lock for nothing.
    with db.read_session(engine) as session:
        if not publication_store.due_rounds(session, today=today, community_ids=community_ids):
            return []
    try:
        with db.write_session(engine) as session:
            outcomes = publication_store.publish_due(
                session,
                today=today,
                instrument_for=instrument_for(registry),
                policy=Policy.from_settings(settings),
                community_ids=community_ids,
                now=now,
            )
    except IntegrityError:
        log.info("another process published the due rounds first")
        return []
    refresh_portfolio_digests(engine=engine)
    return outcomes


def refresh_portfolio_digests(*, engine: Engine) -> None:
    """Rebuild the portfolio digests that publishing marked stale, in their own transaction,
    so that the portfolio's next reader does not wait for them. A failure (another process
    at it, a busy database) leaves them stale: the first read builds them then."""
    try:
        with db.read_session(engine) as session:
            loaded = digests.build_stale_digests(session=session)
        if loaded.built:
            with db.write_session(engine) as session:
                digests.save_digests(session=session, loaded=loaded)
    except SQLAlchemyError:
        log.info("the portfolio digests are left to be built when first read")
