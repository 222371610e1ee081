"""The tokens in e-mails, derived instead of stored.

A mailed personal link must be put in the message when it is sent, but the database keeps only
a hash of every link's token. So the token of an address's link is derived: an HMAC-SHA256 of a
random per-address salt (stored) under the server's mail secret (a setting, never stored),
encoded like `credentials.new_token` (43 URL-safe characters, 256 bits). The link's stored hash
is the hash of that token, so the sender can rebuild the link at send time and check it against
the hash; neither the outbox nor the log ever holds it. The salt alone gives nothing without the
secret; the secret alone gives nothing without the salts. Changing the secret breaks the links
of addresses already added: the sender notices (the hash no longer matches) and marks their
messages failed instead of mailing a dead link.

The opt-out token is derived the same way, for another purpose; an address is remembered after
an opt-out only by its keyed hash (`address_key`), so it cannot be added again unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SALT_BYTES = 16
# Used only in demo mode when no secret is set: the demo sends nothing.
DEMO_SECRET = b"lc-health demo mail secret (demo mode only)"


def new_salt() -> str:
    """A fresh random salt for one address (32 hex characters)."""
    return secrets.token_hex(SALT_BYTES)


def _mac(secret: bytes, purpose: str, value: str) -> bytes:
    return hmac.new(secret, f"lc-health {purpose} v1:{value}".encode(), hashlib.sha256).digest()


def _token(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def link_token(secret: bytes, salt: str) -> str:
    """The survey link token of the address with this salt."""
    return _token(_mac(secret, "survey link", salt))


def optout_token(secret: bytes, salt: str) -> str:
    """The opt-out token of the address with this salt."""
    return _token(_mac(secret, "mail opt-out", salt))


def address_key(secret: bytes, address: str) -> str:
    """A keyed hash of a (normalised) address: finds it again without storing it."""
    return _mac(secret, "mail address", address).hex()
