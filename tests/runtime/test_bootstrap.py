"""Starting the app tidies the database: expired sign-in sessions are removed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from lc_health.domain.enums import Role
from lc_health.runtime.bootstrap import open_app
from lc_health.runtime.config import Settings
from lc_health.store import db
from lc_health.store.models import SignInSession, User, utcnow

SECRET = "k3Jx9-vQ2mW8_pL5rT1yZ6uB4nC7eA0dFgHs"
SAFE = {
    "server.cookieSecret": SECRET,
    "server.enableXsrfProtection": True,
    "client.showErrorDetails": "none",
}


def test_expired_sign_in_sessions_are_removed_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    now = utcnow()
    with db.write_session(engine) as session:
        user = User(email="lead@example.org", role=Role.lead.value)
        session.add(user)
        session.flush()
        assert user.id is not None
        for token, expires in (
            ("old", now - timedelta(hours=1)),
            ("live", now + timedelta(hours=8)),
        ):
            session.add(
                SignInSession(
                    user_id=user.id,
                    token_hash=token,
                    created_at=now - timedelta(hours=9),
                    expires_at=expires,
                )
            )
    engine.dispose()
    settings = Settings(database_url=url, public_url="https://lc.example.org", cookie_secret=SECRET)
    context = open_app(settings, SAFE)
    try:
        with db.read_session(context.engine) as session:
            left = session.exec(select(SignInSession.token_hash)).all()
    finally:
        context.engine.dispose()
    assert left == ["live"]
