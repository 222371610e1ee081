"""Round schedules: when a quarter's round opens by itself, how long it stays open and on which
days before it closes reminders go out. Pure: the rules and the dates, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from lc_health.domain.errors import Problem
from lc_health.domain.periods import Period

CADENCES = ("quarterly",)
# Every quarter has at least 90 days: a round that starts on day N and stays open D days must end
# within its quarter (N - 1 + D <= 90), so that the next quarter's round never overlaps it.
QUARTER_DAYS = 90
DEFAULT_OPEN_DAY = 1
DEFAULT_OPEN_DAYS = 28
DEFAULT_REMINDERS = (7, 2)
MAX_REMINDERS = 5
# Leads hear that a round is about to close this many days before its last day.
CLOSING_NOTICE_DAYS = 7

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Rule:
    """A checked schedule: the round opens on day `open_day` of each quarter (1 = its first
    day) and takes answers for `open_days` days; reminders `reminders` days before its last."""

    open_day: int = DEFAULT_OPEN_DAY
    open_days: int = DEFAULT_OPEN_DAYS
    reminders: tuple[int, ...] = DEFAULT_REMINDERS
    cadence: str = "quarterly"

    def dates(self, period: Period) -> tuple[date, date]:
        """The opening and closing day (both inclusive) of the period's round."""
        opens = period.first_day + timedelta(days=self.open_day - 1)
        return opens, opens + timedelta(days=self.open_days - 1)


def next_round(rule: Rule, today: date) -> tuple[Period, date, date]:
    """The round the rule plans next: this quarter's while it has not closed, else the next."""
    period = Period.containing(today)
    opens, closes = rule.dates(period)
    if today > closes:
        period = period.next()
        opens, closes = rule.dates(period)
    return period, opens, closes


def format_reminders(days: tuple[int, ...]) -> str:
    """(7, 2) -> '7, 2', the form people type."""
    return ", ".join(str(d) for d in days)


def parse_reminders(text: str) -> tuple[tuple[int, ...], list[Problem]]:
    """'7, 2' -> (7, 2): whole days before the closing day, largest first; empty text is no
    reminders. Problems name the field 'reminders'."""
    parts = [p for p in _SEPARATORS.split(text.strip()) if p]
    if not all(p.isdecimal() and len(p) <= 3 for p in parts):
        return (), [Problem("reminders", "error.schedule_reminders_format")]
    days = tuple(sorted({int(p) for p in parts}, reverse=True))
    if len(days) > MAX_REMINDERS:
        return (), [Problem("reminders", "error.schedule_reminders_many", {"max": MAX_REMINDERS})]
    return days, []


def rule_problems(
    *, open_day: int | None, open_days: int | None, reminders: tuple[int, ...], cadence: str
) -> list[Problem]:
    """What is wrong with a schedule as entered (message keys under error.)."""
    problems: list[Problem] = []
    if cadence not in CADENCES:
        problems.append(Problem("cadence", "error.schedule_cadence"))
    if open_day is None or not 1 <= open_day <= QUARTER_DAYS:
        problems.append(Problem("open_day", "error.schedule_open_day", {"max": QUARTER_DAYS}))
    if open_days is None or not 1 <= open_days <= QUARTER_DAYS:
        problems.append(Problem("open_days", "error.schedule_open_days", {"max": QUARTER_DAYS}))
    if problems:
        return problems
    assert open_day is not None and open_days is not None
    if open_day - 1 + open_days > QUARTER_DAYS:
        problems.append(
            Problem(
                "open_days",
                "error.schedule_fits_quarter",
                {"max": QUARTER_DAYS - open_day + 1, "day": open_day},
            )
        )
    late = [d for d in reminders if not 0 <= d < open_days]
    if late:
        problems.append(
            Problem(
                "reminders",
                "error.schedule_reminder_range",
                {"days": format_reminders(tuple(late)), "max": open_days - 1},
            )
        )
    return problems


# The notifications a schedule sends, and a round created by the schedule (noted the same way).
ROUND_CREATED = "round_created"
ROUND_OPENED = "round_opened"
REMINDER = "reminder"
ROUND_CLOSING = "round_closing"
ROUND_PUBLISHED = "round_published"
NOTIFICATIONS = (ROUND_OPENED, REMINDER, ROUND_CLOSING, ROUND_PUBLISHED)


def due(
    *,
    opens_on: date,
    closes_on: date,
    accepting: bool,
    published_on: date | None,
    reminders: tuple[int, ...],
    today: date,
) -> list[tuple[str, date]]:
    """The notifications a round is due today, as (kind, the day each is for): the opening while
    it takes answers; the latest reminder day that has come (a reminder missed while nothing ran
    is not sent late when a newer one is due); the closing notice a week before its last day;
    the publication on the day its figures were published. Whether one was sent before is for
    the caller to look up by (kind, day)."""
    out: list[tuple[str, date]] = []
    if accepting:
        out.append((ROUND_OPENED, opens_on))
        days = [closes_on - timedelta(days=r) for r in reminders]
        came = [d for d in days if opens_on < d <= today]
        if came:
            out.append((REMINDER, max(came)))
        closing = closes_on - timedelta(days=CLOSING_NOTICE_DAYS)
        if opens_on < closing <= today:
            out.append((ROUND_CLOSING, closing))
    if published_on is not None and published_on <= today:
        out.append((ROUND_PUBLISHED, published_on))
    return out
