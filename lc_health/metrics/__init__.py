"""Pure aggregation: DataFrames in, DataFrames out. What may be published is decided by
lc_health.domain.disclosure and applied once, when a round is published (metrics.publication); the
rest works on published figures. Submodules by topic; names used across the app re-exported.
"""

from lc_health.metrics.core import (
    BANDS,
    CONCERN,
    DISCUSS,
    STRONG,
    band,
    feedback_published,
    item_map,
    latest_health,
    score_sums_from_answers,
    summarise_sums,
    t975,
)

__all__ = [
    "BANDS",
    "CONCERN",
    "DISCUSS",
    "STRONG",
    "band",
    "feedback_published",
    "item_map",
    "latest_health",
    "score_sums_from_answers",
    "summarise_sums",
    "t975",
]
