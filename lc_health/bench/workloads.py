"""What each dashboard asks of the database and of lc_health.metrics: the data functions of
lc_health.store.dashboard (and the communities overview's reads) plus the metrics its page
computes from them. These are what the benchmark times, cold and warm."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from lc_health import metrics
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import Period
from lc_health.domain.scoring import FACTOR, HEALTH, LAYER
from lc_health.metrics import breakdowns, forces, portfolio, review, trends
from lc_health.services.round_review import (
    RoundView,
    answered_rounds,
    changes_of,
    factor_frames,
    round_view,
)
from lc_health.store import communities as cstore
from lc_health.store import dashboard


@dataclass(frozen=True)
class Context:
    instrument: Instrument
    threshold: int
    community_id: int
    period: str  # the portfolio pages' period: the latest closed one


Workload = Callable[[Session, Context], object]

# Seconds spent in store functions (database reads) since the last reset, so that the report
# can tell the data functions' share from the metrics' share of a workload.
_store_seconds = [0.0]


@contextmanager
def store_time() -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        _store_seconds[0] += time.perf_counter() - started


def take_store_seconds() -> float:
    seconds, _store_seconds[0] = _store_seconds[0], 0.0
    return seconds


def _views(data: dashboard.CommunityData) -> RoundView:
    """The latest published round with responses (as the review page picks)."""
    answered = answered_rounds(data)
    return round_view(data, int(answered["round_id"].iloc[-1]))


def community_review(session: Session, ctx: Context) -> object:
    """The lead's round review: headline, layers, factors, change, attention, breakdowns and
    comments, as the page reads and computes them."""
    with store_time():
        data = dashboard.community_data(session=session, community_id=ctx.community_id)
    view = _views(data)
    ins, k = ctx.instrument, ctx.threshold
    review.health(view.scores, k)
    changes_of(view, HEALTH)
    factors, changes = factor_frames(view, ins, k)
    review.attention_order(factors, changes)
    review.layer_matrix(view.scores, ins, k)
    review.layer_indices(view.scores, ins, k)
    for by in ("role", "organisation_type"):
        breakdowns.published(view.groups, by, FACTOR)
    with store_time():
        dashboard.published_comments(session=session, round_id=view.round_id)
    return factors


def community_trends(session: Session, ctx: Context) -> object:
    with store_time():
        data = dashboard.community_data(session=session, community_id=ctx.community_id)
    return [
        trends.community_trend(data.scores, data.rounds, scope, ctx.threshold)
        for scope in (HEALTH, LAYER, FACTOR)
    ]


def community_forces(session: Session, ctx: Context) -> object:
    with store_time():
        data = dashboard.community_data(session=session, community_id=ctx.community_id)
    view = _views(data)
    return forces.force_field(
        view.forces,
        view.force_respondents,
        view.previous_forces,
        view.previous_force_respondents,
        ctx.instrument,
        ctx.threshold,
    )


def portfolio_heatmap(session: Session, ctx: Context) -> pd.DataFrame:
    """Every community's factor means in one period: the heatmap, and the aggregation the
    DuckDB comparison repeats over raw answers."""
    with store_time():
        sums = dashboard.portfolio_scores(
            session=session, community_ids=None, scopes=[FACTOR], periods=[ctx.period]
        )
    return metrics.summarise_sums(sums, ctx.threshold)


def portfolio_trends(session: Session, ctx: Context) -> object:
    """Health and layer indices of every community in every period, then the portfolio's
    median and middle half per period and the communities per reading band (as the page)."""
    with store_time():
        shown, too_few = dashboard.portfolio_shown_means(
            session=session, community_ids=None, scores=portfolio.trend_scores(ctx.instrument)
        )
    means = portfolio.shown_means(shown)
    return (
        portfolio.spread_over_time(means, HEALTH),
        portfolio.spread_over_time(means, LAYER),
        portfolio.bands_over_time(means, too_few),
    )


def portfolio_forces(session: Session, ctx: Context) -> object:
    """The forces most recognised across the portfolio, summed in the database."""
    with store_time():
        # As the page: the period and the one before it, for the shift between them.
        before = str(Period.parse(ctx.period).previous())
        totals, respondents = dashboard.portfolio_force_totals(
            session=session, community_ids=None, periods=[before, ctx.period]
        )
    return forces.portfolio_shares(totals, respondents, ctx.instrument)


def communities_overview(session: Session, ctx: Context) -> object:
    """The communities page: every community with its latest health index and change."""
    with store_time():
        communities = cstore.communities_frame(session=session)
        rounds = dashboard.health_by_round(session=session, community_ids=None)
    latest = metrics.latest_health(rounds, ctx.threshold)
    return communities.merge(latest, on="community_id", how="left")


WORKLOADS: dict[str, Workload] = {
    "community round review": community_review,
    "community trends": community_trends,
    "community forces": community_forces,
    "portfolio heatmap": portfolio_heatmap,
    "portfolio trends": portfolio_trends,
    "portfolio forces": portfolio_forces,
    "communities overview": communities_overview,
}
