"""The import page's value mapping: another tool's answer words or codes (detected in the
statement columns) matched to the 1-5 scale, "don't know" or blank, with a preview of what each
becomes before anything is stored. The suggestions come from services.import_values."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from lc_health.domain.instrument import Instrument
from lc_health.services import import_values
from lc_health.ui.context import language, t


def _target_label(instrument: Instrument, lang: str) -> dict[int | None, str]:
    labels: dict[int | None, str] = {None: t("admin_import.values_choose")}
    for point in instrument.scale.points:
        labels[point.value] = f"{point.value} · {point.label.get(lang)}"
    labels[import_values.DONT_KNOW] = instrument.scale.dont_know.get(lang)
    labels[import_values.BLANK] = t("admin_import.values_blank")
    return labels


def value_mapping(
    frame: pd.DataFrame, mapping: Mapping[str, str | None], instrument: Instrument, key: str
) -> dict[str, int]:
    """A choice per distinct answer in the statement columns, when they are not plain 1-5
    scores; the chosen mapping (value -> target) for importing.validate."""
    counts = import_values.distinct_values(frame, mapping, instrument)
    values = sorted(counts)
    if not import_values.needs_mapping(values):
        return {}
    st.subheader(t("admin_import.values_title"))
    if len(values) > import_values.MAX_DISTINCT:
        st.warning(
            t("admin_import.values_too_many", found=len(values), max=import_values.MAX_DISTINCT),
            icon=":material/warning:",
        )
        return {}
    st.caption(t("admin_import.values_help"))
    suggested = import_values.suggest_values(values, instrument)
    labels = _target_label(instrument, language())
    options = list(labels)
    chosen: dict[str, int] = {}
    grid = st.columns(3)
    for n, value in enumerate(values):
        with grid[n % 3]:
            target = st.selectbox(
                value,  # a label is plain text in Streamlit, never Markdown
                options,
                index=options.index(suggested.get(value)),
                format_func=labels.__getitem__,
                key=f"{key}_value_{n}",
            )
        if target is not None:
            chosen[value] = target
    _preview(values, counts, chosen, labels)
    return chosen


def _preview(
    values: list[str],
    counts: Mapping[str, int],
    chosen: Mapping[str, int],
    labels: Mapping[int | None, str],
) -> None:
    """What every value becomes, and how often it occurs, before anything is stored."""
    st.dataframe(
        pd.DataFrame(
            {
                t("admin_import.values_col_value"): values,
                t("admin_import.values_col_count"): [counts[v] for v in values],
                t("admin_import.values_col_becomes"): [labels[chosen.get(v)] for v in values],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    open_values = [v for v in values if v not in chosen]
    if open_values:
        st.warning(t("admin_import.values_open", count=len(open_values)), icon=":material/help:")
