"""The page benchmark's report states its targets and the 20-session memory row (the browser
run itself is `lc-health bench --pages` on a kept database; it is too slow for CI)."""

from __future__ import annotations

import math

from lc_health.bench.pages import (
    PAGES,
    SESSIONS,
    SESSIONS_TARGET_MB,
    TAB_TARGET_S,
    PageOptions,
    PageTiming,
    SessionMemory,
    _render,
)


def test_report_states_targets_and_the_sessions_row() -> None:
    portfolio = PAGES[0]
    timings = [
        PageTiming(portfolio, 2.1, [1.2, 1.3], 300 * 1024, 320 * 1024, (("Spread", 1.5, 1.1),))
    ]
    held = SessionMemory(SESSIONS, 410 * 1024, 450 * 1024, 61.0, ("portfolio", "round review"))
    text = _render(PageOptions("XL", None), timings, [], 250 * 1024, held)
    assert portfolio.label == "portfolio" and portfolio.target_s == 2.5
    assert (
        "first portfolio visit <= 2.5 s" in text and f"every tab drawn <= {TAB_TARGET_S} s" in text
    )
    assert SESSIONS == 20 and SESSIONS_TARGET_MB == 500
    sessions = next(line for line in text.splitlines() if line.startswith("20 sessions"))
    assert "410 MB / 450 MB" in sessions and "500 MB" in sessions, sessions
    assert "portfolio and round review" in sessions
    tab = next(line for line in text.splitlines() if "tab Spread" in line)
    assert tab.split()[-1] == "s" and "2 s" in tab, tab


def test_a_page_that_times_out_is_reported_not_fatal() -> None:
    portfolio = PAGES[0]
    timings = [PageTiming(portfolio, math.inf, [math.inf], 900 * 1024, 990 * 1024)]
    held = SessionMemory(1, 950 * 1024, 990 * 1024, 130.0, ("portfolio",), timed_out=1)
    text = _render(PageOptions("XL", None), timings, [], 250 * 1024, held)
    line = next(line for line in text.splitlines() if line.startswith("portfolio"))
    assert line.split()[1:3] == [">", "120s"], line
    assert "not shown within PAGE_TIMEOUT_MS" in text and "1 pages timed out" in text
