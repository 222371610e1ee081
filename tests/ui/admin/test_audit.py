"""AppTest: the audit page, with its review of open-link submissions (padding)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlmodel import col
from streamlit.testing.v1 import AppTest

from lc_health.services.open_link_audit import database_salt, record_submission, session_hash
from lc_health.store import db
from lc_health.store import users as ustore
from lc_health.store.models import Community, Round
from tests.apptest import page_app, page_text

ADMIN = "beheer@demo.lc-health.nl"


def _open(url: str, lang: str = "en") -> AppTest:
    engine = db.make_engine(url)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
    engine.dispose()
    admin_id = int(users.loc[users["email"] == ADMIN, "user_id"].iloc[0])
    at = page_app("admin_audit")
    at.query_params["lang"] = lang
    at.session_state["user_id"] = admin_id
    at.run()
    assert not at.exception, at.exception
    return at


def _two_rounds(engine: Engine) -> tuple[tuple[int, str], tuple[int, str]]:
    with db.read_session(engine) as session:
        rows = session.execute(
            select(col(Round.id), col(Community.name))
            .join(Community, col(Community.id) == col(Round.community_id))
            .order_by(col(Round.id))
        ).all()
    first, second = rows[0], next(r for r in rows if r[1] != rows[0][1])
    return (int(first[0]), str(first[1])), (int(second[0]), str(second[1]))


def _everything_shown(at: AppTest) -> str:
    frames = [str(df.value.to_csv()) for df in at.dataframe]
    return page_text(at) + "\n".join(frames)


@pytest.fixture
def padded(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str, list[str]]:
    """The demo with one padded round (four all-5 fresh browsers) and one quiet one."""
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    (padded_round, padded_name), (quiet_round, quiet_name) = _two_rounds(engine)
    for n in range(4):
        record_submission(
            engine, round_id=padded_round, session_id=f"fresh-{n}", ratings=[5] * 20, seconds=30
        )
    for n in range(3):
        record_submission(
            engine,
            round_id=quiet_round,
            session_id=f"workshop-{n}",
            ratings=[1, 2, 3, 4, 5, 4],
            seconds=300,
        )
    salt = database_salt(engine)
    hashes = [session_hash(salt=salt, session_id=f"fresh-{n}") for n in range(4)]
    engine.dispose()
    return demo_db, padded_name, quiet_name, [salt, *hashes]


def test_audit_page_flags_padding_and_shows_no_hash(
    padded: tuple[str, str, str, list[str]],
) -> None:
    url, padded_name, quiet_name, secrets = padded
    at = _open(url)
    text = page_text(at)
    assert "Open links: possible padding" in text
    assert "1 round flagged:" in text
    review = at.dataframe[-1].value
    assert review["Community"].tolist()[:2] == [padded_name, quiet_name]
    assert review["Flag"].tolist()[:2] == ["possible padding", "no"]
    assert review["Open-link submissions"].tolist()[:2] == [4, 3]
    assert review["Browser sessions"].tolist()[:2] == [4, 3]
    assert review["Look made up"].tolist()[:2] == [4, 0]
    assert review["Made up in that window"].tolist()[:2] == [4, 0]
    shown = _everything_shown(at)
    for secret in secrets:
        assert secret not in shown
    for n in range(4):
        assert f"fresh-{n}" not in shown


def test_audit_page_in_dutch_without_open_link_submissions(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    at = _open(demo_db, "nl")
    text = page_text(at)
    assert "Open links: mogelijk opvullen" in text
    assert "Nog geen inzendingen via een open link." in text
