"""The benchmark's four sizes of portfolio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """How much synthetic data to generate."""

    name: str
    communities: int
    rounds: int = 12
    respondents: int = 25  # per round, on average

    @property
    def people(self) -> int:
        """Personal links per community: a round samples its respondents from these."""
        return self.respondents + self.respondents // 5


SCALES: dict[str, Scale] = {
    "S": Scale("S", communities=10),
    "M": Scale("M", communities=100),
    "L": Scale("L", communities=1000),
    "XL": Scale("XL", communities=10_000),
}
