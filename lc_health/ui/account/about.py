"""About: the model behind the dashboard (twelve factors, four layers, forces) and its source."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lc_health.domain.instrument import Instrument
from lc_health.ui.context import app, language, t
from lc_health.ui.widgets import demo_notice


def _factor_cards(instrument: Instrument, lang: str, group: str) -> None:
    """The group's factors as cards, two to a row: number and name, theme, meaning."""
    themes = {th.id: th.name.get(lang) for th in instrument.themes}
    factors = [f for f in instrument.factors if f.group == group]
    for start in range(0, len(factors), 2):
        for column, factor in zip(st.columns(2), factors[start : start + 2], strict=False):
            with column.container(border=True):
                st.markdown(f"**{factor.id}. {factor.name.get(lang)}**")
                if factor.theme:
                    st.caption(themes[factor.theme])
                st.write(factor.explanation.get(lang))


def _forces_table(instrument: Instrument, lang: str) -> pd.DataFrame:
    """Facilitating factors beside their hindering mirror; unpaired ones on rows of their own."""
    layers = {x.id: x.name.get(lang) for x in instrument.layers}
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for force in instrument.forces_of("facilitating"):
        mirror = instrument.force_by_id.get(force.mirror or "")
        rows.append(
            {
                t("about.col_facilitating"): force.name.get(lang),
                t("about.col_hindering"): mirror.name.get(lang) if mirror else "",
                t("about.col_layer"): layers[force.layer],
            }
        )
        if mirror:
            seen.add(mirror.id)
    for force in instrument.forces_of("hindering"):
        if force.id not in seen:
            rows.append(
                {
                    t("about.col_facilitating"): "",
                    t("about.col_hindering"): force.name.get(lang),
                    t("about.col_layer"): layers[force.layer],
                }
            )
    return pd.DataFrame(rows)


def render() -> None:
    ctx = app()
    lang = language()
    instrument = ctx.registry.latest()
    st.title(t("about.title"))
    demo_notice()
    st.markdown(t("about.intro"))

    st.header(t("about.factors_heading"))
    st.markdown(t("about.factors_intro"))
    for group in instrument.groups:
        st.subheader(group.name.get(lang))
        _factor_cards(instrument, lang, group.id)

    st.header(t("about.layers_heading"))
    st.markdown(t("about.layers_intro"))
    columns = st.columns(len(instrument.layers))
    for column, layer in zip(columns, instrument.layers, strict=True):
        with column.container(border=True):
            st.markdown(f"**{layer.name.get(lang)}**")
            st.caption(layer.description.get(lang))

    st.header(t("about.forces_heading"))
    st.markdown(t("about.forces_intro"))
    st.table(_forces_table(instrument, lang).set_index(t("about.col_facilitating")))

    st.header(t("about.reading_heading"))
    st.markdown(t("about.reading_body", threshold=ctx.settings.anonymity_threshold))

    st.header(t("about.source_heading"))
    st.markdown(t("about.source_body"))
