"""Quarterly periods such as `2026-Q3`: parsing, ordering, dates and display."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter."""

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4 or not 1900 <= self.year <= 9999:
            raise ValueError(f"not a quarter: {self.year}-Q{self.quarter}")

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-Q3' -> Period(2026, 3); ValueError for anything else."""
        match = _PATTERN.match(text.strip().upper())
        if match is None:
            raise ValueError(f"'{text}' is not a period like 2026-Q3")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Period:
        return Period(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> Period:
        return Period(self.year - (self.quarter == 1), (self.quarter - 2) % 4 + 1)

    def through(self, last: Period) -> Iterator[Period]:
        """This period up to and including last."""
        current = self
        while current <= last:
            yield current
            current = current.next()

    @property
    def label(self) -> str:
        """'Q3 2026', the form shown to people."""
        return f"Q{self.quarter} {self.year}"


def period_label(text: str) -> str:
    """'2026-Q3' -> 'Q3 2026'; other text unchanged."""
    try:
        return Period.parse(text).label
    except ValueError:
        return text
