"""The only door to the database: the tables (models), engines, sessions and migrations (db,
migrations/), and every query. Nothing outside this package writes SQL (tests/test_layers.py).

A function takes its session (or engine, or connection) first and every other argument by name
(tests/test_signatures.py). Reads return tidy DataFrames or typed models; queries are always
parameterised. Audit records are written by services, in the same session as their change.
"""

from collections.abc import Iterable


def ids(values: Iterable[int]) -> list[int]:
    """Distinct ids as plain Python ints, sorted (pandas and numpy ints cannot be bound)."""
    return sorted({int(v) for v in values})
