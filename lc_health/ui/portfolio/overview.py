"""The policy maker's portfolio: communities compared by factor, layer, time, forces and
participation, filtered by period, sector, region and phase (all kept in the URL)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.charts import portfolio as pcharts
from lc_health.domain.disclosure import too_few_text
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument_versions import comparable_scopes
from lc_health.domain.periods import period_label
from lc_health.metrics import forces as mforces
from lc_health.metrics import portfolio
from lc_health.store.models import Role
from lc_health.ui import navigation
from lc_health.ui.context import app, language, publish_due, read_url, t
from lc_health.ui.guard import require
from lc_health.ui.narrow import narrowed
from lc_health.ui.portfolio import exports as portfolio_exports
from lc_health.ui.portfolio.data import (
    PortfolioData,
    force_totals,
    load,
    period_means,
    with_previous,
)
from lc_health.ui.widgets import band_labels, demo_notice, ranked, show_chart

ROWS_PER_PAGE = 40


def _filters(data: PortfolioData) -> tuple[str, pd.DataFrame]:
    """The period and the communities that pass the filters."""
    periods = data.periods
    communities = data.communities
    c1, c2, c3, c4 = st.columns(4)
    period = c1.selectbox(
        t("portfolio.period"),
        periods,
        index=len(periods) - 1,
        format_func=period_label,
        key="period",
        bind="query-params",
    )
    chosen = communities
    for column, widget, label in (
        ("sector", c2, "portfolio.sector"),
        ("region", c3, "portfolio.region"),
        ("phase", c4, "portfolio.phase"),
    ):
        values = sorted(v for v in communities[column].unique() if v)
        names = {v: t(f"phase.{v}") if column == "phase" else v for v in values}
        picked = widget.multiselect(
            t(label),
            values,
            format_func=names.__getitem__,
            key=column,
            bind="query-params",
            placeholder=t("portfolio.all"),
        )
        if picked:
            chosen = chosen[chosen[column].isin(picked)]
    return str(period), chosen


def _heatmap_rows(
    grid: pd.DataFrame, names: dict[int, str], factor_names: dict[int, str]
) -> tuple[list[int], list[int]]:
    """The sort choice and the page of rows: all communities in order, and those shown."""
    sort_by = st.selectbox(
        t("portfolio.sort_by"),
        list(factor_names),
        format_func=factor_names.__getitem__,
        key="sort",
        bind="query-params",
    )
    order = portfolio.order_by_factor(grid, sort_by, list(names))
    pages = max(1, -(-len(order) // ROWS_PER_PAGE))
    page = st.pagination(pages, key="page") if pages > 1 else 1
    return order, order[(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]


def _heatmap_tab(
    now: pd.DataFrame, period: str, chosen: pd.DataFrame, lang: str, threshold: int
) -> None:
    instrument = app().registry.latest()
    grid = portfolio.heatmap(now, period)
    grid = grid[grid["community_id"].isin(chosen["community_id"])]
    if grid.empty:
        st.info(t("portfolio.no_data", period=period_label(period)))
        return
    names = dict(zip(chosen["community_id"], chosen["name"], strict=True))
    factor_names = {0: t("communities.col_health")} | {
        f.id: f"{f.id}. {f.short.get(lang)}" for f in instrument.factors
    }
    order, rows = _heatmap_rows(grid, names, factor_names)
    grid = grid[grid["community_id"].isin(rows)]
    labels = band_labels()
    frame = grid.assign(
        community=grid["community_id"].map(names),
        factor_label=grid["factor"].map(factor_names),
        asked=True,
        band_label=grid["band"].map(lambda b: labels.get(b, "") if isinstance(b, str) else ""),
        cell_text=[
            too_few_text(threshold) if hidden else format_number(mean, lang)
            for hidden, mean in zip(grid["suppressed"], grid["mean"], strict=True)
        ],
    )
    frame["community"] = pd.Categorical(frame["community"], [names[c] for c in rows])
    frame = frame.sort_values(["community", "factor"])
    frame["community"] = frame["community"].astype(str)
    titles = {
        "factor": t("communities.col_name"),
        "layer": t("review.factor"),
        "mean": t("review.mean"),
        "n": t("common.respondents"),
        "band": t("communities.col_reading"),
    }
    st.caption(t("portfolio.heatmap_intro", threshold=threshold, count=len(order)))
    show_chart(
        charts.layer_heatmap(
            frame,
            lang=lang,
            band_labels=labels,
            titles=titles,
            row="community",
            column="factor_label",
            cell_width=62,
        ),
        theme=None,
        description=ranked(frame, t("review.mean"), label=("community", "factor_label")),
    )
    st.subheader(t("portfolio.layer_profiles"))
    _layer_profiles(now, period, rows, names, lang, threshold, titles)


def _layer_profiles(
    now: pd.DataFrame,
    period: str,
    rows: list[int],
    names: dict[int, str],
    lang: str,
    threshold: int,
    titles: dict[str, str],
) -> None:
    """The layer indices of the communities on this page of the heatmap, in its order."""
    instrument = app().registry.latest()
    labels = band_labels()
    layers = portfolio.layer_profiles(now, period)
    layers = layers[layers["community_id"].isin(rows)]
    layer_names = {x.id: x.name.get(lang) for x in instrument.layers}
    profile = layers.assign(
        community=layers["community_id"].map(names),
        layer_label=layers["layer"].map(layer_names),
        asked=True,
        band_label=layers["band"].map(lambda b: labels.get(b, "") if isinstance(b, str) else ""),
        cell_text=[
            too_few_text(threshold) if hidden else format_number(mean, lang)
            for hidden, mean in zip(layers["suppressed"], layers["mean"], strict=True)
        ],
    )
    if not profile.empty:
        profile["community"] = pd.Categorical(profile["community"], [names[c] for c in rows])
        order_layers = {x.id: i for i, x in enumerate(instrument.layers)}
        profile = profile.assign(o=profile["layer"].map(order_layers)).sort_values(
            ["community", "o"]
        )
        profile["community"] = profile["community"].astype(str)
        show_chart(
            charts.layer_heatmap(
                profile,
                lang=lang,
                band_labels=labels,
                titles=titles,
                row="community",
                column="layer_label",
            ),
            theme=None,
            description=ranked(profile, t("review.mean"), label=("community", "layer_label")),
        )


def _spread_tab(now_means: pd.DataFrame, period: str, chosen: pd.DataFrame, lang: str) -> None:
    instrument = app().registry.latest()
    means = now_means[now_means["community_id"].isin(chosen["community_id"])]
    now = means[(means["period"] == period) & (means["scope"] == "factor") & ~means["suppressed"]]
    if now.empty:
        st.info(t("portfolio.no_data", period=period_label(period)))
        return
    names = dict(zip(chosen["community_id"], chosen["name"], strict=True))
    kept = st.session_state.get("highlight", st.query_params.get("highlight"))
    kept_id = int(kept) if kept is not None and str(kept).isdecimal() else None
    shown = {c: names[c] for c in now["community_id"].unique()}
    options = narrowed(shown, "highlight_search", kept_id)
    highlight = st.selectbox(
        t("portfolio.highlight"),
        options,
        format_func=names.__getitem__,
        key="highlight",
        bind="query-params",
    )
    labels = band_labels()
    factor_label = {str(f.id): f"{f.id}. {f.short.get(lang)}" for f in instrument.factors}
    spread = portfolio.factor_distribution(now)
    spread = spread.assign(
        label=spread["key"].map(factor_label),
        band_label=spread["band"].map(lambda b: labels.get(b, "")),
        order=spread["key"].astype(int),
    ).sort_values("order")
    mine = now[now["community_id"] == highlight]
    mine = mine.assign(label=mine["key"].map(factor_label), community=names.get(highlight, ""))
    st.caption(t("portfolio.spread_intro", count=now["community_id"].nunique()))
    titles = {
        "x": t("review.axis_mean"),
        "factor": t("review.factor"),
        "community": t("communities.col_name"),
        "mean": t("review.mean"),
        "median": t("portfolio.median"),
        "communities": t("portfolio.communities_n"),
        "middle": t("portfolio.middle_half"),
        "outer": t("portfolio.most_communities"),
    }
    show_chart(
        pcharts.factor_spread(spread, mine, lang=lang, band_labels=labels, titles=titles),
        theme=None,
        width="stretch",
        description=ranked(spread, titles["median"], value="median"),
    )


def _comparable_at(instruments: pd.DataFrame) -> dict[str, set[tuple[str, str]]]:
    """For each period where the chosen communities' instrument versions changed: the scopes
    whose statements are the same in every old and new version (others break their line)."""
    registry = app().registry
    out: dict[str, set[tuple[str, str]]] = {}
    for period, before, now in portfolio.instrument_changes(instruments):
        shared: set[tuple[str, str]] | None = None
        for old in before:
            for new in now:
                try:
                    found = comparable_scopes(registry.get(*old), registry.get(*new))
                except KeyError:
                    found = set()
                shared = found if shared is None else shared & found
        out[period] = shared or set()
    return out


def _time_tab(data: PortfolioData, chosen: pd.DataFrame, lang: str) -> None:
    instrument = app().registry.latest()
    means = data.means[data.means["community_id"].isin(chosen["community_id"])]
    st.caption(t("portfolio.time_intro"))
    layer_names = {x.id: x.name.get(lang) for x in instrument.layers}
    used = data.instruments[data.instruments["community_id"].isin(chosen["community_id"])]
    comparable = _comparable_at(used)
    spread = pd.concat(
        [
            portfolio.with_segments(
                portfolio.spread_over_time(means, "health"), "health", comparable
            ).assign(panel=t("communities.col_health"), panel_order=0),
            portfolio.with_segments(
                portfolio.spread_over_time(means, "layer"), "layer", comparable
            ).pipe(
                lambda f: f.assign(
                    panel=f["key"].map(layer_names),
                    panel_order=f["key"].map(
                        {x.id: i + 1 for i, x in enumerate(instrument.layers)}
                    ),
                )
            ),
        ],
        ignore_index=True,
    )
    if spread.empty:
        st.info(t("portfolio.no_time"))
        return
    frame = spread.rename(
        columns={"median": "mean", "q1": "ci_low", "q3": "ci_high", "communities": "n"}
    )
    frame["period_label"] = frame["period"].map(period_label)
    no_actions = pd.DataFrame(columns=["panel", "period_label", "what"])
    titles = {
        "y": t("portfolio.median_axis"),
        "period": t("review.period"),
        "mean": t("portfolio.median"),
        "n": t("portfolio.communities_n"),
        "action": t("review.action"),
        "version": t("review.trend_version"),
    }
    show_chart(
        charts.small_multiples(
            frame, no_actions, lang=lang, columns=5, titles=titles, panel_width=150
        ),
        theme=None,
        description=ranked(frame, titles["mean"], label=("panel", "period_label")),
    )
    st.subheader(t("portfolio.bands_title"))
    too_few = data.too_few[data.too_few["community_id"].isin(chosen["community_id"])]
    bands = portfolio.bands_over_time(means, too_few)
    bands["period_label"] = bands["period"].map(period_label)
    labels = band_labels() | {portfolio.TOO_FEW: t("portfolio.too_few_short")}
    chart = pcharts.bands_per_period(
        bands, lang=lang, labels=labels, titles={"y": t("portfolio.communities_n")}
    )
    show_chart(chart, theme=None, width="stretch", description=_bands_text(bands, labels))


def _bands_text(bands: pd.DataFrame, labels: dict[str, str]) -> str:
    """The bands over time as text: the largest and smallest group of communities."""
    named = bands.assign(band_text=bands["band"].map(labels))
    what = t("portfolio.communities_n")
    return ranked(named, what, label=("period_label", "band_text"), value="communities", decimals=0)


def _forces_tab(
    periods: list[str], period: str, chosen: pd.DataFrame, lang: str, threshold: int
) -> None:
    ctx = app()
    instrument = ctx.registry.latest()
    layers = {x.id: x.name.get(lang) for x in instrument.layers}
    layer = st.segmented_control(
        t("review.forces_layer"),
        ["", *layers],
        format_func=(layers | {"": t("review.all_layers")}).__getitem__,
        default="",
        key="forces_layer",
    )
    names = {f.id: f.name.get(lang) for f in instrument.forces}
    totals, respondents = force_totals(
        read_url(),
        frozenset(int(c) for c in chosen["community_id"]),
        with_previous(periods, period),
    )
    history = mforces.portfolio_shares(totals, respondents, instrument)
    now = history[history["period"] == period]
    if now.empty or not (now["respondents"] > 0).any():
        st.info(t("portfolio.forces_none", threshold=threshold))
        return
    if layer:
        now = now[now["layer"] == layer]
    # The most recognised of each kind, side by side in one chart.
    shown = pd.concat([now[now["kind"] == kind].head(8) for kind in ("facilitating", "hindering")])
    shown = shown.assign(label=shown["force_id"].map(names))
    count = int(respondents.loc[respondents["period"] == period, "communities"].iloc[0])
    st.caption(t("portfolio.forces_intro", count=count, threshold=threshold))
    kinds = {"facilitating": t("about.col_facilitating"), "hindering": t("about.col_hindering")}
    show_chart(
        pcharts.top_forces(
            shown, lang=lang, kind_labels=kinds, titles={"x": t("review.recognised")}
        ),
        theme=None,
        width="stretch",
        description=ranked(
            shown, t("review.recognised") + " (%)", value="share", scale=100, decimals=0
        ),
    )
    st.subheader(t("portfolio.forces_shift"))  # between this period and the one before
    wide = mforces.shares_by_period(history, list(shown["force_id"]))
    wide.index = [names[f] for f in wide.index]
    wide.columns = [period_label(p) for p in wide.columns]
    st.dataframe(wide.map(lambda v: "" if pd.isna(v) else f"{v:.0%}"), width="stretch")


def _participation_tab(data: PortfolioData, chosen: pd.DataFrame) -> None:
    part = data.participation[data.participation["community_id"].isin(chosen["community_id"])]
    names = dict(zip(chosen["community_id"], chosen["name"], strict=True))
    st.caption(t("portfolio.participation_intro"))
    table = portfolio.participation_grid(part)
    table.index = [names.get(c, str(c)) for c in table.index]
    table.columns = [period_label(p) for p in table.columns]
    st.dataframe(table.sort_index(), width="stretch")


def _drill(chosen: pd.DataFrame, lang: str) -> None:
    """Open one community's drill-down."""
    names = dict(zip(chosen["community_id"], chosen["name"], strict=True))
    if not names:
        return
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    options = narrowed(names, "drill_search")
    target = c1.selectbox(t("portfolio.drill"), options, format_func=names.__getitem__)
    if c2.button(t("portfolio.open"), icon=":material/open_in_new:", key="drill-open"):
        st.switch_page(
            navigation.page("portfolio_community"),
            query_params={"community": str(target), "lang": lang},
        )


def render() -> None:
    viewer = require(Role.policy, Role.admin)
    ctx = app()
    lang = language()
    threshold = ctx.settings.anonymity_threshold
    st.title(t("portfolio.title"))
    demo_notice()
    publish_due()
    with st.spinner(t("common.loading")):  # shown only when loading takes over half a second
        data = load(read_url(), viewer.community_ids)
    if data.means.empty:
        st.info(t("portfolio.empty"))
        return
    period, chosen = _filters(data)
    now = period_means(read_url(), viewer.community_ids, threshold, period)
    st.caption(t("portfolio.privacy", threshold=threshold))
    sections: list[tuple[str, Callable[[], None]]] = [
        ("portfolio.tab_heatmap", lambda: _heatmap_tab(now, period, chosen, lang, threshold)),
        ("portfolio.tab_spread", lambda: _spread_tab(now, period, chosen, lang)),
        ("portfolio.tab_time", lambda: _time_tab(data, chosen, lang)),
        (
            "portfolio.tab_forces",
            lambda: _forces_tab(data.periods, period, chosen, lang, threshold),
        ),
        ("portfolio.tab_participation", lambda: _participation_tab(data, chosen)),
        ("portfolio.tab_export", lambda: portfolio_exports.render(data, now, period, chosen, lang)),
    ]
    tabs = st.tabs([t(title) for title, _ in sections], key="tab", bind="query-params")
    for (_, draw), tab in zip(sections, tabs, strict=True):
        with tab:
            if tab.open:
                draw()
    st.divider()
    _drill(chosen, lang)
