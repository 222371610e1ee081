"""Small display pieces shared by pages."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from lc_health.charts import describe
from lc_health.domain.i18n import format_number
from lc_health.metrics import BANDS
from lc_health.ui.context import demo_data_shown, language, t


def demo_notice() -> None:
    """Say plainly that the data on screen is fictional demo data."""
    if demo_data_shown():
        st.info(t("common.demo_notice"), icon=":material/science:")


def band_labels() -> dict[str, str]:
    """Reading band -> its name in the page language."""
    return {band: t(f"band.{band}") for band in BANDS}


def band_text(band: object, uncertain: object, *, short: bool = False) -> str:
    """A reading band in words, marked "(uncertain)" when its 95% interval reaches into another
    band (so the mark is in the text, not only in a colour); '' without a band."""
    if not isinstance(band, str):
        return ""
    words = t(f"band_short.{band}" if short else f"band.{band}")
    return t("band.uncertain", band=words) if is_marked(uncertain) else words


def is_marked(flag: object) -> bool:
    """Whether a flag from a boolean column is set: True or NumPy's True; NA and NaN (no
    figure) are not."""
    return flag is True or flag is np.True_


def interval_text(low: object, high: object, lang: str) -> str:
    """A 95% interval as "low – high" with one decimal; '' when it is missing."""
    if not isinstance(low, float | int) or not isinstance(high, float | int):
        return ""
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{format_number(float(low), lang)} – {format_number(float(high), lang)}"


def _whole(value: object) -> int | None:
    """A count from a column of counts; None for NA."""
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and not np.isnan(value):
        return int(value)
    return None


def count_text(n: object, total: object, n_before: object, total_before: object) -> str:
    """How many recognise a force, e.g. "5 of 9, was 3 of 8" ("5 of 9" without an earlier
    round); '' when the counts are not published. Counts, not share points: at a handful of
    respondents one person moves a share by many points."""
    now, of = _whole(n), _whole(total)
    if now is None or of is None:
        return ""
    text = t("review.force_count", n=now, total=of)
    then, of_then = _whole(n_before), _whole(total_before)
    if then is None or of_then is None:
        return text
    return t("review.force_count_was", now=text, n=then, total=of_then)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$&:")


def md_escape(text: str) -> str:
    """Text that st.markdown shows literally: names, emails and other data people typed."""
    return "".join(f"\\{ch}" if ch in _MARKDOWN_SPECIALS else ch for ch in text)


# Altair checks a chart against the whole Vega-Lite schema each time it is turned into JSON: on
# the portfolio page that is about a third of a second per view. The tests set this, so every
# chart a test draws is checked; a page view in production skips the check.
CHECK_CHARTS = False


def show_chart(chart: Any, *, description: str, **kwargs: Any) -> None:
    """st.altair_chart, without the schema check unless CHECK_CHARTS is set; the description
    (lc_health.charts.describe) names the chart for screen readers and is shown under it."""
    chart = describe.named(chart, description)
    if not CHECK_CHARTS:
        # Streamlit calls chart.to_dict(); Altair's own __setattr__ would store it as a
        # chart property, so set the instance attribute directly.
        object.__setattr__(chart, "to_dict", partial(type(chart).to_dict, chart, validate=False))
    st.altair_chart(chart, **kwargs)
    st.caption(description)


# Streamlit draws the chosen option of a segmented control or pills (the language switch, force
# pills) in the primary colour: 2.4:1 on the dark theme's background, below WCAG AA, and no
# colour can pass on both the background and under a primary button's white text. The choice
# shows in the text colour instead, in bold, on its tinted background. Long options (force pills
# on a phone) wrap instead of being cut off with "…".
_BASE_CSS = """<style>
[data-testid="stButtonGroup"] button[data-selected="true"] {
  color: inherit !important; font-weight: 600;
}
[data-testid="stButtonGroup"] button { max-width: 100%; height: auto; }
[data-testid="stButtonGroup"] button .stMarkdownEllipsis,
[data-testid="stButtonGroup"] button p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
</style>"""


def base_style() -> None:
    """The app's few style rules on top of Streamlit's theme (every page)."""
    st.html(_BASE_CSS)


def ranked(frame: pd.DataFrame, what: str, **options: Any) -> str:
    """A chart's description in the page language (describe.frame_ranking)."""
    return describe.frame_ranking(frame, what, lang=language(), **options)


def counted(frame: pd.DataFrame, what: str, *, label: str, value: str) -> str:
    """A chart's description for counts in the page language: the total and the largest."""
    return describe.total(
        list(frame[label].astype(str)), list(frame[value]), lang=language(), what=what
    )


def agreement(frame: pd.DataFrame, answer_labels: list[str]) -> str:
    """A distribution chart's description in the page language (describe.agreement)."""
    return describe.agreement(frame, answer_labels, lang=language())
