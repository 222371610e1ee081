"""An administrator looking up what is stored with one link: the look itself is recorded."""

from __future__ import annotations

from sqlmodel import Session

from lc_health.services import privacy
from lc_health.store import audit


def look_up(*, session: Session, token: str, actor: str) -> privacy.Stored | None:
    """What is stored with the link (services.privacy.stored), None for an unknown token. Looking
    at someone's data is itself worth a record: one for every known link, naming its number and
    community, never the token."""
    found = privacy.stored(session=session, token=token)
    if found is not None:
        audit.record(
            session=session,
            actor=actor,
            action="privacy.lookup",
            target=found.community,
            link=found.invitation_id,
        )
    return found
