"""The benchmark times what the pages do: each page, opened in AppTest on the demo data with
empty caches and every tab visited, calls the same store, metrics and documents functions as
the benchmark's workload for it (traced with lc_health.bench.trace)."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from lc_health.bench import trace
from lc_health.bench.workloads import PAGES, WORKLOADS, Context
from lc_health.documents.portfolio_export import read_portfolio
from lc_health.domain.instrument import Instrument
from lc_health.store import db
from lc_health.store import users as ustore
from tests.apptest import each_tab, goto, new_app

# What every page does on every run, whatever it shows (who is signed in, the sign-in and
# session upkeep, schema checks and the publication of rounds that closed): not a page's data.
APP_WIDE = (
    "lc_health.store.access.",
    "lc_health.store.db.",
    "lc_health.store.meta.",
    "lc_health.store.models.",
    "lc_health.store.sessions.",
    "lc_health.store.signin_limits.",
    "lc_health.store.drafts.",
    "lc_health.store.publication.publish",
    "lc_health.store.publication.round_raw",
    "lc_health.store.publication.invited_during",
    "lc_health.store.publication.previous_published",
    "lc_health.store.tallies.",
    "lc_health.metrics.publication.",
    "lc_health.metrics.change.compare",
    "lc_health.metrics.change.holm",
    "lc_health.metrics.change.verdicts",
    "lc_health.documents.registry.",
)


def _data_calls(seen: set[str]) -> set[str]:
    return {name for name in seen if not name.startswith(APP_WIDE)}


def _page_calls(at: AppTest, url_path: str) -> set[str]:
    """The page opened with empty caches (as on a cache miss), then each of its tabs."""
    st.cache_data.clear()
    for key in list(at.query_params):  # what the last page kept in the URL
        del at.query_params[key]
    if "tab" in at.session_state:  # the last page's open tab: each page opens on its first
        del at.session_state["tab"]
    at.query_params["lang"] = "en"
    at.query_params["community"] = "1"  # the round review's community, as the benchmark's
    with trace.calls() as seen:
        goto(at, url_path).run()
        assert not at.exception, at.exception
        if at.tabs:
            for _ in each_tab(at):
                pass
    return _data_calls(seen)


def test_bench_calls_what_the_pages_call(
    demo_db: str, monkeypatch: pytest.MonkeyPatch, instrument: Instrument
) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
    admin = int(users.loc[users["role"] == "admin", "user_id"].iloc[0])
    at = new_app()
    at.session_state["user_id"] = admin
    at.query_params["lang"] = "en"
    at.run()  # the landing page, untraced: it publishes the rounds that closed
    with db.read_session(engine) as session:
        latest = read_portfolio(session, None, instrument).periods[-1]
    ctx = Context(instrument, 5, 1, latest)  # the pages' defaults for an administrator
    differences = {}
    try:
        for workload, url_path in PAGES.items():
            page = _page_calls(at, url_path)
            with db.read_session(engine) as session, trace.calls() as seen:
                WORKLOADS[workload](session, ctx)
            bench = _data_calls(seen)
            assert page, url_path  # the trace saw the page's reads
            if page != bench:
                differences[workload] = {
                    "page only (not timed)": sorted(page - bench),
                    "bench only (not on the page)": sorted(bench - page),
                }
    finally:
        engine.dispose()
    assert differences == {}
