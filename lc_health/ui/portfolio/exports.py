"""Export of the portfolio's tables (as shown: suppressed figures empty) as CSV and Excel."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from lc_health.documents.report import to_csv, to_excel
from lc_health.domain.i18n import translate
from lc_health.metrics import forces as mforces
from lc_health.metrics import portfolio
from lc_health.ui.context import app, t
from lc_health.ui.portfolio.data import PortfolioData, force_totals

EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheets(
    data: PortfolioData, now: pd.DataFrame, period: str, chosen: pd.DataFrame, lang: str
) -> dict[str, pd.DataFrame]:
    """The portfolio's tables for the filters; nothing below the threshold has a figure."""
    tr = partial(translate, lang)
    ctx = app()
    instrument = ctx.registry.latest()
    names = dict(zip(chosen["community_id"], chosen["name"], strict=True))
    ids = frozenset(int(c) for c in chosen["community_id"])
    means = data.means[data.means["community_id"].isin(ids)]
    now = now[now["community_id"].isin(ids)]
    factor_names = {0: tr("communities.col_health")} | {
        f.id: f.name.get(lang) for f in instrument.factors
    }
    grid = portfolio.heatmap(now, period)
    grid = grid.assign(community=grid["community_id"].map(names),
                       factor_name=grid["factor"].map(factor_names))  # fmt: skip
    layers = portfolio.layer_profiles(now, period)
    layers = layers.assign(community=layers["community_id"].map(names))
    spread = pd.concat(
        [portfolio.spread_over_time(means, "health").assign(scope="health"),
         portfolio.spread_over_time(means, "layer").assign(scope="layer")],
        ignore_index=True,
    )  # fmt: skip
    part = data.participation[data.participation["community_id"].isin(chosen["community_id"])]
    totals, respondents = force_totals(ctx.settings.database_url, ids, (period,))
    top = mforces.portfolio_shares(totals, respondents, instrument)
    top = top[top["period"] == period]
    force_names = {f.id: f.name.get(lang) for f in instrument.forces}
    return {
        tr("portfolio.sheet_heatmap"): grid[["community", "factor", "factor_name", "n", "mean",
                                             "band", "suppressed"]].round(3),
        tr("portfolio.sheet_layers"): layers[["community", "layer", "n", "mean", "band",
                                              "suppressed"]].round(3),
        tr("portfolio.sheet_time"): spread.round(3),
        tr("portfolio.sheet_bands"): portfolio.bands_over_time(
            means, data.too_few[data.too_few["community_id"].isin(ids)]
        ),
        tr("portfolio.sheet_forces"): top.assign(name=top["force_id"].map(force_names)).round(3),
        tr("portfolio.sheet_participation"): part.assign(
            community=part["community_id"].map(names)
        )[["community", "period", "responses", "personal_links", "personal_responses",
           "response_rate"]].round(3),
    }  # fmt: skip


def render(
    data: PortfolioData, now: pd.DataFrame, period: str, chosen: pd.DataFrame, lang: str
) -> None:
    st.caption(t("portfolio.export_intro", threshold=app().settings.anonymity_threshold))
    built = sheets(data, now, period, chosen, lang)
    stem = f"lc-health-portfolio-{period}"
    c1, c2 = st.columns(2)
    c1.download_button(t("review.export_csv"), data=lambda: to_csv(built),
                       file_name=f"{stem}.csv", mime="text/csv", icon=":material/table_view:",
                       on_click="ignore")  # fmt: skip
    c2.download_button(t("review.export_excel"), data=lambda: to_excel(built),
                       file_name=f"{stem}.xlsx", mime=EXCEL, icon=":material/grid_on:",
                       on_click="ignore")  # fmt: skip
