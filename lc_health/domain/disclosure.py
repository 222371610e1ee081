"""The disclosure policy: the one place that decides whether a figure is published, for whom,
and at what precision. Nothing else compares a count with the anonymity threshold.

The rules, in plain words (docs/disclosure.md says them for a privacy officer):

1. **Only closed rounds have figures.** A round's figures are computed once, when it closes,
   and stored (the Published* tables). While it is open, its lead sees participation only.
2. **Small groups leave no trace.** A statement rated by fewer than `threshold` counted
   respondents is dropped from the round before anything is computed: its answers are in no
   mean, distribution, index, breakdown or change, so nothing published moves when they do.
   A figure (factor, cell, layer, health index, breakdown group) needs `threshold` counted
   respondents of its own, else it is absent.
3. **Who counts.** Where a round has personal links, responses through its open link are shown
   in the figures but do not count towards the threshold (a setting), so a few made-up
   open-link responses cannot lift one real person's answers into view.
4. **Breakdowns** show a group only when it and everyone not shown each reach the threshold,
   so no hidden group follows from the total by subtraction (metrics.breakdowns).
5. **Republishing** a reopened round needs at least `threshold` new counted responses since
   the last publication; until then the published figures stay as they were.
6. **Precision**: pages and documents show means with one decimal, banded as shown; the JSON
   export gives full precision of the same published figures.
7. **Audiences**: leads see their communities' figures, comments and actions; policy makers
   see figures and participation; participants see their community's published picture and
   the actions it agreed (what, status, by when; never who);
   administrators see what a lead sees, for every community, and whether a personal link
   responded, never what it answered.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

# Never configurable below this (README, Settings).
THRESHOLD_FLOOR = 3
DISPLAY_DECIMALS = 1
# The health index weighs the twelve factors equally; a respondent counts in it only with
# scores on at least this share of the factors (9 of 12 by default, never fewer than 6).
FACTORS_IN_MODEL = 12


class Channel(StrEnum):
    """How a response came in."""

    personal = "personal"
    open_link = "open_link"
    paper = "paper"
    imported = "imported"


class Audience(StrEnum):
    lead = "lead"
    policy = "policy"
    participant = "participant"
    admin = "admin"


class Part(StrEnum):
    """What of a round an audience may see."""

    figures = "figures"
    comments = "comments"
    actions = "actions"
    participation = "participation"
    link_status = "link_status"
    export = "export"  # a round's document as a file (lc-health export, the review's export tab)


_SEES: dict[Audience, frozenset[Part]] = {
    Audience.lead: frozenset(
        {Part.figures, Part.comments, Part.actions, Part.participation, Part.export}
    ),
    Audience.policy: frozenset({Part.figures, Part.participation, Part.export}),
    # Participants also see the actions their community agreed ("You said, we did"): what,
    # status and due date; never who owns or recorded them, nor the lead's follow-up note.
    Audience.participant: frozenset({Part.figures, Part.actions}),
    # Administrators support every community's lead: they see what a lead sees, and whether a
    # personal link answered (never what it answered).
    Audience.admin: frozenset(
        {
            Part.figures,
            Part.comments,
            Part.actions,
            Part.participation,
            Part.link_status,
            Part.export,
        }
    ),
}


def sees(audience: Audience | str, part: Part) -> bool:
    """Whether an audience may see a part of a round (its published figures, comments, ...)."""
    return part in _SEES[Audience(audience)]


class PolicySettings(Protocol):
    """The settings a policy is made from (runtime.config.Settings has them)."""

    @property
    def anonymity_threshold(self) -> int: ...
    @property
    def comment_threshold(self) -> int: ...
    @property
    def open_link_lifts_threshold(self) -> bool: ...
    @property
    def health_min_factors(self) -> int: ...
    @property
    def min_change(self) -> float: ...


@dataclass(frozen=True)
class Policy:
    """The numbers of the disclosure rules (from the settings)."""

    threshold: int = 5
    comment_threshold: int = 5
    open_link_lifts_threshold: bool = False
    health_min_factors: int = 9
    min_change: float = 0.3

    def __post_init__(self) -> None:
        if self.threshold < THRESHOLD_FLOOR:
            raise ValueError(f"the anonymity threshold is never below {THRESHOLD_FLOOR}")
        if self.comment_threshold < self.threshold:
            raise ValueError("the comment threshold is never below the anonymity threshold")

    @classmethod
    def from_settings(cls, settings: PolicySettings) -> Policy:
        return cls(
            threshold=settings.anonymity_threshold,
            comment_threshold=settings.comment_threshold,
            open_link_lifts_threshold=settings.open_link_lifts_threshold,
            health_min_factors=settings.health_min_factors,
            min_change=settings.min_change,
        )

    def counts_towards(self, channel: Channel | str, *, round_has_personal_links: bool) -> bool:
        """Whether a response of this channel counts towards the threshold in its round."""
        if Channel(channel) is not Channel.open_link:
            return True
        return self.open_link_lifts_threshold or not round_has_personal_links

    def passes(self, counted: int) -> bool:
        """Whether a group of `counted` counted respondents may have a figure."""
        return not bool(hidden(counted, self.threshold))

    def passes_each(self, counted: ArrayLike) -> np.ndarray:
        """passes() for an array of counts."""
        return ~hidden(counted, self.threshold)

    def comments_pass(self, counted: int) -> bool:
        return not bool(hidden(counted, self.comment_threshold))

    def may_republish(self, new_counted: int) -> bool:
        """Whether a reopened round has enough new responses to be published anew."""
        return self.passes(new_counted)

    def pairs_usable(self, pairs: int) -> bool:
        """Whether people linked across two rounds may be compared as pairs (their number is a
        group of its own: fewer than the threshold are treated as unlinked)."""
        return self.passes(pairs)

    def covered(self, factors_scored: int, factors_asked: int = FACTORS_IN_MODEL) -> bool:
        """Whether a respondent with scores on `factors_scored` of `factors_asked` factors counts
        in an index over them (the health index: 9 of 12 by default)."""
        return factors_scored >= self.min_factors(factors_asked)

    def min_factors(self, factors_asked: int) -> int:
        """The coverage rule scaled to an index over fewer factors (e.g. one layer's)."""
        if factors_asked >= FACTORS_IN_MODEL:
            return self.health_min_factors
        return max(1, math.ceil(factors_asked * self.health_min_factors / FACTORS_IN_MODEL))


def hidden(counted: ArrayLike, threshold: int) -> np.ndarray:
    """For each count: whether a figure over that many respondents is withheld. The only place
    that compares a count with the threshold (pages and metrics call this, or a Policy)."""
    return np.asarray(counted) < threshold


def shown_groups(sizes: pd.Series, threshold: int) -> tuple[list[str], int]:
    """Breakdowns: which groups may be shown, and how many respondents form the remainder.

    sizes: counted respondents per group (index = group). Small groups go to the remainder; if
    the remainder is then non-empty but below the threshold, the smallest shown groups join it
    until it is large enough (or nothing is shown). So no hidden group follows from the total
    by subtracting the shown ones.
    """
    # Largest first; ties by name, so the outcome does not depend on the input order.
    ordered = sizes.sort_index().sort_values(ascending=False, kind="stable")
    shown = [str(g) for g, n in ordered.items() if not hidden(n, threshold)]
    remainder = int(ordered.sum() - ordered[shown].sum()) if shown else int(ordered.sum())
    while shown and remainder > 0 and hidden(remainder, threshold):
        smallest = shown.pop()
        remainder += int(ordered[smallest])
    return shown, remainder


def shown(value: float | None) -> float | None:
    """A mean as pages and documents show it (one decimal); bands use the same rounding."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), DISPLAY_DECIMALS)


def too_few_text(threshold: int) -> str:
    """The short mark of a hidden figure in a table cell (the same everywhere)."""
    return f"< {threshold}"


def channel_of(*, invitation_id: int | None, source: str) -> Channel:
    """The channel of a stored response (personal link, open link, paper or import)."""
    if source == "paper":
        return Channel.paper
    if source == "import":
        return Channel.imported
    return Channel.personal if invitation_id is not None else Channel.open_link


def counted_total(channels: Iterable[Channel | str], policy: Policy, has_personal: bool) -> int:
    """How many of these responses count towards the threshold."""
    return sum(policy.counts_towards(c, round_has_personal_links=has_personal) for c in channels)
