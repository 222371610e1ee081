"""The sections of a community's round review, as data: `SECTIONS` is one table (key, title,
the function that lays the section out, what of a round it shows) that serves the lead's review
and the policy maker's drill-down alike; `show` draws the tabs an audience may see
(disclosure.sees). Each section function takes the page's ReviewContext and only lays out:
figures come from metrics, charts from charts.

Adding a chart: compute it in metrics/ and draw it in charts/, add a section function here and
its line in SECTIONS, and its title (and captions) in the messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lc_health import charts
from lc_health.domain.disclosure import Audience, Part, hidden, sees, too_few_text
from lc_health.domain.i18n import format_number
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import period_label
from lc_health.domain.scoring import FACTOR, LAYER
from lc_health.metrics import breakdowns, forces, review, trends
from lc_health.ui.context import app, t
from lc_health.ui.review import data as review_data
from lc_health.ui.review import exports as review_exports
from lc_health.ui.review.data import comments as review_comments
from lc_health.ui.review.opening import ReviewContext
from lc_health.ui.widgets import (
    agreement,
    band_labels,
    band_text,
    count_text,
    interval_text,
    ranked,
    show_chart,
)


def _factor_label(instrument: Instrument, factor: int, lang: str) -> str:
    return f"{factor}. {instrument.factor_by_id[factor].short.get(lang)}"


def _tooltips() -> dict[str, str]:
    return {
        "factor": t("review.factor"),
        "layer": t("review.layer"),
        "mean": t("review.mean"),
        "n": t("common.respondents"),
        "band": t("communities.col_reading"),
        "low": t("review.ci_low"),
        "high": t("review.ci_high"),
        "x": t("review.axis_mean"),
    }


def by_layer(ctx: ReviewContext) -> None:
    st.caption(t("review.layer_intro", threshold=ctx.threshold))
    _layer_heatmap(ctx)
    st.caption(t("review.layer_legend", threshold=ctx.threshold))
    st.subheader(t("review.layer_indices"))
    st.caption(t("review.layer_not_ranked"))
    _layer_indices(ctx)


def _layer_heatmap(ctx: ReviewContext) -> None:
    instrument, lang, threshold = ctx.instrument, ctx.lang, ctx.threshold
    matrix = review.layer_matrix(ctx.view.scores, instrument, threshold)
    labels = band_labels()
    layer_names = {x.id: x.name.get(lang) for x in instrument.layers}
    frame = matrix.assign(
        factor_label=matrix["factor"].map(lambda f: _factor_label(instrument, f, lang)),
        layer_label=matrix["layer"].map(layer_names),
        band_label=matrix["band"].map(lambda b: labels.get(b, "") if isinstance(b, str) else ""),
        cell_text=[
            "" if not asked else too_few_text(threshold) if hidden else format_number(mean, lang)
            for asked, hidden, mean in zip(
                matrix["asked"], matrix["suppressed"], matrix["mean"], strict=True
            )
        ],
    )
    show_chart(
        charts.layer_heatmap(frame, lang=lang, band_labels=labels, titles=_tooltips()),
        theme=None,
        description=ranked(frame, t("review.axis_mean"), label=("factor_label", "layer_label")),
    )


def _layer_indices(ctx: ReviewContext) -> None:
    instrument, lang, threshold = ctx.instrument, ctx.lang, ctx.threshold
    labels = band_labels()
    layer_names = {x.id: x.name.get(lang) for x in instrument.layers}
    indices = review.layer_indices(ctx.view.scores, instrument, threshold)
    asked = review.layer_factors(instrument)
    factor_lists = indices["layer"].map(
        lambda x: ", ".join(_factor_label(instrument, f, lang) for f in asked.get(x, ()))
    )
    readings = [band_text(b, u) for b, u in zip(indices["band"], indices["uncertain"], strict=True)]
    bars = pd.DataFrame(
        {
            "label": indices["layer"].map(layer_names),
            "mean": indices["mean"],
            "band_label": indices["band"].map(
                lambda b: labels.get(b, "") if isinstance(b, str) else ""
            ),
            "band_text": readings,
            "factors": factor_lists,
            "n": indices["n"],
        }
    )
    tips = {
        "label": t("review.layer"),
        "mean": t("review.mean"),
        "band": t("communities.col_reading"),
        "n": t("common.respondents"),
        "factors": t("review.layer_factors"),
    }
    chart = charts.health_bars(
        bars,
        lang=lang,
        band_labels=labels,
        x_title=t("review.axis_mean"),
        tooltip_titles=tips,
        order=[layer_names[x.id] for x in instrument.layers],
    )
    show_chart(chart, theme=None, width="stretch", description=ranked(bars, t("review.axis_mean")))
    _layer_captions(ctx, indices, readings, factor_lists)


def _layer_captions(
    ctx: ReviewContext, indices: pd.DataFrame, readings: list[str], factor_lists: pd.Series
) -> None:
    lang, threshold = ctx.lang, ctx.threshold
    layer_names = {x.id: x.name.get(lang) for x in ctx.instrument.layers}
    records = indices.to_dict("records")
    for row, reading, factor_list in zip(records, readings, factor_lists, strict=True):
        name = layer_names[row["layer"]]
        if row["suppressed"]:
            figure = t("review.layer_hidden", layer=name, threshold=threshold)
        else:
            figure = t(
                "review.layer_figure",
                layer=name,
                mean=format_number(row["mean"], lang),
                interval=interval_text(row["ci_low"], row["ci_high"], lang),
                reading=reading,
            )
        st.caption(f"{figure} {t('review.layer_asks', factors=factor_list)}")
    if indices["uncertain"].eq(True).any():
        st.caption(t("band.uncertain_legend"))


def per_factor(ctx: ReviewContext) -> None:
    factors, instrument, lang, threshold = ctx.factors, ctx.instrument, ctx.lang, ctx.threshold
    st.caption(t("review.factor_intro"))
    shown = factors[~factors["suppressed"]].copy()
    shown["label"] = shown["factor"].map(lambda f: _factor_label(instrument, f, lang))
    if shown.empty:
        st.info(t("review.all_hidden", threshold=threshold))
        return
    answer_labels = [p.label.get(lang) for p in instrument.scale.points]
    shown["dk_text"] = shown["n_dk"].map(lambda n: t("review.dk_count", count=int(n)))
    tips = _tooltips() | {
        "share": t("review.share"),
        "answer": t("review.answer"),
        "x": t("review.axis_share"),
    }
    show_chart(
        charts.distribution(shown, lang=lang, answer_labels=answer_labels, titles=tips),
        theme=None,
        width="stretch",
        description=agreement(shown, answer_labels),
    )
    st.subheader(t("review.means_title"))
    labels = band_labels()
    shown["band_label"] = shown["band"].map(lambda b: labels.get(b, ""))
    show_chart(
        charts.means_with_intervals(shown, lang=lang, band_labels=labels, titles=_tooltips()),
        theme=None,
        width="stretch",
        description=ranked(shown, t("review.means_title")),
    )
    flagged = shown[shown["disagreement"]]
    if not flagged.empty:
        st.warning(
            t("review.disagreement", factors=", ".join(flagged["label"])),
            icon=":material/forum:",
        )
    _factor_table(shown, lang)
    hidden = factors[factors["suppressed"]]
    if not hidden.empty:
        names = ", ".join(_factor_label(instrument, f, lang) for f in hidden["factor"])
        st.caption(t("review.factors_hidden", threshold=threshold, factors=names))


def _factor_table(shown: pd.DataFrame, lang: str) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("review.factor"): shown["label"],
                t("review.mean"): shown["mean"].map(lambda v: format_number(v, lang)),
                t("review.ci"): [
                    interval_text(lo, hi, lang)
                    for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)
                ],
                "n": shown["n"],
                t("review.dont_know"): shown["n_dk"],
                t("communities.col_reading"): [
                    band_text(b, u) for b, u in zip(shown["band"], shown["uncertain"], strict=True)
                ],
                t("review.spread"): shown["disagreement"].map(
                    lambda d: t("review.wide") if d else ""
                ),
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if shown["uncertain"].eq(True).any():
        st.caption(t("band.uncertain_legend"))


def change(ctx: ReviewContext) -> None:
    view, changes, instrument, lang = ctx.view, ctx.changes, ctx.instrument, ctx.lang
    st.caption(t("review.change_rule", min_change=format_number(app().settings.min_change, lang)))
    if view.previous_period is None:
        st.info(t("review.no_previous"))
        return
    st.markdown(t("review.change_since", period=period_label(view.previous_period)))
    comparable = changes[changes["status"] != review.NOT_COMPARABLE].copy()
    comparable["label"] = comparable["key"].map(lambda k: _factor_label(instrument, int(k), lang))
    comparable = comparable.sort_values("difference")
    statuses = {
        s: t(f"change.{s}") for s in (review.IMPROVED, review.NO_CLEAR_CHANGE, review.DECLINED)
    }
    if not comparable.empty:
        tips = _tooltips() | {
            "difference": t("review.difference"),
            "status": t("review.status"),
            "x": t("review.axis_difference"),
        }
        show_chart(
            charts.change_chart(comparable, lang=lang, status_labels=statuses, titles=tips),
            theme=None,
            width="stretch",
            description=ranked(
                comparable, t("review.axis_difference"), value="difference", signed=True
            ),
        )
        st.caption(t("review.change_legend"))
    _change_table(ctx)


def _change_table(ctx: ReviewContext) -> None:
    view, instrument, lang = ctx.view, ctx.instrument, ctx.lang
    assert view.previous_period is not None
    table = ctx.changes.sort_values("key", key=lambda k: k.astype(int))
    table["label"] = table["key"].map(lambda k: _factor_label(instrument, int(k), lang))
    st.dataframe(
        pd.DataFrame(
            {
                t("review.factor"): table["label"],
                period_label(view.previous_period): table["previous"].map(
                    lambda v: format_number(v, lang)
                ),
                period_label(view.period): table["mean"].map(lambda v: format_number(v, lang)),
                t("review.difference"): table["difference"].map(
                    lambda v: format_number(v, lang, signed=True)
                ),
                t("review.status"): table["status"].map(lambda s: t(f"change.{s}")),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def force_field(ctx: ReviewContext) -> None:
    view, instrument, lang, threshold = ctx.view, ctx.instrument, ctx.lang, ctx.threshold
    st.caption(t("review.forces_intro", count=view.force_respondents))
    layers = {x.id: x.name.get(lang) for x in instrument.layers}
    choice = st.segmented_control(
        t("review.forces_layer"),
        ["", *layers],
        format_func=(layers | {"": t("review.all_layers")}).__getitem__,
        default="",
        key=f"forces_layer_{view.round_id}",
    )
    field = forces.force_field(
        view.forces,
        view.force_respondents,
        view.previous_forces,
        view.previous_force_respondents,
        instrument,
        threshold,
        layer=choice or None,
    )
    if not view.force_respondents:
        st.info(t("review.forces_hidden", threshold=threshold))
        return
    names = {f.id: f.name.get(lang) for f in instrument.forces}
    frame = field.assign(
        fac_label=field["facilitating"].map(lambda f: names.get(f, "") if f else ""),
        hin_label=field["hindering"].map(lambda f: names.get(f, "") if f else ""),
        fac_count_text=[
            count_text(n, total, before, total_before)
            for n, total, before, total_before in zip(
                field["fac_n"],
                field["respondents"],
                field["fac_n_before"],
                field["respondents_before"],
                strict=True,
            )
        ],
        hin_count_text=[
            count_text(n, total, before, total_before)
            for n, total, before, total_before in zip(
                field["hin_n"],
                field["respondents"],
                field["hin_n_before"],
                field["respondents_before"],
                strict=True,
            )
        ],
    )
    titles = {
        "x": t("review.forces_axis"),
        "facilitating": t("about.col_facilitating"),
        "hindering": t("about.col_hindering"),
        "share": t("review.recognised"),
        "count": t("review.force_count_title"),
    }
    chart = charts.force_field(frame, lang=lang, titles=titles)
    show_chart(chart, theme=None, width="stretch", description=_forces_text(frame, titles))
    if view.previous_period is not None and view.previous_force_respondents:
        st.caption(t("review.forces_change", period=period_label(view.previous_period)))


def _forces_text(frame: pd.DataFrame, titles: dict[str, str]) -> str:
    """The force field as text: the most and least recognised force on each side."""
    return " ".join(
        ranked(frame, titles[side], label=f"{side[:3]}_label", value=f"{side[:3]}_share", scale=100)
        for side in ("facilitating", "hindering")
    )


def trend(ctx: ReviewContext) -> None:
    data, instrument, lang, threshold = ctx.data, ctx.instrument, ctx.lang, ctx.threshold
    st.caption(t("review.trend_intro", threshold=threshold))
    layer_names = {x.id: x.name.get(lang) for x in instrument.layers}
    titles = {
        "y": t("review.axis_mean"),
        "period": t("review.period"),
        "mean": t("review.mean"),
        "n": t("common.respondents"),
        "action": t("review.action"),
        "version": t("review.trend_version"),
    }
    actions = data.actions.assign(period_label=data.actions["period"].map(period_label))
    comparable = review_data.comparable_at(data.rounds)
    for scope, heading, columns in (
        (LAYER, "review.trend_layers", 4),
        (FACTOR, "review.trend_factors", 4),
    ):
        frame = trends.community_trend(data.scores, data.rounds, scope, threshold, comparable)
        if frame["mean"].isna().all():
            continue
        if scope == LAYER:
            order = {x.id: i for i, x in enumerate(instrument.layers)}
            frame = frame.assign(
                panel=frame["key"].map(layer_names), panel_order=frame["key"].map(order)
            )
            marks = actions.iloc[0:0].assign(panel="", what="")
        else:
            frame = frame.assign(
                panel=frame["key"].map(lambda k: _factor_label(instrument, int(k), lang)),
                panel_order=frame["key"].astype(int),
            )
            marks = actions.assign(
                panel=actions["factor_id"].map(lambda f: _factor_label(instrument, f, lang))
            )
        frame = frame.assign(period_label=frame["period"].map(period_label))
        st.subheader(t(heading))
        show_chart(
            charts.small_multiples(
                frame,
                marks[["panel", "period_label", "what"]],
                lang=lang,
                columns=columns,
                titles=titles,
            ),
            theme=None,
            description=ranked(frame, t(heading), label=("panel", "period_label")),
        )
    st.caption(t("review.trend_legend"))
    if comparable:
        st.caption(t("review.trend_version_legend"))


def breakdown(ctx: ReviewContext) -> None:
    view, instrument, lang, threshold = ctx.view, ctx.instrument, ctx.lang, ctx.threshold
    st.caption(t("review.breakdown_intro", threshold=threshold))
    options = {
        "role": instrument.profile.roles,
        "organisation_type": instrument.profile.organisation_types,
    }
    for by, choices in options.items():
        labels = {o.id: o.label.get(lang) for o in choices}
        frame = breakdowns.published(view.groups, by, FACTOR)
        st.subheader(t(f"review.breakdown_{by}"))
        if frame.empty or frame["group"].nunique() < 2:
            st.info(t("review.breakdown_none", threshold=threshold))
            continue
        names = labels | {breakdowns.REMAINDER: t("review.other_groups")}
        frame = frame.assign(
            group=frame["group"].map(lambda g, names=names: names.get(g, g)),
            key=frame["key"].map(lambda k: _factor_label(instrument, int(k), lang)),
        )
        order = [_factor_label(instrument, f.id, lang) for f in instrument.factors]
        wide = breakdowns.by_group(frame, order)
        st.dataframe(wide.map(lambda v: format_number(v, lang)), width="stretch")


def comments(ctx: ReviewContext) -> None:
    view = ctx.view
    threshold = app().settings.comment_threshold
    if not ctx.sees_comments:
        st.info(t("review.comments_not_for_you"))
        return
    texts = review_comments(app().settings.database_url, view.round_id)
    if not texts and hidden(int(view.publication["counted"]), threshold):
        st.info(t("review.comments_hidden", threshold=threshold))
        return
    st.caption(t("review.comments_intro", count=len(texts)))
    if not texts:
        st.info(t("review.no_comments"))
    for text in texts:
        with st.container(border=True):
            st.text(text)  # plain text: never Markdown or HTML


@dataclass(frozen=True)
class Section:
    """One tab of the round review: shown to an audience that sees all its `parts`."""

    key: str
    title: str  # message key
    show: Callable[[ReviewContext], None]
    parts: frozenset[Part] = frozenset({Part.figures})

    def for_audience(self, audience: Audience) -> bool:
        return all(sees(audience, part) for part in self.parts)


SECTIONS: tuple[Section, ...] = (
    Section("layers", "review.tab_layers", by_layer),
    Section("factors", "review.tab_factors", per_factor),
    Section("change", "review.tab_change", change),
    Section("forces", "review.tab_forces", force_field),
    Section("trends", "review.tab_trends", trend),
    Section("breakdowns", "review.tab_breakdowns", breakdown),
    Section("comments", "review.tab_comments", comments, frozenset({Part.comments})),
    # The export has the lead's actions in it (documents.registry.ROUND_REPORT).
    Section(
        "export", "review.tab_export", review_exports.render, frozenset({Part.export, Part.actions})
    ),
)


def sections_for(audience: Audience) -> list[Section]:
    return [s for s in SECTIONS if s.for_audience(audience)]


def show(ctx: ReviewContext, *, lazy: bool = True) -> None:
    """The round's sections as tabs for the context's audience. lazy: only the open tab is
    drawn, and which one is open is kept in the URL (the lead's review); otherwise all are."""
    shown = sections_for(ctx.audience)
    titles = [t(s.title) for s in shown]
    tabs = st.tabs(titles, key="tab", bind="query-params") if lazy else st.tabs(titles)
    for section, tab in zip(shown, tabs, strict=True):
        with tab:
            if not lazy or tab.open:
                section.show(ctx)
