"""Many communities (more than one list should hold): the communities page shows a page of
them at a time, found by name, and a community's pages choose through a search; on the demo
data, with real SQLite."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lc_health.store import communities as cstore
from lc_health.store import community_search as search
from lc_health.store import db
from lc_health.store import users as ustore
from tests.apptest import page_app, page_text

EXTRA = 260  # more than search.LIST_ALL, so the choice turns into a search


@pytest.fixture
def admin(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """The demo administrator, with EXTRA more communities (names 'Bulk 000' ...)."""
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.write_session(engine) as session:
        for i in range(EXTRA):
            cstore.create_community(session=session, name=f"Bulk {i:03d}")
        cstore.create_community(session=session, name="100% Zuid_West")
        users = ustore.users_frame(session=session)
    engine.dispose()
    return int(users.loc[users["role"] == "admin", "user_id"].iloc[0])


def _run(url_path: str, user_id: int, **params: str) -> AppTest:
    at = page_app(url_path)
    at.query_params["lang"] = "en"
    for name, value in params.items():
        at.query_params[name] = value
    at.session_state["user_id"] = user_id
    return at.run(timeout=60)


def test_the_list_shows_a_page_at_a_time(admin: int) -> None:
    at = _run("communities", admin)
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 50
    assert at.number_input(key="_list_page").max == 6  # 260 + the demo's + 1, 50 a page
    at.number_input(key="_list_page").set_value(6).run(timeout=60)
    last = list(at.dataframe[0].value.iloc[:, 0])
    assert 0 < len(last) < 50 and "Bulk 000" not in last
    assert f"Communities 251 to {250 + len(last)} of {250 + len(last)}, by name." in page_text(at)


def test_the_list_finds_by_name_literally(admin: int) -> None:
    at = _run("communities", admin)
    at.text_input(key="_list_search").set_value("bulk 01").run(timeout=60)
    names = list(at.dataframe[0].value.iloc[:, 0])
    assert names == [f"Bulk {i:03d}" for i in range(10, 20)]
    assert not at.number_input  # one page: no page choice
    at.text_input(key="_list_search").set_value("0%").run(timeout=60)
    assert list(at.dataframe[0].value.iloc[:, 0]) == ["100% Zuid_West"]
    at.text_input(key="_list_search").set_value("*nothing*").run(timeout=60)
    assert not at.dataframe
    assert "No community has “\\*nothing\\*” in its name." in [i.value for i in at.info]


def test_a_community_page_chooses_through_a_search(admin: int) -> None:
    at = _run("lead_review", admin)
    assert not at.exception, at.exception
    pick = at.selectbox(key="_community_pick")
    assert len(pick.options) == search.LIST_SHOWN
    at.text_input(key="_community_search").set_value("Zwolle").run(timeout=60)
    pick = at.selectbox(key="_community_pick")
    assert "Energiehub Zwolle" in pick.options
    pick.select_index(pick.options.index("Energiehub Zwolle")).run(timeout=60)
    assert not at.exception, at.exception
    chosen = at.query_params["community"]
    # The choice stays in the list whatever is searched next, and is kept in the URL.
    at.text_input(key="_community_search").set_value("Bulk 2").run(timeout=60)
    pick = at.selectbox(key="_community_pick")
    assert pick.value is not None and at.query_params["community"] == chosen
    assert "Energiehub Zwolle" in pick.options and "Bulk 200" in pick.options


def test_a_community_in_the_url_outside_the_first_matches_is_shown(admin: int) -> None:
    engine = db.make_engine(db_url := _url())
    with db.read_session(engine) as session:
        found = search.find_communities(session=session, community_ids=None, text="Bulk 259")
    engine.dispose()
    wanted = str(int(found["community_id"].iloc[0]))
    at = _run("lead_review", admin, community=wanted)
    assert not at.exception, at.exception
    assert at.query_params["community"] == wanted, db_url
    assert at.selectbox(key="_community_pick").value == int(wanted)
    at = _run("lead_review", admin, community="999999")
    assert "The community in the link is not available. Choose one below." in [
        w.value for w in at.warning
    ]


def _url() -> str:
    import os

    return os.environ["LC_HEALTH_DATABASE_URL"]


def test_the_portfolio_drill_down_chooses_through_a_search(admin: int) -> None:
    at = _run("portfolio", admin)
    assert not at.exception, at.exception
    label = "Look at one community closely"
    boxes = [b for b in at.selectbox if b.label == label]
    assert len(boxes[0].options) <= search.LIST_SHOWN + 1
    at.text_input(key="drill_search").set_value("Zwolle").run(timeout=60)
    boxes = [b for b in at.selectbox if b.label == label]
    assert boxes[0].options == ["Energiehub Zwolle"]
