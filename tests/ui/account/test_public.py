"""AppTest: the app starts on a fresh demo database; the sign-in page, About and the communities
overview show real content."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lc_health.services.auth import find_user
from lc_health.store import db
from tests.apptest import goto, new_app, page_text


@pytest.fixture
def demo_app(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    return new_app()


def _admin_id(demo_db: str) -> int:
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        user = find_user(session=session, email="beheer@demo.lc-health.nl")
        assert user is not None and user.id is not None
        return user.id


def test_sign_in_page_is_the_start_page_and_shows_demo_accounts(demo_app: AppTest) -> None:
    demo_app.query_params["lang"] = "en"
    demo_app.run()
    assert not demo_app.exception
    assert demo_app.title[0].value == "Sign in"
    assert "Participant?" in page_text(demo_app)
    # demo mode is off in this test (LC_HEALTH_DEMO unset): no passwords on screen
    assert "demo-admin-2026" not in page_text(demo_app)
    assert not [b for b in demo_app.button if str(b.key).startswith("demo_signin_")]


def test_communities_page_lists_demo_communities_with_health(
    demo_app: AppTest, demo_db: str
) -> None:
    demo_app.session_state["user_id"] = _admin_id(demo_db)
    demo_app.run()
    assert not demo_app.exception
    text = page_text(demo_app)
    assert "fictional demo data" in text or "fictieve demogegevens" in text
    table = demo_app.dataframe[0].value.set_index("Community")
    assert len(table) == 8
    small = table.loc["Bijenlinten Midden-Delfland"]
    assert small["Gezondheidsindex"] == ""  # a too-small community's index is never shown
    assert small["Lezing"] == "Te weinig antwoorden (minder dan 5)"
    robots = table.loc["Robotica Fieldlab Westland"]
    assert robots["Laatste ronde"] == "Q3 2026"  # the latest published round: Q4 is still open
    assert robots["Gezondheidsindex"].replace(",", ".").replace(".", "", 1).isdigit()
    # A reading whose interval crosses a band boundary says so.
    assert robots["Lezing"].removesuffix(" (onzeker)") in {"Sterk", "Bespreken", "Zorgpunt"}
    chart = demo_app.get("arrow_vega_lite_chart") or demo_app.get("vega_lite_chart")
    spec = chart[0].proto.spec
    assert "Bijenlinten" not in spec and "Robotica Fieldlab Westland" in spec


def test_about_page_explains_the_model_in_english(demo_app: AppTest) -> None:
    demo_app.query_params["lang"] = "en"
    demo_app.run()
    goto(demo_app, "about").run()
    assert not demo_app.exception
    text = page_text(demo_app)
    assert "Twelve success factors" in text
    assert "Four layers" in text
    assert "CC BY-SA 4.0" in text
    assert "**1. Being driven and personally committed**" in text
    assert "**12. System innovation: looking broader**" in text


def test_about_page_in_dutch(demo_app: AppTest) -> None:
    demo_app.query_params["lang"] = "nl"
    demo_app.run()
    goto(demo_app, "about").run()
    assert not demo_app.exception
    text = page_text(demo_app)
    assert "Twaalf succesfactoren" in text and "Vier lagen" in text
    forces = demo_app.table[0].value
    assert forces.index.name == "Bevorderend" and "Belemmerend" in forces.columns
    # mirror pairs side by side
    assert forces.loc["Goede communicatie", "Belemmerend"].startswith("Onduidelijke communicatie")


def test_demo_mode_shows_the_demo_accounts(
    demo_app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_HEALTH_DEMO", "true")
    demo_app.query_params["lang"] = "nl"
    demo_app.run()
    assert not demo_app.exception
    text = page_text(demo_app)
    for email, password in (
        ("beheer@demo.lc-health.nl", "demo-admin-2026"),
        ("trekker@demo.lc-health.nl", "demo-lead-2026"),
        ("beleid@demo.lc-health.nl", "demo-policy-2026"),
    ):
        assert f"`{email}`" in text and f"Wachtwoord: `{password}`" in text
    labels = {b.label for b in demo_app.button if str(b.key).startswith("demo_signin_")}
    assert labels == {"Inloggen als Beheerder", "Inloggen als Trekker", "Inloggen als Beleidsmaker"}
