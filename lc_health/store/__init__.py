"""Every read and write of the database: keyword-only functions taking an explicit session.

Reads return tidy DataFrames or typed models; queries are always parameterised.
"""

from collections.abc import Iterable


def ids(values: Iterable[int]) -> list[int]:
    """Distinct ids as plain Python ints, sorted (pandas and numpy ints cannot be bound)."""
    return sorted({int(v) for v in values})
