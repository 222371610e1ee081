"""Every export handed out, in the audit log: which export, of what (its scope), in which format,
for which audience and who took it; never a byte of its content. The pages' download buttons
and `lc-health export` both go through here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.store import audit
from lc_health.store.db import write_session

ACTION = "export"


def record_export(
    *, session: Session, actor: str, export: str, fmt: str, scope: str, audience: str
) -> None:
    """The audit record of one export handed out (in the caller's transaction)."""
    audit.record(
        session=session,
        actor=actor,
        action=ACTION,
        target=scope,
        export=export,
        format=fmt,
        audience=audience,
    )


def hand_out(
    *,
    engine: Engine,
    make: Callable[[], bytes],
    actor: str,
    export: str,
    fmt: str,
    scope: str,
    audience: str,
) -> bytes:
    """Make an export and record that it was handed out (nothing is recorded when making it
    fails). For a download button: it runs when the button is pressed."""
    data = make()
    with write_session(engine) as session:
        record_export(
            session=session, actor=actor, export=export, fmt=fmt, scope=scope, audience=audience
        )
    return data
