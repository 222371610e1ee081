"""The policy maker's portfolio as tables (as shown: nothing below the threshold has a figure),
and the plain reads it rests on: the portfolio pages cache these, the exports and the CLI call
them directly. Only published figures are read (store.dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from sqlmodel import Session

from lc_health.documents import portfolio_digest as digest
from lc_health.domain.i18n import translate
from lc_health.domain.instrument import Instrument
from lc_health.metrics import forces as mforces
from lc_health.metrics import portfolio
from lc_health.store import communities as cstore
from lc_health.store import portfolio as pstore
from lc_health.store import portfolio_digests as dstore

PARTICIPATION = ("community_id", "period", "responses", "forces_respondents", "personal_responses")
INSTRUMENTS = ("community_id", "period", "instrument_id", "instrument_version")


@dataclass(frozen=True)
class PortfolioData:
    communities: pd.DataFrame  # community_id, name, sector, region, phase, ...
    periods: list[str]  # periods with answers, oldest first
    means: pd.DataFrame  # shown health and layer means, all periods (community_id, period, ...)
    too_few: pd.DataFrame  # community_id, period of published rounds without a health index
    participation: pd.DataFrame  # community_id, period, responses, response_rate, ...
    instruments: pd.DataFrame  # community_id, period, instrument_id, instrument_version


def read_portfolio(
    session: Session, community_ids: frozenset[int] | None, instrument: Instrument
) -> PortfolioData:
    """The portfolio over all periods; `instrument` (the latest) names the trend scores. Read
    from the periods' digests (documents.portfolio_digest): a dozen rows at any size."""
    communities = cstore.communities_frame(session=session, community_ids=community_ids)
    visible = np.sort(communities["community_id"].to_numpy(dtype=np.int64))
    found = digest.load(session, "trends", None)
    # One read of the published rounds serves participation, instrument versions and trends.
    rounds = digest.rounds_frame(found, visible)
    means, too_few = digest.shown_means(found, visible, portfolio.trend_scores(instrument))
    part = rounds[list(PARTICIPATION)].reset_index(drop=True)
    instruments = rounds.loc[rounds["responses"] > 0, list(INSTRUMENTS)].reset_index(drop=True)
    links = pstore.personal_links(session=session, community_ids=community_ids)
    return PortfolioData(
        communities=communities,
        periods=sorted({str(p) for p in part.loc[part["responses"] > 0, "period"].unique()}),
        means=portfolio.shown_means(means),
        too_few=too_few,
        participation=portfolio.participation(part, links),
        instruments=instruments,
    )


def read_period_means(
    session: Session, community_ids: frozenset[int] | None, threshold: int, period: str
) -> pd.DataFrame:
    """community_means of factors, layers and health in one period (heatmap and profiles). A
    community whose round was published without a health index is there with n = 0 (shown as
    too few responses, which is not the same as no data)."""
    visible = dstore.visible_communities(session=session, community_ids=community_ids)
    found = digest.load(session, "scores", [period])
    return portfolio.community_means(digest.period_sums(found, visible, period), threshold)


def read_force_totals(
    session: Session, community_ids: frozenset[int], periods: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forces summed over the chosen communities' rounds in these periods that were published:
    (period, force_id, n) and (period, communities, respondents)."""
    visible = dstore.visible_communities(session=session, community_ids=community_ids)
    return digest.force_totals(digest.load(session, "forces", list(periods)), visible)


def with_previous(periods: list[str], period: str) -> tuple[str, ...]:
    """The period and the one before it (the forces' shift is shown between them)."""
    index = periods.index(period) if period in periods else len(periods) - 1
    return tuple(periods[max(0, index - 1) : index + 1])


@dataclass(frozen=True)
class PortfolioSource:
    """The portfolio as filtered on the page: `chosen` communities (community_id, name), the
    period's means (`now`), and its force totals (read_force_totals for the period)."""

    data: PortfolioData
    now: pd.DataFrame
    period: str
    chosen: pd.DataFrame
    force_totals: tuple[pd.DataFrame, pd.DataFrame]
    instrument: Instrument
    lang: str


def _forces(source: PortfolioSource) -> pd.DataFrame:
    totals, respondents = source.force_totals
    top = mforces.portfolio_shares(totals, respondents, source.instrument)
    top = top[top["period"] == source.period]
    names = {f.id: f.name.get(source.lang) for f in source.instrument.forces}
    return top.assign(name=top["force_id"].map(names)).round(3)


def sheets(source: PortfolioSource) -> dict[str, pd.DataFrame]:
    """The portfolio's tables for the filters; nothing below the threshold has a figure."""
    tr = partial(translate, source.lang)
    data, period, chosen = source.data, source.period, source.chosen
    names = dict(zip(chosen["community_id"], chosen["name"], strict=True))
    ids = frozenset(int(c) for c in chosen["community_id"])
    means = data.means[data.means["community_id"].isin(ids)]
    now = source.now[source.now["community_id"].isin(ids)]
    factor_names = {0: tr("communities.col_health")} | {
        f.id: f.name.get(source.lang) for f in source.instrument.factors
    }
    grid = portfolio.heatmap(now, period)
    grid = grid.assign(
        community=grid["community_id"].map(names), factor_name=grid["factor"].map(factor_names)
    )
    layers = portfolio.layer_profiles(now, period)
    layers = layers.assign(community=layers["community_id"].map(names))
    spread = pd.concat(
        [
            portfolio.spread_over_time(means, "health").assign(scope="health"),
            portfolio.spread_over_time(means, "layer").assign(scope="layer"),
        ],
        ignore_index=True,
    )
    part = data.participation[data.participation["community_id"].isin(chosen["community_id"])]
    too_few = data.too_few[data.too_few["community_id"].isin(ids)]
    return {
        tr("portfolio.sheet_heatmap"): grid[
            ["community", "factor", "factor_name", "n", "mean", "band", "suppressed"]
        ].round(3),
        tr("portfolio.sheet_layers"): layers[
            ["community", "layer", "n", "mean", "band", "suppressed"]
        ].round(3),
        tr("portfolio.sheet_time"): spread.round(3),
        tr("portfolio.sheet_bands"): portfolio.bands_over_time(means, too_few),
        tr("portfolio.sheet_forces"): _forces(source),
        tr("portfolio.sheet_participation"): part.assign(community=part["community_id"].map(names))[
            [
                "community",
                "period",
                "responses",
                "personal_links",
                "personal_responses",
                "response_rate",
            ]
        ].round(3),
    }
