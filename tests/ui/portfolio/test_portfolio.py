"""The policy maker's portfolio: AppTest on the demo data, and privacy on crafted small groups."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lc_health.domain.enums import Role
from lc_health.domain.instrument import Instrument, load_registry
from lc_health.metrics import portfolio
from lc_health.store import communities as cstore
from lc_health.store import dashboard, db
from lc_health.store import responses as response_store
from lc_health.store import users as ustore
from lc_health.store.rounds import create_round
from tests.apptest import chart_data, each_tab, goto, new_app, page_text
from tests.factories import make_response_in
from tests.publishing import publish


def _page(module: str, user_id: int, **params: str) -> AppTest:
    """The page as reached through the app's navigation (its links need the other pages)."""
    at = new_app()
    at.session_state["user_id"] = user_id
    at.query_params["lang"] = "en"
    at.run()
    goto(at, module)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _specs(at: AppTest) -> str:
    return " ".join(el.proto.spec for el in at.get("vega_lite_chart"))


@pytest.fixture
def crafted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, instrument: Instrument
) -> dict[str, int]:
    """Three communities in one period: two with 6 respondents, one with 3 (hidden)."""
    url = f"sqlite:///{tmp_path / 'portfolio.db'}"
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", url)
    engine = db.make_engine(url)
    db.upgrade(engine)
    ids: dict[str, int] = {}
    from datetime import date

    with db.write_session(engine) as session:
        for name, people, value in (("Alpha", 6, 4), ("Beta", 6, 2), ("Gamma", 3, 5)):
            community = cstore.create_community(session=session, name=name, sector="Zorg")
            assert community.id is not None
            ids[name] = community.id
            rnd = create_round(
                session=session,
                community_id=community.id,
                period="2026-Q3",
                opens_on=date(2026, 7, 1),
                closes_on=date(2026, 9, 30),
                instrument_id=instrument.id,
                instrument_version=instrument.version,
            )
            assert rnd.id is not None
            for n in range(people):
                answers = dict.fromkeys((i.id for i in instrument.items), value)
                response = make_response_in(
                    instrument,
                    round_id=rnd.id,
                    answers=answers,
                    submission_key=f"{name}-{n}",
                    forces=frozenset({"hin_too_fast"}),
                )
                response_store.save_response(
                    session=session, response_in=response, instrument=instrument
                )
        policy = ustore.create_user(session=session, email="p@example.org", role=Role.policy)
        assert policy.id is not None
        ids["policy"] = policy.id
    publish(engine, load_registry())  # the rounds closed on 30 September
    engine.dispose()
    return ids


def test_hidden_community_never_enters_a_figure(crafted: dict[str, int]) -> None:
    at = _page("portfolio", crafted["policy"])
    specs = _specs(at)
    assert "Gamma" in specs  # it is listed, marked as too few
    frames = chart_data(at)
    heat = next(f for f in frames if "community" in f.columns and "cell_text" in f.columns)
    gamma = heat[heat["community"] == "Gamma"]
    assert len(gamma) and (gamma["cell_text"] == "< 5").all() and gamma["mean"].isna().all()
    strips: list[pd.DataFrame] = []
    for view in each_tab(at):
        for frame in chart_data(view):  # Gamma's answers were all 5: that value appears nowhere
            for column in ("mean", "median", "p10", "q1", "q3", "p90"):
                if column in frame.columns:
                    assert not (frame[column] == 5.0).any()
            if "median" in frame.columns and "p90" in frame.columns:
                strips.append(frame)
    # Medians over shown communities only: (4 + 2) / 2 = 3, not the 4 that Gamma would make.
    assert strips and set(strips[0]["median"]) == {3.0}


def test_portfolio_statistics_on_crafted_means() -> None:
    means = pd.DataFrame(
        {
            "community_id": [1, 2, 3],
            "period": ["2026-Q3"] * 3,
            "scope": ["health"] * 3,
            "key": [""] * 3,
            "n": [6, 6, 3],
            "mean": [4.0, 2.0, None],
            "ci_low": [3.5, 1.5, None],
            "ci_high": [4.5, 2.5, None],
            "band": ["strong", "concern", None],
            "suppressed": [False, False, True],
        }
    )
    spread = portfolio.spread_over_time(means, "health").iloc[0]
    assert spread["communities"] == 2 and spread["median"] == 3.0
    bands = portfolio.bands_over_time(means).set_index("band")["communities"]
    assert bands.to_dict() == {"strong": 1, "discuss": 0, "concern": 1, "too_few": 1}


def test_policy_maker_filters_and_sees_no_comments(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
    policy = int(users.loc[users["email"] == "beleid@demo.lc-health.nl", "user_id"].iloc[0])
    at = _page("portfolio", policy)
    at.selectbox(key="period").set_value("2026-Q3").run()
    assert at.selectbox(key="period").value == "2026-Q3"
    text = page_text(at)
    assert "6 communities" in text  # the demo policy maker's portfolio
    assert "Energiehub" not in _specs(at) + text  # outside the portfolio
    assert not at.text  # st.text is only used for comments
    drill = _page("portfolio_community", policy, community="1")
    assert not drill.text and "Comments" not in [t.label for t in drill.tabs]


def test_force_totals_leave_out_small_rounds(crafted: dict[str, int]) -> None:
    import os

    engine = db.make_engine(os.environ["LC_HEALTH_DATABASE_URL"])
    with db.read_session(engine) as session:
        totals, respondents = dashboard.portfolio_force_totals(session=session, community_ids=None)
    engine.dispose()
    assert totals.values.tolist() == [["2026-Q3", "hin_too_fast", 12]]  # Gamma's 3 left out
    assert respondents.values.tolist() == [["2026-Q3", 2, 12]]
    assert crafted["Gamma"]


@pytest.mark.usefixtures("crafted")
def test_portfolio_reads_only_published_figures() -> None:
    import os

    engine = db.make_engine(os.environ["LC_HEALTH_DATABASE_URL"])
    with db.read_session(engine) as session:
        sums = dashboard.portfolio_scores(session=session, community_ids=None, scopes=["health"])
    assert sorted(sums["n"]) == [6, 6]  # Gamma's three respondents were never published


def test_narrow_read_gives_the_same_portfolio_figures(
    crafted: dict[str, int], instrument: Instrument
) -> None:
    """The means filtered in the database equal summarising the full sums in pandas."""
    import os

    engine = db.make_engine(os.environ["LC_HEALTH_DATABASE_URL"])
    with db.read_session(engine) as session:
        sums = dashboard.portfolio_scores(
            session=session, community_ids=None, scopes=["health", "layer"]
        )
        shown, too_few = dashboard.portfolio_shown_means(
            session=session, community_ids=None, scores=portfolio.trend_scores(instrument)
        )
    engine.dispose()
    full = portfolio.community_means(sums, 5)
    narrow = portfolio.shown_means(shown)
    for scope in ("health", "layer"):
        pd.testing.assert_frame_equal(
            portfolio.spread_over_time(full, scope), portfolio.spread_over_time(narrow, scope)
        )
    # The full read has no row for Gamma (nothing published): the narrow one names it too few.
    bands = portfolio.bands_over_time(narrow, too_few).set_index("band")["communities"]
    assert bands.to_dict() == {"strong": 1, "discuss": 0, "concern": 1, "too_few": 1}
    pd.testing.assert_frame_equal(
        portfolio.bands_over_time(full), portfolio.bands_over_time(narrow)
    )
    assert too_few["community_id"].tolist() == [crafted["Gamma"]]
