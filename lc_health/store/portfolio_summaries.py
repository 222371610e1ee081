"""The portfolio's summary of every published round (models.PortfolioRound), kept in step with
the publications: publish() rewrites a round's row in the same transaction as its figures, the
migration that made the table filled it for every earlier publication, and the benchmark's bulk
load fills it after loading. Set-based: one DELETE and one INSERT ... SELECT, at any size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from lc_health.store import ids
from lc_health.store.models import PortfolioRound, Publication, Round
from lc_health.store.portfolio_digests import mark_stale_rounds

COLUMNS = (
    "round_id",
    "community_id",
    "period",
    "instrument_id",
    "instrument_version",
    "responses",
    "forces_respondents",
    "personal_responses",
)
CHUNK = 5000  # round ids bound per statement (well below every driver's parameter limit)


def _chunks(round_ids: Iterable[int] | None) -> list[Sequence[int] | None]:
    if round_ids is None:
        return [None]
    wanted = ids(round_ids)
    return [wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK)]


def rebuild_portfolio_summaries(
    *, session: Session, round_ids: Iterable[int] | None = None
) -> None:
    """Rewrite the summaries of these rounds (every round when None) from their publications:
    a round without a publication has none. In the caller's transaction. The portfolio digests
    of their periods (before and after) are marked stale in the same transaction."""
    mark_stale_rounds(session=session, round_ids=round_ids)
    for chunk in _chunks(round_ids):
        remove = delete(PortfolioRound)
        source = sa_select(
            col(Round.id),
            col(Round.community_id),
            col(Round.period),
            col(Round.instrument_id),
            col(Round.instrument_version),
            col(Publication.responses),
            col(Publication.forces_respondents),
            col(Publication.personal),
        ).join(Publication, col(Publication.round_id) == col(Round.id))
        if chunk is not None:
            remove = remove.where(col(PortfolioRound.round_id).in_(chunk))
            source = source.where(col(Round.id).in_(chunk))
        session.execute(remove)
        session.execute(insert(PortfolioRound).from_select(list(COLUMNS), source))
