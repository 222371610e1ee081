"""The schedule's rules, pure: a round's dates in any quarter, reminders as typed, what cannot be,
and which notifications a round is due on a day (missed days included)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lc_health.domain.periods import Period
from lc_health.domain.schedules import (
    QUARTER_DAYS,
    Rule,
    due,
    next_round,
    parse_reminders,
    rule_problems,
)


@pytest.mark.parametrize("quarter", [Period(2027, q) for q in range(1, 5)] + [Period(2028, 1)])
def test_the_longest_allowed_round_ends_within_every_quarter(quarter: Period) -> None:
    for open_day in (1, 45, QUARTER_DAYS):
        rule = Rule(open_day=open_day, open_days=QUARTER_DAYS - open_day + 1, reminders=())
        assert (
            rule_problems(
                open_day=rule.open_day, open_days=rule.open_days, reminders=(), cadence="quarterly"
            )
            == []
        )
        opens, closes = rule.dates(quarter)
        assert quarter.first_day <= opens <= closes <= quarter.last_day
        assert (closes - opens).days + 1 == rule.open_days


def test_dates_and_the_next_round() -> None:
    rule = Rule(open_day=15, open_days=14)
    assert rule.dates(Period(2027, 2)) == (date(2027, 4, 15), date(2027, 4, 28))
    assert next_round(rule, date(2027, 4, 2)) == (
        Period(2027, 2),
        date(2027, 4, 15),
        date(2027, 4, 28),
    )
    assert next_round(rule, date(2027, 4, 29))[0] == Period(2027, 3)


@pytest.mark.parametrize(
    ("text", "days", "codes"),
    [
        ("7, 2", (7, 2), []),
        ("2;7  7", (7, 2), []),
        ("", (), []),
        ("0", (0,), []),
        ("7, x", (), ["error.schedule_reminders_format"]),
        ("-1", (), ["error.schedule_reminders_format"]),
        ("1.5", (), ["error.schedule_reminders_format"]),
        # Digits Python's isdigit knows but int() refuses (the key left of 1 on AZERTY is ²)
        # once crashed the rounds page.
        ("7²", (), ["error.schedule_reminders_format"]),
        ("①, 2", (), ["error.schedule_reminders_format"]),
        ("1 2 3 4 5 6", (), ["error.schedule_reminders_many"]),
    ],
)
def test_reminders_as_typed(text: str, days: tuple[int, ...], codes: list[str]) -> None:
    found, problems = parse_reminders(text)
    assert found == days and [p.code for p in problems] == codes


def test_due_on_each_day_of_a_round() -> None:
    opens, closes = date(2027, 1, 1), date(2027, 1, 28)
    seen: dict[tuple[str, date], list[date]] = {}
    day = opens - timedelta(days=3)
    while day <= closes + timedelta(days=5):
        published = closes + timedelta(days=1)
        for kind_day in due(
            opens_on=opens,
            closes_on=closes,
            accepting=opens <= day <= closes,
            published_on=published if day >= published else None,
            reminders=(7, 2),
            today=day,
        ):
            seen.setdefault(kind_day, []).append(day)
        day += timedelta(days=1)
    # The day each first becomes due is its own day.
    assert {k: v[0] for k, v in seen.items()} == {
        ("round_opened", opens): opens,
        ("reminder", date(2027, 1, 21)): date(2027, 1, 21),
        ("round_closing", date(2027, 1, 21)): date(2027, 1, 21),
        ("reminder", date(2027, 1, 26)): date(2027, 1, 26),
        ("round_published", date(2027, 1, 29)): date(2027, 1, 29),
    }
    # A week's reminder is no longer due once the two-day one is: it is not sent late.
    assert seen[("reminder", date(2027, 1, 21))][-1] == date(2027, 1, 25)


def test_a_short_round_gets_no_closing_notice_on_its_first_day() -> None:
    found = due(
        opens_on=date(2027, 1, 1),
        closes_on=date(2027, 1, 8),
        accepting=True,
        published_on=None,
        reminders=(7,),
        today=date(2027, 1, 1),
    )
    assert found == [("round_opened", date(2027, 1, 1))]
