"""Altair chart builders: a DataFrame in, a chart out (pure; no Streamlit). One module per kind
of picture; the theme and shared configuration are in core."""

from lc_health.charts.core import feedback_chart, health_bars
from lc_health.charts.forces import force_field
from lc_health.charts.review import (
    change_chart,
    distribution,
    layer_heatmap,
    means_with_intervals,
    participation_days,
    participation_progress,
)
from lc_health.charts.trends import small_multiples

__all__ = [
    "change_chart",
    "distribution",
    "feedback_chart",
    "force_field",
    "health_bars",
    "layer_heatmap",
    "means_with_intervals",
    "participation_days",
    "participation_progress",
    "small_multiples",
]
