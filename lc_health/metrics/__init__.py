"""Pure aggregation: DataFrames in, DataFrames out. Anonymity suppression happens here, once,
for every page and export. Submodules by topic; the names used across the app are re-exported.
"""

from lc_health.metrics.core import (
    BANDS,
    CONCERN,
    DISCUSS,
    STRONG,
    band,
    feedback,
    item_map,
    latest_health,
    respondent_factor_scores,
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
    "feedback",
    "item_map",
    "latest_health",
    "respondent_factor_scores",
    "score_sums_from_answers",
    "summarise_sums",
    "t975",
]
