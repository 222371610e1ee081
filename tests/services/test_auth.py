"""Passwords (argon2id, rules), sign-in sessions and their browser-bound hand-over codes, and that
no password or token is ever stored in plain text. Signing in itself: test_signin.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, String, Text, select, text
from sqlmodel import SQLModel

from lc_health.domain import credentials
from lc_health.domain.enums import Role
from lc_health.domain.errors import Invalid
from lc_health.services import auth
from lc_health.store import invitations as istore
from lc_health.store import users as ustore
from lc_health.store.db import read_session, write_session
from lc_health.store.models import User, utcnow
from tests.factories import make_community

PASSWORD = "kas-tomaat-robot-42"
BROWSER = "browser-id-of-the-one-who-signed-in"


def _admin(engine: Engine, email: str = "ada@example.org") -> int:
    with write_session(engine) as session:
        user = ustore.create_user(
            session=session, email=email, role=Role.admin, password=PASSWORD, confirm=PASSWORD
        )
        assert user.id is not None
        return user.id


def test_passwords_are_hashed_with_argon2id(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    with read_session(sqlite_engine) as session:
        stored = session.get(User, user_id)
    assert stored is not None and stored.password_hash is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert credentials.verify_password(PASSWORD, stored.password_hash)
    assert not credentials.verify_password(PASSWORD + "x", stored.password_hash)
    assert not credentials.verify_password(
        PASSWORD, "not-a-hash"
    )  # malformed: a failure, not a crash


@pytest.mark.parametrize(
    ("password", "confirm", "expected"),
    [
        ("short", "short", ["too_short"]),
        ("wachtwoord", "wachtwoord", ["too_common"]),
        ("aaaaaaaaaaaa", "aaaaaaaaaaaa", ["too_predictable"]),
        # Long enough, yet guessed at once: common English and Dutch passwords, keyboard rows,
        # sequences, a common Dutch word with a year.
        ("Password12", "Password12", ["too_common"]),
        ("qwerty12345", "qwerty12345", ["too_common"]),
        ("abcdefghij", "abcdefghij", ["too_predictable"]),
        ("Welkom2026!", "Welkom2026!", ["too_common"]),
        ("Zomer2026!", "Zomer2026!", ["too_common"]),
        ("lamp-wolk-fiets-oranje", "lamp-wolk-fiets-oranje", []),
        ("ada-lovelace-1815", "ada-lovelace-1815", []),
        ("xx-ada@example-99", "xx-ada@example-99", []),
        ("my-adalovelace-pw", "my-adalovelace-pw", ["contains_email"]),
        ("kas-tomaat-robot-42", "kas-tomaat-robot-43", ["mismatch"]),
    ],
)
def test_password_rules(password: str, confirm: str, expected: list[str]) -> None:
    got = credentials.password_problems(password, email="adalovelace@example.org", confirm=confirm)
    assert got == expected


def test_session_handoff_is_single_use_and_expires(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    with write_session(sqlite_engine) as session:
        code = auth.start_session(session=session, user_id=user_id, hours=8, browser=BROWSER)
    with write_session(sqlite_engine) as session:
        redeemed = auth.redeem_handoff(session=session, code=code, browser=BROWSER)
    assert redeemed is not None
    token, expires_at = redeemed
    with write_session(sqlite_engine) as session:
        assert auth.redeem_handoff(session=session, code=code, browser=BROWSER) is None  # used up
    with read_session(sqlite_engine) as session:
        user = auth.user_for_token(session=session, token=token)
        assert user is not None and user.id == user_id
        assert (
            auth.user_for_token(session=session, token=token, now=expires_at + timedelta(1)) is None
        )
        assert auth.user_for_token(session=session, token="forged") is None
    with write_session(sqlite_engine) as session:
        late = auth.start_session(session=session, user_id=user_id, hours=8, browser=BROWSER)
    with write_session(sqlite_engine) as session:
        too_late = utcnow() + timedelta(seconds=auth.HANDOFF_SECONDS + 1)
        assert (
            auth.redeem_handoff(session=session, code=late, browser=BROWSER, now=too_late) is None
        )
    with write_session(sqlite_engine) as session:
        auth.end_session(session=session, token=token)
    with read_session(sqlite_engine) as session:
        assert auth.user_for_token(session=session, token=token) is None


def test_password_reset_ends_sessions(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    with write_session(sqlite_engine) as session:
        code = auth.start_session(session=session, user_id=user_id, hours=8, browser=BROWSER)
    with write_session(sqlite_engine) as session:
        token, _ = auth.redeem_handoff(session=session, code=code, browser=BROWSER) or ("", None)
    with write_session(sqlite_engine) as session:
        ustore.set_password(
            session=session,
            user_id=user_id,
            password="new-pass-phrase-1",
            confirm="new-pass-phrase-1",
        )
    with read_session(sqlite_engine) as session:
        assert auth.user_for_token(session=session, token=token) is None


def _all_text(engine: Engine) -> str:
    """Every string value in every table, concatenated."""
    parts: list[str] = []
    with engine.connect() as conn:
        for name, table in SQLModel.metadata.tables.items():
            columns = [c.name for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                for row in conn.execute(text(f"SELECT {', '.join(columns)} FROM {name}")):
                    parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


def test_a_handoff_code_works_only_in_the_browser_that_signed_in(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    with write_session(sqlite_engine) as session:
        code = auth.start_session(session=session, user_id=user_id, hours=8, browser=BROWSER)
    for other in ("another-browser", ""):
        with write_session(sqlite_engine) as session:
            assert auth.redeem_handoff(session=session, code=code, browser=other) is None
    # The intercepted code was refused without being spent: the real browser still signs in.
    with write_session(sqlite_engine) as session:
        assert auth.redeem_handoff(session=session, code=code, browser=BROWSER) is not None
    with pytest.raises(ValueError), write_session(sqlite_engine) as session:
        auth.start_session(session=session, user_id=user_id, hours=8, browser="")


def test_a_server_side_session_ends_with_sign_out_everywhere(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    with write_session(sqlite_engine) as session:
        tabs = [auth.open_session(session=session, user_id=user_id, hours=8) for _ in range(2)]
    with read_session(sqlite_engine) as session:
        assert all(auth.user_for_token(session=session, token=tab) for tab in tabs)
    with write_session(sqlite_engine) as session:
        auth.end_all_sessions(session=session, user_id=user_id)
    with read_session(sqlite_engine) as session:
        assert not any(auth.user_for_token(session=session, token=tab) for tab in tabs)


def test_no_password_or_token_is_stored_in_plain_text(engine: Engine) -> None:
    user_id = _admin(engine)
    with write_session(engine) as session:
        ustore.set_password(
            session=session,
            user_id=user_id,
            password="second-secret-99",
            confirm="second-secret-99",
        )
        code = auth.start_session(session=session, user_id=user_id, hours=1, browser=BROWSER)
        community = make_community(session)
        assert community.id is not None
        links = istore.create_personal_links(session=session, community_id=community.id, count=3)
    with write_session(engine) as session:
        token, _ = auth.redeem_handoff(session=session, code=code, browser=BROWSER) or ("", None)
    stored = _all_text(engine)
    for secret in [PASSWORD, "second-secret-99", code, token, *(x.token for x in links)]:
        assert secret and secret not in stored
    with read_session(engine) as session:
        assert session.execute(select(User.password_hash)).scalar_one().startswith("$argon2id$")


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ada@example.org", True),
        ("  Ada@Example.ORG ", True),
        ("jan@bücher.de", True),  # an internationalised domain
        ("jürgen@xn--bcher-kva.de", True),
        ("a@b..nl", False),
        ("not an email", False),
        ("ada@localhost", False),
        ("ada@", False),
        ("a" * 250 + "@example.org", False),
    ],
)
def test_email_rule(email: str, valid: bool) -> None:
    assert credentials.email_is_valid(email) is valid


def test_password_messages_exist_in_both_languages() -> None:
    from lc_health.domain.i18n import translate

    for problem in credentials.PasswordProblem:
        texts = {lang: translate(lang, f"password.{problem.value}") for lang in ("nl", "en")}
        assert all(text and not text.startswith("password.") for text in texts.values()), texts
        assert texts["nl"] != texts["en"]


def test_account_input_problems(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    with pytest.raises(Invalid) as info, write_session(sqlite_engine) as session:
        ustore.create_user(
            session=session,
            email="ADA@example.org",
            role=Role.admin,
            password="kort1",
            confirm="kort2",
        )
    codes = {(p.field, p.code) for p in info.value.problems}
    assert codes == {
        ("email", "error.email_taken"),
        ("password", "password.too_short"),
        ("password", "password.mismatch"),
    }
    with pytest.raises(Invalid) as info, write_session(sqlite_engine) as session:
        ustore.create_user(session=session, email="not an email", role=Role.lead)
    assert {(p.field, p.code) for p in info.value.problems} == {
        ("email", "error.email_invalid"),
        ("communities", "error.lead_needs_community"),
    }
    with read_session(sqlite_engine) as session:
        assert len(ustore.users_frame(session=session)) == 1
