"""AppTest: the lead's round review and conversation on the demo data, with real content."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import responses as response_store
from lc_health.store import users as ustore
from lc_health.store.models import Action
from tests.apptest import chart_data, each_tab, open_tab, page_app, page_text


@pytest.fixture
def ids(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
        communities = cstore.communities_frame(session=session)
    engine.dispose()
    out = dict(zip(users["email"].str.split("@").str[0], users["user_id"].astype(int), strict=True))
    out |= dict(zip(communities["name"], communities["community_id"].astype(int), strict=True))
    return out


def _page(module: str, user_id: int, **params: str) -> AppTest:
    at = page_app(module)
    at.query_params["lang"] = "en"
    for key, value in params.items():
        at.query_params[key] = value
    at.session_state["user_id"] = user_id
    at.run()
    assert not at.exception, at.exception
    return at


def _specs(at: AppTest) -> list[str]:
    return [el.proto.spec for el in at.get("vega_lite_chart")] + [
        el.proto.spec for el in at.get("arrow_vega_lite_chart")
    ]


def _round_with_comments(demo_db: str, community_id: int) -> tuple[int, list[str]]:
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        rounds = cstore.rounds_frame(session=session, community_ids=[community_id])
        found = {
            int(r): response_store.round_comments(session=session, round_id=int(r))
            for r in rounds["round_id"]
        }
    engine.dispose()
    round_id = max(found, key=lambda r: len(found[r]))
    return round_id, found[round_id]


def test_round_review_shows_the_quarter(ids: dict[str, int]) -> None:
    at = _page("lead_review", ids["trekker"], community=str(ids["Duurzame Kas Lansingerland"]))
    text = page_text(at)
    assert at.selectbox[0].value == ids["Duurzame Kas Lansingerland"]
    # The open round's participation first, then the latest published round's headline.
    assert [m.value for m in at.metric if m.label == "Responses"] == ["14", "22"]
    assert "Days left" in [m.label for m in at.metric]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Health index"].replace(".", "").isdigit()
    assert "A difference only counts as an improvement" in text
    specs = " ".join(_specs(at))
    assert "Long-term support" in specs  # the heatmap and factor charts name the factors


def test_lead_reads_comments_as_plain_text(ids: dict[str, int], demo_db: str) -> None:
    community = ids["Duurzame Kas Lansingerland"]
    round_id, texts = _round_with_comments(demo_db, community)
    assert texts
    at = _page("lead_review", ids["trekker"], community=str(community), round=str(round_id))
    assert not at.text  # comments are on their own tab
    open_tab(at, "Comments")
    assert sorted(el.value for el in at.text) == sorted(texts)
    noun = "comment" if len(texts) == 1 else "comments"
    assert f"{len(texts)} {noun}, without names" in page_text(at)


def test_disagreement_is_flagged_for_the_fish_community(ids: dict[str, int]) -> None:
    at = _page("lead_review", ids["trekker"], community=str(ids["Noordzeevis op de Kaart"]))
    warning = " ".join(w.value for view in each_tab(at) for w in view.warning)
    assert "Opinions differ widely here" in warning
    assert "Competition sensitivity" in warning or "Shared vision" in warning


def test_funding_decline_is_flagged_and_first_in_the_conversation(ids: dict[str, int]) -> None:
    at = _page(
        "lead_conversation",
        ids["trekker"],
        community=str(ids["Duurzame Kas Lansingerland"]),
        step="Discuss",
    )
    assert at.header[0].value.startswith("9. (Securing) long-term (financial) support")
    text = page_text(at)
    assert "Questions for the conversation" in text
    assert "Agreed earlier" in text and "joint funding proposal" in text


def test_recording_an_action(ids: dict[str, int], demo_db: str) -> None:
    at = _page(
        "lead_conversation",
        ids["trekker"],
        community=str(ids["Duurzame Kas Lansingerland"]),
        step="Discuss",
    )
    at.text_area[0].set_value("Ask two growers to co-fund a half-time coordinator")
    at.text_input[0].set_value("Greenhouse lead")
    next(b for b in at.button if b.label == "Record action").click().run()
    assert not at.exception
    assert "The action is recorded." in page_text(at)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        stored = session.execute(
            select(Action).where(Action.what.startswith("Ask two growers"))  # type: ignore[attr-defined]
        ).scalar_one()
    assert stored.factor_id == 9 and stored.owner == "Greenhouse lead"
    assert stored.created_by == "trekker@demo.lc-health.nl"


def test_empty_action_is_refused_and_nothing_stored(ids: dict[str, int], demo_db: str) -> None:
    at = _page(
        "lead_conversation",
        ids["trekker"],
        community=str(ids["Duurzame Kas Lansingerland"]),
        step="Discuss",
    )
    at.text_input[0].set_value("Somebody")
    next(b for b in at.button if b.label == "Record action").click().run()
    assert "This field is required." in page_text(at)
    assert at.text_input[0].value == "Somebody"  # what was typed stays
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        assert len(session.execute(select(Action)).scalars().all()) == 6  # the demo's own


def test_small_community_shows_no_figures_and_no_comments(ids: dict[str, int]) -> None:
    at = _page("lead_review", ids["trekker"], community=str(ids["Bijenlinten Midden-Delfland"]))
    texts: list[str] = []
    for view in each_tab(at):
        texts.append(page_text(view))
        assert not view.text  # no comment text at all, on any tab
        for frame in chart_data(view):
            for column in ("mean", "ci_low", "ci_high", "share1", "start"):
                if column in frame.columns:
                    assert frame[column].isna().all(), column
    text = "\n".join(texts)
    assert "Too few respondents for the health index" in text
    assert "Round Q4 2026 is open" in text
    assert "Comments are only shown once the round has at least 5 responses." in text


def test_another_communitys_id_in_the_url_reveals_nothing(ids: dict[str, int]) -> None:
    at = _page("lead_review", ids["trekker"], community=str(ids["Energiehub Zwolle"]))
    assert "The community in the link is not available" in page_text(at)
    assert at.selectbox[0].value != ids["Energiehub Zwolle"]
    assert "Energiehub" not in " ".join(_specs(at)) + page_text(at)


def test_policy_maker_cannot_open_lead_pages(ids: dict[str, int]) -> None:
    for module in ("lead_review", "lead_conversation"):
        at = _page(module, ids["beleid"])
        assert "This page is not available for your role." in page_text(at)
        assert not _specs(at)


def test_admin_sees_every_community(ids: dict[str, int]) -> None:
    at = _page("lead_review", ids["beheer"], community=str(ids["Energiehub Zwolle"]))
    assert at.selectbox[0].value == ids["Energiehub Zwolle"]
    assert len(at.selectbox[0].options) == 8
    assert os.environ["LC_HEALTH_DATABASE_URL"].startswith("sqlite")


@pytest.mark.parametrize("wanted", ["²", "1²", "x", "-1", ""])
def test_an_odd_round_in_the_url_shows_the_latest_round(ids: dict[str, int], wanted: str) -> None:
    """A lead notice links here with ?round=; a mangled number ('²' passes isdigit, not int)
    once crashed the page."""
    community = str(ids["Duurzame Kas Lansingerland"])
    at = _page("lead_review", ids["trekker"], community=community, round=wanted)
    rounds = next(s for s in at.selectbox if s.label == "Round")
    assert rounds.index == len(rounds.options) - 1
