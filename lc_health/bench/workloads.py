"""What users wait for on a cache miss: each page's whole data path, every read and every metric
it does for all of its tabs, through the same plain functions the page calls (the Streamlit
caches in lc_health.ui are thin wrappers around them). tests/bench/test_same_calls.py traces a
page in AppTest and its workload here, and fails when they call different store, metrics or
documents functions. These are what the benchmark times, cold and warm."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlmodel import Session

from lc_health import metrics
from lc_health.documents import portfolio_export
from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import FACTOR, HEALTH, LAYER
from lc_health.metrics import breakdowns, forces, portfolio, review, trends
from lc_health.services import communities_overview
from lc_health.services.open_link_audit import padding_flags
from lc_health.services.round_record import read_round_record
from lc_health.services.round_review import (
    RoundView,
    answered_rounds,
    changes_of,
    factor_frames,
    response_rate,
    round_view,
)
from lc_health.store import communities as cstore
from lc_health.store import community_search, dashboard, open_links, participation
from lc_health.store import publication as publication_store
from lc_health.store import rounds as round_store


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


def _community_choice(session: Session, ctx: Context) -> None:
    """What the page's community choice reads (ui.guard.pick_community): how many there are,
    the one in the URL, and the first of them by name (all of them when they are few)."""
    total = community_search.count_communities(session=session, community_ids=None)
    cstore.get_community(session=session, community_id=ctx.community_id)
    limit = (
        community_search.LIST_ALL
        if total <= community_search.LIST_ALL
        else community_search.LIST_SHOWN
    )
    found = community_search.find_communities(session=session, community_ids=None, limit=limit)
    cstore.get_communities(session=session, community_ids=found["community_id"])


def _review_reads(session: Session, ctx: Context) -> tuple[dashboard.CommunityData, RoundView]:
    """The round review's reads before its tabs: the community choice, rounds due for
    publication, the community's figures, its open rounds' participation, the latest round with
    responses (as the page picks by default), its open-link trail and pending publication."""
    today = date.today()
    with store_time():
        _community_choice(session, ctx)
        publication_store.due_rounds(session=session, today=today, community_ids=[ctx.community_id])
        data = dashboard.community_data(session=session, community_id=ctx.community_id)
        for rnd in round_store.community_rounds(session=session, community_id=ctx.community_id):
            if rnd.id is not None and round_store.state(rnd, today) is round_store.RoundState.open:
                seen = participation.round_participation(
                    session=session, round_id=rnd.id, today=today
                )
                _ = (seen.target, seen.rated, seen.rate)  # the open round's panel
    view = round_view(data, int(answered_rounds(data)["round_id"].iloc[-1]))
    with store_time():
        trail = open_links.open_link_trail(session=session, round_id=view.round_id)
        publication_store.pending_since_publication(
            session=session, round_id=view.round_id, policy=Policy(threshold=ctx.threshold)
        )
    if not trail.empty:
        padding_flags(trail, threshold=ctx.threshold)
    return data, view


def round_review_page(session: Session, ctx: Context) -> object:
    """The lead's round review on a cache miss, every tab: headline, layers, factors, change,
    forces, trends, breakdowns, comments and the export's round record."""
    data, view = _review_reads(session, ctx)
    ins, k = ctx.instrument, ctx.threshold
    factors, changes = factor_frames(view, ins, k)  # per factor and change
    response_rate(view)
    if review.health(view.scores, k) is not None:
        changes_of(view, HEALTH)
    review.layer_matrix(view.scores, ins, k)  # by layer
    review.layer_indices(view.scores, ins, k)
    review.layer_factors(ins)
    forces.force_field(  # forces
        view.forces,
        view.force_respondents,
        view.previous_forces,
        view.previous_force_respondents,
        ins,
        k,
    )
    trends.instrument_changes(data.rounds)  # trends (one instrument version: nothing to join)
    for scope in (LAYER, FACTOR):
        trends.community_trend(data.scores, data.rounds, scope, k, {})
    for by in ("role", "organisation_type"):  # breakdowns
        groups = breakdowns.published(view.groups, by, FACTOR)
        if not groups.empty and groups["group"].nunique() >= 2:
            breakdowns.by_group(groups, [str(f.id) for f in ins.factors])
    with store_time():
        dashboard.published_comments(session=session, round_id=view.round_id)  # comments
        read_round_record(session, round_id=view.round_id)  # export
    return factors, changes


def portfolio_heatmap(session: Session, ctx: Context) -> pd.DataFrame:
    """Part of the portfolio page: every community's factor means in one period, the
    aggregation the DuckDB and Polars baselines repeat over raw answers."""
    with store_time():
        sums = dashboard.portfolio_scores(
            session=session, community_ids=None, scopes=[FACTOR], periods=[ctx.period]
        )
    return metrics.summarise_sums(sums, ctx.threshold)


def _portfolio_reads(
    session: Session, ctx: Context
) -> tuple[portfolio_export.PortfolioData, pd.DataFrame, tuple[pd.DataFrame, pd.DataFrame]]:
    """The three reads the page caches (ui.portfolio.data): the portfolio over all periods,
    the period's means, and the forces of the period and the one before it."""
    with store_time():
        publication_store.due_rounds(session=session, today=date.today(), community_ids=None)
        data = portfolio_export.read_portfolio(session, None, ctx.instrument)
        now = portfolio_export.read_period_means(session, None, ctx.threshold, ctx.period)
        ids = frozenset(int(c) for c in data.communities["community_id"])
        periods = portfolio_export.with_previous(data.periods, ctx.period)
        totals = portfolio_export.read_force_totals(session, ids, periods)
    return data, now, totals


def portfolio_page(session: Session, ctx: Context) -> object:
    """The policy maker's portfolio on a cache miss, unfiltered, every tab: heatmap and layer
    profiles, factors compared, over time, forces and participation."""
    data, now, (totals, respondents) = _portfolio_reads(session, ctx)
    period = ctx.period
    grid = portfolio.heatmap(now, period)  # heatmap
    portfolio.order_by_factor(grid, 0, list(data.communities["community_id"]))
    portfolio.layer_profiles(now, period)
    factors = now[(now["period"] == period) & (now["scope"] == FACTOR) & ~now["suppressed"]]
    portfolio.factor_distribution(factors)  # factors compared
    portfolio.instrument_changes(data.instruments)  # over time (one version: nothing to join)
    spread = [
        portfolio.with_segments(portfolio.spread_over_time(data.means, scope), scope, {})
        for scope in (HEALTH, LAYER)
    ]
    portfolio.bands_over_time(data.means, data.too_few)
    history = forces.portfolio_shares(totals, respondents, ctx.instrument)  # forces
    top = history[history["period"] == period]
    shown = pd.concat([top[top["kind"] == kind].head(8) for kind in ("facilitating", "hindering")])
    forces.shares_by_period(history, list(shown["force_id"]))
    portfolio.participation_grid(data.participation)  # participation
    return grid, spread


def communities_page(session: Session, ctx: Context) -> object:
    """The communities page: the due-rounds check, then the function its cache wraps for the
    first page of the list (store reads and metrics in one: the notes' split counts all of it
    as metrics)."""
    with store_time():
        publication_store.due_rounds(session=session, today=date.today(), community_ids=None)
    return communities_overview.communities_page(
        session, community_ids=None, threshold=ctx.threshold
    )


WORKLOADS: dict[str, Workload] = {
    "round review page": round_review_page,
    "portfolio page": portfolio_page,
    "communities page": communities_page,
    "portfolio heatmap (part)": portfolio_heatmap,
}

# The page each workload stands for (the URL path it is served at), for the call check.
PAGES: dict[str, str] = {
    "round review page": "lead_review",
    "portfolio page": "portfolio",
    "communities page": "communities",
}
