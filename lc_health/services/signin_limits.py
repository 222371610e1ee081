"""Limits on password guessing that cannot be turned into a lock-out.

Failed password checks (at sign-in and on My account) count against two keys:
- the address typed, whether or not an account has it (so the limit says nothing about which
  addresses exist). A browser that signed in to that address before counts on its own key
  instead, so someone guessing at an address never keeps its owner out of a known browser;
- the client (its IP address), so one client cannot try many addresses (a known browser is
  exempt, so that many people behind one address are not kept out by one of them).
From the `threshold`-th failure in a row a key waits before its next try: 30 s, doubling with
each further failure, never longer than the cap. Nothing locks for good; a success clears the
address key. Only hashes of keys are stored; counters untouched for a day are forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from lc_health.domain import credentials
from lc_health.store import signin_limits as limit_store

FIRST_WAIT_SECONDS = 30
CLIENT_THRESHOLD = 30  # failures from one client (any addresses) before it waits
FORGET_AFTER = timedelta(days=1)
KNOWN_BROWSER_DAYS = 180


@dataclass(frozen=True)
class Client:
    """Who is asking: the IP address the server sees and the browser's id cookie (either may be
    empty, for instance on the command line)."""

    address: str = ""
    browser: str = ""


@dataclass(frozen=True)
class Limits:
    threshold: int = 5  # settings.max_failed_signins
    cap: timedelta = timedelta(minutes=15)  # settings.lockout_minutes


NO_CLIENT = Client()
DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Keys:
    account: str
    account_kind: str
    client: str | None


def client_tag(client: Client) -> str:
    """A short pseudonym of the client for the audit log (not its address)."""
    return credentials.limit_key("client", client.address)[:12] if client.address else ""


def keys_for(session: Session, *, email: str, client: Client) -> Keys:
    email = credentials.normalise_email(email)
    client_key = credentials.limit_key("client", client.address) if client.address else None
    if client.browser:
        known = credentials.limit_key("known", f"{email}\n{client.browser}")
        if limit_store.get(session, key_hash=known) is not None:
            # Not the client key either: behind a shared address (a proxy, a campus network)
            # an attacker's failures must not keep a returning browser out.
            return Keys(known, "known", None)
    return Keys(credentials.limit_key("address", email), "address", client_key)


def _pairs(keys: Keys, limits: Limits) -> list[tuple[str, str, int]]:
    pairs = [(keys.account, keys.account_kind, limits.threshold)]
    if keys.client is not None:
        pairs.append((keys.client, "client", CLIENT_THRESHOLD))
    return pairs


def waiting_until(session: Session, *, keys: Keys, now: datetime) -> datetime | None:
    """Until when a try with these keys is refused unchecked (None: it may be checked now)."""
    latest: datetime | None = None
    for key in (keys.account, keys.client):
        row = limit_store.get(session, key_hash=key) if key else None
        if row and row.blocked_until and row.blocked_until > now:
            latest = max(latest or row.blocked_until, row.blocked_until)
    return latest


def wait_after(failures: int, *, threshold: int, cap: timedelta) -> timedelta | None:
    """How long a key waits after its n-th failure in a row (None: not yet)."""
    if failures < threshold:
        return None
    doublings = min(failures - threshold, 20)
    return min(timedelta(seconds=FIRST_WAIT_SECONDS * 2**doublings), cap)


def count_failure(
    session: Session, *, keys: Keys, limits: Limits, now: datetime
) -> dict[str, datetime]:
    """Count one failed check; returns the kinds of key that now wait, and until when."""
    waiting: dict[str, datetime] = {}
    for key, kind, threshold in _pairs(keys, limits):
        row = limit_store.get_or_new(session, key_hash=key, kind=kind, now=now)
        if row.updated_at < now - FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.updated_at = now
        wait = wait_after(row.failures, threshold=threshold, cap=limits.cap)
        if wait is not None:
            row.blocked_until = now + wait
            waiting["client" if kind == "client" else "account"] = row.blocked_until
        limit_store.save(session, row=row)
    return waiting


def count_success(
    session: Session, *, keys: Keys, email: str, client: Client, now: datetime
) -> None:
    """The address key starts again; this browser becomes known for this address."""
    limit_store.clear(session, key_hash=keys.account)
    if client.browser:
        email = credentials.normalise_email(email)
        known = credentials.limit_key("known", f"{email}\n{client.browser}")
        row = limit_store.get_or_new(session, key_hash=known, kind="known", now=now)
        row.failures, row.blocked_until, row.updated_at = 0, None, now
        limit_store.save(session, row=row)


def forget_old(session: Session, *, now: datetime) -> None:
    for kind in ("address", "client"):
        limit_store.delete_older_than(session, kind=kind, before=now - FORGET_AFTER)
    limit_store.delete_older_than(
        session, kind="known", before=now - timedelta(days=KNOWN_BROWSER_DAYS)
    )
