"""The performance benchmark (`lc-health bench`): synthetic portfolios of three sizes, the
dashboards' data functions timed cold and warm, survey submissions under load, a DuckDB floor
for the portfolio aggregation, and page timings in Chromium (pages.py).

Nothing here is imported by the app; DuckDB and Playwright are imported only when used.
"""
