"""Problems with what someone entered, as message keys the UI translates (`error.<code>`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field; `code` names the message, `params` fill it in."""

    field: str
    code: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


class Invalid(ValueError):
    """Input that cannot be saved; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.code}" for p in problems))


def check(problems: list[Problem]) -> None:
    """Raise Invalid when there is any problem."""
    if problems:
        raise Invalid(problems)
