"""Credentials as values: argon2id password hashing, the password rule (zxcvbn with English and
Dutch word lists), the e-mail rule (email-validator), and unguessable tokens with their hashes.
Pure: the store keeps only what these functions return."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from importlib import resources

from email_validator import EmailNotValidError, validate_email
from pwdlib import PasswordHash
from zxcvbn import matching as zxcvbn_matching
from zxcvbn import zxcvbn

_hasher = PasswordHash.recommended()  # argon2id with the library's current parameters
# Verified against when the email is unknown, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("no account has this password")

MIN_PASSWORD_LENGTH = 10
TOKEN_BYTES = 32  # 256 bits: unguessable
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 too guessable ... 4 very unguessable
SCORED_LENGTH = 100  # zxcvbn's cost grows with length; beyond this a password is strong anyway
_PREDICTABLE = frozenset({"sequence", "spatial", "repeat", "date", "regex"})
_dutch_loaded = False


def _dutch_words() -> list[str]:
    """The Dutch word list shipped with the package, most common first, without repeats."""
    text = resources.files("lc_health.domain").joinpath("wordlists/nl.txt").read_text("utf-8")
    words = (line.strip().lower() for line in text.splitlines())
    return list(dict.fromkeys(w for w in words if w and not w.startswith("#")))


def _guessability(password: str, user_inputs: list[str]) -> tuple[int, set[str]]:
    """zxcvbn's score (with Dutch added to its English lists) and the kinds of pattern found."""
    global _dutch_loaded
    if not _dutch_loaded:
        zxcvbn_matching.add_frequency_lists({"dutch": _dutch_words()})
        _dutch_loaded = True
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=user_inputs)
    return int(result["score"]), {str(m["pattern"]) for m in result["sequence"]}


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
    """Checked by email-validator (syntax only, no DNS): internationalised domains pass,
    `a@b..nl`, reserved names such as `x@localhost` and addresses over 254 characters fail."""
    try:
        validate_email(normalise_email(email), check_deliverability=False)
    except EmailNotValidError:
        return False
    return len(email.strip()) <= 254


class PasswordProblem(StrEnum):
    too_short = "too_short"
    too_common = "too_common"  # built from common passwords, words or names
    too_predictable = "too_predictable"  # sequences, keyboard rows, repeats, dates
    contains_email = "contains_email"
    mismatch = "mismatch"


def password_problems(password: str, *, email: str = "", confirm: str | None = None) -> list[str]:
    """Why a new password is not acceptable (message keys `password.<problem>`)."""
    problems: list[PasswordProblem] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(PasswordProblem.too_short)
    lowered = password.lower()
    local = normalise_email(email).split("@")[0]
    if len(password) >= MIN_PASSWORD_LENGTH:
        score, patterns = _guessability(password, [local] if local else [])
    else:
        score, patterns = MIN_PASSWORD_SCORE, set()  # too short says enough
    if score < MIN_PASSWORD_SCORE:
        common = "dictionary" in patterns or not patterns & _PREDICTABLE
        problems.append(PasswordProblem.too_common if common else PasswordProblem.too_predictable)
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
