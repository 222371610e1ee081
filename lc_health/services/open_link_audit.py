"""Spotting padding through a round's open link.

Padding: someone sends made-up responses through the open link until a group reaches the
anonymity threshold, then subtracts them from the published means to find the real answers
(one real all-2 response plus four all-5 ones: 5 x 4.40 - 4 x 5 = 2). The survey page records an
audit row for every new open-link response (store.open_links; not linked to the response), and
padding_flags reads those rows. See docs/privacy-padding.md for the threat model.

The browser session is kept only as HMAC-SHA256(salt, Streamlit session id): the salt is a
random secret made once per database (AppMeta), so the hashes cannot be linked across
databases or recomputed from a session id without the database. Neither the session id nor the
salt is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from lc_health.store import open_links
from lc_health.store.db import read_session, write_session

MIN_STRAIGHTLINE_RATINGS = 4  # fewer ratings than this all alike say nothing
WINDOW_MINUTES = 30  # about one workshop session
FAST_SECONDS = 90  # the survey takes about five minutes; under 1.5 is not reading it
SALT_BYTES = 32
FLAG_COLUMNS = [
    "round_id",
    "submissions",
    "sessions",
    "made_up",
    "repeated_sessions",
    "window_start",
    "window_made_up",
    "burst",
    "repeat",
    "flagged",
]


def session_hash(*, salt: str, session_id: str) -> str:
    """HMAC-SHA256 of the session id under the database's salt, as hex."""
    return hmac.new(salt.encode(), session_id.encode(), hashlib.sha256).hexdigest()


def is_straightlined(ratings: Iterable[int | None]) -> bool:
    """Every rating (1..5; don't know and anything else ignored) the same, and at least four."""
    values = [v for v in ratings if v is not None and 1 <= v <= 5]
    return len(values) >= MIN_STRAIGHTLINE_RATINGS and len(set(values)) == 1


def database_salt(engine: Engine) -> str:
    """This database's salt, made on first use. Two processes making it at once: the first
    commit wins and the other reads it."""
    with read_session(engine) as session:
        salt = open_links.stored_salt(session=session)
    if salt is not None:
        return salt
    try:
        with write_session(engine) as session:
            open_links.add_salt(session=session, salt=secrets.token_hex(SALT_BYTES))
    except IntegrityError:
        pass
    with read_session(engine) as session:
        salt = open_links.stored_salt(session=session)
    if salt is None:  # pragma: no cover - the insert above committed or lost to one that did
        raise RuntimeError("the open-link salt could not be stored")
    return salt


def record_submission(
    engine: Engine,
    *,
    round_id: int,
    session_id: str,
    ratings: Iterable[int | None],
    seconds: int | None,
) -> None:
    """Record a new open-link response in the trail, in a transaction of its own."""
    digest = session_hash(salt=database_salt(engine), session_id=session_id)
    with write_session(engine) as session:
        open_links.record_open_link_submission(
            session=session,
            round_id=round_id,
            session_hash=digest,
            straightlined=is_straightlined(ratings),
            seconds=seconds,
        )


def _densest_window(times: pd.Series, window: pd.Timedelta) -> tuple[int, pd.Timestamp | None]:
    """The most submissions starting within one window, and when the first such window starts."""
    if times.empty:
        return 0, None
    stamps = np.sort(times.to_numpy(dtype="datetime64[ns]"))
    ends = np.searchsorted(stamps, stamps + window.to_timedelta64(), side="left")
    counts = ends - np.arange(len(stamps))
    best = int(counts.argmax())
    return int(counts[best]), pd.Timestamp(stamps[best], tz="UTC")


def padding_flags(
    trail: pd.DataFrame,
    *,
    threshold: int,
    window_minutes: int = WINDOW_MINUTES,
    fast_seconds: int = FAST_SECONDS,
) -> pd.DataFrame:
    """A verdict per round of an open-link trail (store.open_links.open_link_trail(s)).

    A submission looks made up when it is straightlined (every rating alike) or was sent
    faster than `fast_seconds` after the survey was first shown. A round is flagged when
    - burst: within some window of `window_minutes`, at least max(2, threshold - 1) made-up
      submissions arrived: enough to lift one real respondent over the anonymity threshold; or
    - repeat: one browser session (the same session hash) submitted more than once.

    Columns: round_id, submissions, sessions (distinct browser sessions), made_up,
    repeated_sessions (sessions that submitted more than once), window_start (UTC start of the
    densest window of made-up submissions, NaT when there are none), window_made_up (made-up
    submissions in that window), burst, repeat, flagged. Never a session hash.

    For one round (e.g. beside a lead's figures)::

        trail = store.open_links.open_link_trail(session=session, round_id=round_id)
        flags = padding_flags(trail, threshold=settings.anonymity_threshold)
        flagged = bool(flags["flagged"].any())  # no rows: no open-link submissions

    The rule and what it cannot catch: docs/privacy-padding.md.
    """
    needed = max(2, threshold - 1)
    window = pd.Timedelta(minutes=window_minutes)
    rows = []
    for _, group in trail.groupby("round_id", sort=True):
        fast = group["seconds"].astype("Float64").lt(fast_seconds).fillna(False)
        made_up = group["straightlined"].astype(bool) | fast.astype(bool)
        at = pd.to_datetime(group.loc[made_up, "at"], utc=True)
        in_window, start = _densest_window(at, window)
        per_session = group["session_hash"].value_counts()
        repeated = int((per_session > 1).sum())
        burst = in_window >= needed
        rows.append(
            {
                "round_id": int(group["round_id"].iloc[0]),
                "submissions": len(group),
                "sessions": len(per_session),
                "made_up": int(made_up.sum()),
                "repeated_sessions": repeated,
                "window_start": start if start is not None else pd.NaT,
                "window_made_up": in_window,
                "burst": burst,
                "repeat": repeated > 0,
                "flagged": burst or repeated > 0,
            }
        )
    frame = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    frame["window_start"] = pd.to_datetime(frame["window_start"], utc=True)
    return frame.astype(
        {
            "round_id": "int64",
            "submissions": "int64",
            "sessions": "int64",
            "made_up": "int64",
            "repeated_sessions": "int64",
            "window_made_up": "int64",
            "burst": "bool",
            "repeat": "bool",
            "flagged": "bool",
        }
    )


def padding_review(
    rounds: pd.DataFrame,
    trail: pd.DataFrame,
    *,
    threshold: int,
    window_minutes: int = WINDOW_MINUTES,
    fast_seconds: int = FAST_SECONDS,
) -> pd.DataFrame:
    """The admin's table: rounds (store.open_links.open_link_rounds_summary) with their
    padding_flags verdict, flagged rounds first. Columns: community, period, and those of
    padding_flags except round_id."""
    flags = padding_flags(
        trail, threshold=threshold, window_minutes=window_minutes, fast_seconds=fast_seconds
    )
    merged = rounds[["round_id", "community", "period"]].merge(flags, on="round_id", how="inner")
    merged = merged.sort_values(
        ["flagged", "period", "community"], ascending=[False, False, True], kind="stable"
    )
    return merged.drop(columns=["round_id"]).reset_index(drop=True)
