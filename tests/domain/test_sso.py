"""Single sign-on accepts a provider's address only when the provider says it verified it."""

from __future__ import annotations

import pytest

from lc_health.domain.i18n import LANGUAGES, translate
from lc_health.domain.sso import SsoRefusal, decide

ADDRESS = "  J.Jansen@Example.NL "


def test_verified_address_is_accepted_normalised() -> None:
    decision = decide({"email": ADDRESS, "email_verified": True, "sub": "x"})
    assert decision.accepted
    assert decision.email == "j.jansen@example.nl"
    assert decision.refusal is None


def test_the_string_true_counts_as_verified() -> None:
    assert decide({"email": ADDRESS, "email_verified": "true"}).email == "j.jansen@example.nl"
    assert decide({"email": ADDRESS, "email_verified": " TRUE "}).accepted


@pytest.mark.parametrize(
    "claims",
    [
        {"email": ADDRESS},
        {"email": ADDRESS, "email_verified": None},
        {"email": ADDRESS, "email_verified": False},
        {"email": ADDRESS, "email_verified": "false"},
        {"email": ADDRESS, "email_verified": "False"},
        {"email": ADDRESS, "email_verified": ""},
        {"email": ADDRESS, "email_verified": "yes"},
        {"email": ADDRESS, "email_verified": "1"},
        {"email": ADDRESS, "email_verified": 1},
        {"email": ADDRESS, "email_verified": [True]},
    ],
    ids=[
        "missing",
        "null",
        "false",
        "false-string",
        "False-string",
        "empty",
        "yes",
        "1",
        "int",
        "list",
    ],
)
def test_an_address_not_verified_is_refused(claims: dict[str, object]) -> None:
    decision = decide(claims)
    assert not decision.accepted
    assert decision.email is None
    assert decision.refusal is SsoRefusal.unverified


@pytest.mark.parametrize(
    "claims",
    [
        {"email_verified": True},
        {"email": "", "email_verified": True},
        {"email": "  "},
        {"email": 7},
    ],
    ids=["missing", "empty", "blank", "not-text"],
)
def test_no_address_is_refused(claims: dict[str, object]) -> None:
    decision = decide(claims)
    assert decision.email is None
    assert decision.refusal is SsoRefusal.no_email


def test_a_verified_but_malformed_address_is_refused() -> None:
    decision = decide({"email": "not an address", "email_verified": True})
    assert decision.email is None
    assert decision.refusal is SsoRefusal.invalid_email


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("refusal", list(SsoRefusal))
def test_every_refusal_has_a_message_in_each_language(lang: str, refusal: SsoRefusal) -> None:
    key = f"sso.refused.{refusal}"
    text = translate(lang, key)
    assert text != key
    assert ("niet ingelogd" if lang == "nl" else "not signed in") in text
