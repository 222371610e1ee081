"""Single sign-on as a decision on the provider's claims: an OpenID Connect provider vouches for
an address only when it says the address is verified (`email_verified`, a JSON boolean in the ID
token, OpenID Connect Core 5.1). Without that, anyone who can set that address in an account at
the provider could sign in as the lc-health user who owns it. Pure: the page asks, then matches
the accepted address to an account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from lc_health.domain.credentials import email_is_valid, normalise_email


class SsoRefusal(StrEnum):
    """Why a provider's sign-in is not accepted; each has a message `sso.refused.<value>`."""

    no_email = "no_email"
    unverified = "unverified"
    invalid_email = "invalid_email"


@dataclass(frozen=True)
class SsoDecision:
    """Accepted with the normalised address (refusal None), or refused with the reason."""

    email: str | None
    refusal: SsoRefusal | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


def _verified(value: object) -> bool:
    # Only the boolean the specification prescribes, or its exact spelling as a string (some
    # providers send "true"); "false", "1", "yes" and a missing claim are not a verification.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def decide(claims: Mapping[str, object]) -> SsoDecision:
    """Accept a provider's claims only with an address that the provider says it verified."""
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw.strip():
        return SsoDecision(email=None, refusal=SsoRefusal.no_email)
    if not _verified(claims.get("email_verified")):
        return SsoDecision(email=None, refusal=SsoRefusal.unverified)
    if not email_is_valid(raw):
        return SsoDecision(email=None, refusal=SsoRefusal.invalid_email)
    return SsoDecision(email=normalise_email(raw), refusal=None)
