"""Credentials as values: argon2id password hashing, the password and e-mail rules, and
unguessable tokens with their hashes. Pure: the store keeps only what these functions return."""

from __future__ import annotations

import hashlib
import re
import secrets
from enum import StrEnum

from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()  # argon2id with the library's current parameters
# Verified against when the email is unknown, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("no account has this password")

MIN_PASSWORD_LENGTH = 10
TOKEN_BYTES = 32  # 256 bits: unguessable
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "wachtwoord",
        "wachtwoord1",
        "welkom",
        "welkom01",
        "welkom123",
        "qwerty",
        "qwertyuiop",
        "123456789",
        "1234567890",
        "letmein",
        "iloveyou",
        "admin",
        "administrator",
        "changeme",
    }
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        return _hasher.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None
    except Exception:  # a malformed stored hash is a failed sign-in, never a crash
        return False


def updated_hash(password: str, password_hash: str) -> str | None:
    """A new hash of a verified password when the recommended parameters changed, else None."""
    _, updated = _hasher.verify_and_update(password, password_hash)
    return updated


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_is_valid(email: str) -> bool:
    return bool(EMAIL_PATTERN.match(normalise_email(email))) and len(email) <= 254


class PasswordProblem(StrEnum):
    too_short = "too_short"
    too_common = "too_common"
    contains_email = "contains_email"
    mismatch = "mismatch"


def password_problems(password: str, *, email: str = "", confirm: str | None = None) -> list[str]:
    """Why a new password is not acceptable (message keys `password.<problem>`)."""
    problems: list[PasswordProblem] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(PasswordProblem.too_short)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
        problems.append(PasswordProblem.too_common)
    local = normalise_email(email).split("@")[0]
    if len(local) >= 4 and local in lowered:
        problems.append(PasswordProblem.contains_email)
    if confirm is not None and confirm != password:
        problems.append(PasswordProblem.mismatch)
    return [p.value for p in problems]


def new_token() -> str:
    """A fresh unguessable token for a link, a session or a hand-over."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 of a token. Tokens carry 256 random bits, so a fast hash suffices."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def limit_key(kind: str, value: str) -> str:
    """The stored name of a sign-in counter (`address`, `known` or `client`, see
    services.signin_limits): a hash, so the table holds no addresses."""
    return hash_token(f"{kind}:{value}")
