"""Building rounds with responses through each channel, publishing them and reading back what
each audience may see (the export document), for the disclosure tests. Everything goes through
the real store."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from lc_health.documents.round_export import load_document, to_json
from lc_health.domain.disclosure import Audience, Policy
from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.schemas import ResponseIn
from lc_health.services.publication import instrument_for
from lc_health.store import invitations as istore
from lc_health.store import publication as publication_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Invitation
from lc_health.store.responses import save_response
from tests.factories import make_community, make_round

TODAY = date(2026, 12, 1)
PUBLISHED_AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
_keys = itertools.count(1)


@dataclass
class Round:
    """One community's round with its personal links (by position) and open link."""

    community_id: int
    round_id: int
    links: list[int] = field(default_factory=list)  # invitation ids of personal links
    keys: dict[int, str] = field(default_factory=dict)  # invitation id -> respondent key
    open_link: int | None = None


def make(
    session: Session,
    instrument: Instrument,
    *,
    personal: int = 0,
    open_link: bool = False,
    community_id: int | None = None,
    period: str = "2026-Q3",
    opens_on: date = date(2026, 7, 1),
    closes_on: date = date(2026, 9, 30),
    links: list[int] | None = None,
    name: str = "Fieldlab Zuid",
) -> Round:
    """A round (closed by its date before TODAY unless told otherwise), with `personal` new
    personal links of its community (or the given `links`) and, if asked, an open link."""
    if community_id is None:
        community = make_community(session, name=name)
        assert community.id is not None
        community_id = community.id
    rnd = make_round(
        session,
        instrument,
        community_id=community_id,
        period=period,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    assert rnd.id is not None
    made = Round(community_id=community_id, round_id=rnd.id)
    ids = list(links or [])
    if personal:
        made_links = istore.create_personal_links(
            session=session, community_id=community_id, count=personal
        )
        ids += [link.invitation_id for link in made_links]
    for invitation_id in ids:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        # Valid from before the round opened.
        invitation.created_at = datetime(2026, 1, 1, tzinfo=UTC)
        session.add(invitation)
        made.keys[invitation_id] = invitation.respondent_key
    made.links = ids
    if open_link:
        made.open_link = istore.create_open_link(session=session, round_id=rnd.id).invitation_id
    session.flush()
    return made


def answer(
    session: Session,
    instrument: Instrument,
    rnd: Round,
    answers: Mapping[str, int | None],
    *,
    link: int | None = None,
    source: Source = Source.web,
    role: str | None = "student",
    organisation_type: str | None = "mbo",
    forces: frozenset[str] | None = frozenset(),
    comment: str | None = None,
    submitted_at: datetime | None = None,
) -> int:
    """Store one response: through personal link `link` (an invitation id), else through the
    open link (web), paper or an import (by `source`)."""
    result = save_response(
        session=session,
        response_in=ResponseIn(
            round_id=rnd.round_id,
            submission_key=f"s{next(_keys)}",
            invitation_id=link,
            respondent_key=rnd.keys[link] if link is not None else None,
            role=role,
            organisation_type=organisation_type,
            answers=dict(answers),
            forces=forces,
            comment=comment,
            source=source,
            submitted_at=submitted_at or datetime(2026, 9, 1, 12, tzinfo=UTC),
        ),
        instrument=instrument,
    )
    return result.response_id


def publish(
    engine: Engine,
    registry: Registry,
    policy: Policy | None = None,
    *,
    today: date = TODAY,
    now: datetime = PUBLISHED_AT,
) -> list[publication_store.Outcome]:
    with write_session(engine) as session:
        return publication_store.publish_due(
            session,
            today=today,
            instrument_for=instrument_for(registry),
            policy=policy or Policy(),
            now=now,
        )


def document(
    engine: Engine,
    registry: Registry,
    round_id: int,
    audience: Audience | str,
    policy: Policy | None = None,
) -> dict[str, Any]:
    with read_session(engine) as session:
        return load_document(
            session=session,
            round_id=round_id,
            audience=audience,
            registry=registry,
            policy=policy or Policy(),
        )


def published_bytes(
    engine: Engine,
    registry: Registry,
    round_ids: list[int],
    policy: Policy | None = None,
    *,
    with_dates: bool = True,
) -> bytes:
    """Everything a lead and a policy maker can see of these rounds, as one byte string
    (without the rounds' opening and closing dates when `with_dates` is false: reopening a
    round moves them, and they are no figure)."""
    parts = []
    for round_id in round_ids:
        for audience in (Audience.lead, Audience.policy):
            try:
                doc = document(engine, registry, round_id, audience, policy)
                if not with_dates:
                    doc["round"].pop("opens_on"), doc["round"].pop("closes_on")
                parts.append(to_json(doc))
            except LookupError as exc:  # not published: nothing to see
                parts.append(str(exc).encode())
    return b"\n".join(parts)


def all_items(instrument: Instrument, value: int | None) -> dict[str, int | None]:
    return {item.id: value for item in instrument.items}
