"""Signing in (services.signin) within the limits of services.signin_limits, on real SQLite:
no account enumeration by outcome, audit actor or amount of hashing; per-address and per-client
waits that grow to a cap and never lock a known browser out; current-password checks count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from pwdlib import PasswordHash
from sqlalchemy import Engine, select

from lc_health.domain.enums import Role
from lc_health.domain.errors import Invalid
from lc_health.services import accounts, auth, signin
from lc_health.services.signin_limits import FIRST_WAIT_SECONDS, Client, Limits, wait_after
from lc_health.store import users as ustore
from lc_health.store.db import read_session, write_session
from lc_health.store.models import AuditEvent, SignInLimit, User, utcnow
from tests.services.audited import events

PASSWORD = "kas-tomaat-robot-42"
ADA = "ada@example.org"
LIMITS = Limits(threshold=3, cap=timedelta(minutes=15))
ATTACKER = Client(address="203.0.113.9", browser="attacker-browser")
ADA_BROWSER = Client(address="198.51.100.7", browser="ada-laptop")
Refused = signin.SignInOutcome.refused


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every argon2 verification made, counted at the library (the work an attacker can time)."""
    seen: list[str] = []
    real = PasswordHash.verify

    def counting(self: PasswordHash, password: str | bytes, hash: str | bytes) -> bool:
        seen.append("verify")
        return real(self, password, hash)

    monkeypatch.setattr(PasswordHash, "verify", counting)
    yield seen


def _admin(engine: Engine, email: str = ADA) -> int:
    with write_session(engine) as session:
        user = ustore.create_user(
            session=session, email=email, role=Role.admin, password=PASSWORD, confirm=PASSWORD
        )
        assert user.id is not None
        return user.id


def _try(
    engine: Engine,
    password: str,
    *,
    email: str = ADA,
    client: Client = ATTACKER,
    now: datetime | None = None,
) -> signin.SignInResult:
    with write_session(engine) as session:
        return signin.sign_in(
            session=session,
            email=email,
            password=password,
            client=client,
            limits=LIMITS,
            now=now,
        )


def test_right_password_signs_in_any_case_of_the_address(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    result = _try(sqlite_engine, PASSWORD, email="  ADA@Example.ORG ")
    assert result.outcome == signin.SignInOutcome.ok and result.user is not None


def test_unknown_wrong_inactive_and_waiting_look_the_same(
    sqlite_engine: Engine, verifications: list[str]
) -> None:
    user_id = _admin(sqlite_engine)
    _admin(sqlite_engine, email="bob@example.org")
    # Unknown address and wrong password: the same outcome after the same hashing work.
    verifications.clear()
    unknown = _try(sqlite_engine, PASSWORD, email="nobody@example.org")
    unknown_work = len(verifications)
    verifications.clear()
    wrong = _try(sqlite_engine, "wrong password!")
    assert unknown.outcome == wrong.outcome == Refused
    assert unknown_work == len(verifications) == 1
    # A deactivated account too.
    with write_session(sqlite_engine) as session:
        ustore.set_active(session=session, user_id=user_id, active=False)
    verifications.clear()
    assert _try(sqlite_engine, PASSWORD).outcome == Refused
    assert len(verifications) == 1
    # Waiting (too many failures) happens alike to a real and a made-up address, and a try
    # while waiting does no hashing for either.
    now = utcnow()
    for email in ("bob@example.org", "nobody@example.org"):
        for _ in range(LIMITS.threshold):
            _try(sqlite_engine, "wrong password!", email=email, client=Client(), now=now)
        verifications.clear()
        right = PASSWORD if email.startswith("bob") else "anything"
        assert _try(sqlite_engine, right, email=email, client=Client(), now=now).outcome == Refused
        assert verifications == []


def test_failures_wait_longer_each_time_up_to_a_cap(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    waits = [wait_after(n, threshold=3, cap=LIMITS.cap) for n in range(1, 12)]
    assert waits[:2] == [None, None]
    assert waits[2] == timedelta(seconds=FIRST_WAIT_SECONDS)
    assert waits[3] == 2 * waits[2]  # type: ignore[operator]
    assert max(w for w in waits if w) == LIMITS.cap and waits[-1] == LIMITS.cap
    now = utcnow()
    for _ in range(LIMITS.threshold):
        _try(sqlite_engine, "wrong password!", now=now)
    with read_session(sqlite_engine) as session:  # administrators see the wait
        user = session.get(User, user_id)
        assert user is not None and user.locked_until is not None
        assert user.locked_until.replace(tzinfo=None) == (
            now + timedelta(seconds=FIRST_WAIT_SECONDS)
        ).replace(tzinfo=None)
    # Even the right password is refused during the wait, from any client...
    assert _try(sqlite_engine, PASSWORD, client=Client(), now=now).outcome == Refused
    # ...and accepted once it is over.
    later = now + timedelta(seconds=FIRST_WAIT_SECONDS + 1)
    assert (
        _try(sqlite_engine, PASSWORD, client=Client(), now=later).outcome == signin.SignInOutcome.ok
    )


def test_guessing_never_keeps_the_owner_out_of_a_known_browser(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    now = utcnow()
    assert _try(sqlite_engine, PASSWORD, client=ADA_BROWSER, now=now).user is not None
    for _ in range(10):  # the attacker makes the address wait as long as it can
        _try(sqlite_engine, "guess!", now=now)
    assert _try(sqlite_engine, PASSWORD, client=Client(browser="new"), now=now).outcome == Refused
    # Ada's own browser signed in to this address before: it has a counter of its own.
    ok = _try(sqlite_engine, PASSWORD, client=ADA_BROWSER, now=now)
    assert ok.outcome == signin.SignInOutcome.ok


def test_one_client_cannot_try_address_after_address(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    _admin(sqlite_engine, email="bob@example.org")
    now = utcnow()
    # Bob signed in before from a browser behind the attacker's address (one proxy).
    bob = Client(address=ATTACKER.address, browser="bob-desktop")
    assert _try(sqlite_engine, PASSWORD, email="bob@example.org", client=bob, now=now).user
    for n in range(30):  # one failure per address: no address reaches its own limit
        _try(sqlite_engine, "guess!", email=f"user{n}@example.org", now=now)
    assert _try(sqlite_engine, PASSWORD, now=now).outcome == Refused  # the client waits
    new_browser = Client(address=ATTACKER.address, browser="new")
    assert _try(sqlite_engine, PASSWORD, client=new_browser, now=now).outcome == Refused
    # Anyone elsewhere, and a known browser at the same address, can still sign in.
    assert _try(sqlite_engine, PASSWORD, client=ADA_BROWSER, now=now).user is not None
    assert _try(sqlite_engine, PASSWORD, email="bob@example.org", client=bob, now=now).user


def test_an_administrator_reset_lets_the_address_be_tried_at_once(sqlite_engine: Engine) -> None:
    user_id = _admin(sqlite_engine)
    for _ in range(LIMITS.threshold):
        _try(sqlite_engine, "wrong password!")
    new = "nieuw-lang-wachtwoord-7"
    with write_session(sqlite_engine) as session:
        ustore.set_password(session=session, user_id=user_id, password=new, confirm=new)
    assert _try(sqlite_engine, new, client=Client()).outcome == signin.SignInOutcome.ok


def test_current_password_checks_count_towards_the_limits(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    new = "een-ander-lang-wachtwoord-9"
    codes = []
    for _ in range(LIMITS.threshold + 1):
        with pytest.raises(Invalid) as info:
            accounts.change_own_password(
                sqlite_engine,
                email=ADA,
                current="fout",
                password=new,
                confirm=new,
                client=ATTACKER,
                limits=LIMITS,
            )
        codes.append(info.value.problems[0].code)
    assert codes[-1] == "error.too_many_tries"
    assert codes[:-1] == ["error.current_password"] * LIMITS.threshold
    # The address now waits for sign-in too.
    assert _try(sqlite_engine, PASSWORD, client=Client()).outcome == Refused


def test_sign_ins_are_audited_without_passwords(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    now = utcnow()
    _try(sqlite_engine, PASSWORD, now=now)
    _try(sqlite_engine, "Secret-typo-1", email="Secret-typo-2", now=now)
    for _ in range(LIMITS.threshold):
        _try(sqlite_engine, "wrong password!", now=now)
    trail = events(sqlite_engine)
    assert trail[0] == (ADA, "signin.success", "")
    unknown_actor, action, _ = trail[1]
    assert action == "signin.failure" and unknown_actor.startswith("address:")
    assert [a for _, a, _ in trail[2:]] == ["signin.failure"] * 3 + ["signin.throttled"]
    assert all(actor == ADA for actor, _, _ in trail[2:])
    with read_session(sqlite_engine) as session:
        rows = session.execute(select(AuditEvent.actor, AuditEvent.detail)).all()
        stored = " ".join(f"{a} {d}" for a, d in rows)
        limit_keys = session.execute(select(SignInLimit.key_hash)).scalars().all()
    assert "throttled" in trail[-1][1] and '"kind": "account"' in stored
    for secret in (PASSWORD, "Secret-typo", "wrong password", ATTACKER.address):
        assert secret.lower() not in stored.lower()
    assert all(len(k) == 64 and "@" not in k for k in limit_keys)


def test_counters_are_forgotten_after_a_day_but_known_browsers_are_kept(
    sqlite_engine: Engine,
) -> None:
    _admin(sqlite_engine)
    then = utcnow()
    assert _try(sqlite_engine, PASSWORD, client=ADA_BROWSER, now=then).user is not None
    _try(sqlite_engine, "guess!", email="nobody@example.org", now=then)
    with read_session(sqlite_engine) as session:
        kinds = sorted(session.execute(select(SignInLimit.kind)).scalars())
    assert kinds == ["address", "client", "known"]
    with write_session(sqlite_engine) as session:
        auth.purge_expired_sessions(session=session, now=then + timedelta(days=2))
    with read_session(sqlite_engine) as session:
        assert list(session.execute(select(SignInLimit.kind)).scalars()) == ["known"]


def test_single_sign_on_is_audited_without_naming_an_unknown_address(sqlite_engine: Engine) -> None:
    _admin(sqlite_engine)
    with write_session(sqlite_engine) as session:
        signin.record_sso(session=session, email=ADA, refusal=None)
        signin.record_sso(session=session, email="stranger@example.org", refusal="no_account")
        signin.record_sso(session=session, email="stranger@example.org", refusal="unverified")
        signin.record_sso(session=session, email=None, refusal="no_email")
    logged = [(actor, action) for actor, action, _ in events(sqlite_engine)]
    assert logged[-4] == (ADA, "signin.success")
    assert [action for _, action in logged[-3:]] == ["signin.failure"] * 3
    assert logged[-1][0] == "sso:no-address"
    stranger = {actor for actor, _ in logged[-3:-1]}
    assert len(stranger) == 1 and next(iter(stranger)).startswith("address:")
    with read_session(sqlite_engine) as session:
        details = [row.detail for row in session.exec(select(AuditEvent)).scalars()]
    assert not any("stranger@example.org" in detail for detail in details)
    assert sum('"method": "sso"' in detail for detail in details) == 4
    with read_session(sqlite_engine) as session:
        ada = auth.find_user(session=session, email=ADA)
        assert ada is not None and ada.last_signin_at is not None
