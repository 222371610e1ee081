"""The benchmark times what the pages do: each page, opened in AppTest on the demo data with
empty caches and every tab visited, calls the same store, metrics and documents functions as
the benchmark's workload for it (traced with lc_health.bench.trace)."""

from __future__ import annotations

import pytest
import streamlit as st

from lc_health.bench import trace
from lc_health.bench.workloads import PAGES, WORKLOADS, Context
from lc_health.documents.portfolio_export import read_portfolio
from lc_health.domain.instrument import Instrument
from lc_health.store import db
from lc_health.store import users as ustore
from tests.apptest import each_tab, goto, new_app
from tests.ui.portfolio.test_portfolio import _page

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


def _page_calls(url_path: str, user_id: int) -> set[str]:
    _page(url_path, user_id)  # a first visit publishes what closed and imports everything
    at = new_app()
    at.session_state["user_id"] = user_id
    at.query_params["lang"] = "en"
    at.run()  # the landing page, untraced
    st.cache_data.clear()
    at.query_params["community"] = "1"  # the round review's community, as the benchmark's
    with trace.calls() as seen:
        goto(at, url_path).run()
        assert not at.exception, at.exception
        if at.tabs:
            for _ in each_tab(at):
                pass
    return _data_calls(seen)


@pytest.mark.parametrize("workload", sorted(PAGES))
def test_bench_calls_what_the_page_calls(
    workload: str, demo_db: str, monkeypatch: pytest.MonkeyPatch, instrument: Instrument
) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
    admin = int(users.loc[users["role"] == "admin", "user_id"].iloc[0])
    page = _page_calls(PAGES[workload], admin)
    try:
        with db.read_session(engine) as session:
            latest = read_portfolio(session, None, instrument).periods[-1]
            ctx = Context(instrument, 5, 1, latest)  # the pages' defaults for an administrator
            with trace.calls() as seen:
                WORKLOADS[workload](session, ctx)
    finally:
        engine.dispose()
    bench = _data_calls(seen)
    assert page - bench == set(), "the page calls what the benchmark does not time"
    assert bench - page == set(), "the benchmark times what the page does not call"
