"""services.communities (update, archive, members, organisations) and services.invitations:
each write with its audit record, and refused input writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.services import communities as csvc
from lc_health.services import invitations as isvc
from lc_health.store import db
from lc_health.store.models import AuditEvent, Community, Invitation, Membership, Organisation
from tests.factories import make_community, make_round
from tests.services.audited import count, events

ADMIN = "beheer@example.org"
TYPES = ["school", "company"]


def _community(engine: Engine, name: str = "Kas van Morgen") -> int:
    with db.write_session(engine) as session:
        row = make_community(session, name=name)
        assert row.id is not None
        return row.id


def test_update_and_archive_are_audited(engine: Engine) -> None:
    community_id = _community(engine)
    with db.write_session(engine) as session:
        csvc.update_community(
            session=session, community_id=community_id, name=" Kas van Overmorgen ", actor=ADMIN
        )
        csvc.set_archived(session=session, community_id=community_id, archived=True, actor=ADMIN)
        csvc.set_archived(session=session, community_id=community_id, archived=False, actor=ADMIN)
    assert events(engine) == [
        (ADMIN, "community.update", "Kas van Overmorgen"),
        (ADMIN, "community.archive", "Kas van Overmorgen"),
        (ADMIN, "community.unarchive", "Kas van Overmorgen"),
    ]


def test_refused_community_changes_write_nothing(engine: Engine) -> None:
    community_id = _community(engine)
    other = _community(engine, "Bijenlint")
    attempts = [
        lambda s: csvc.update_community(session=s, community_id=other, name="", actor=ADMIN),
        lambda s: csvc.update_community(
            session=s, community_id=other, name="Kas van Morgen", actor=ADMIN
        ),
        lambda s: csvc.update_community(session=s, community_id=999, name="X", actor=ADMIN),
        lambda s: csvc.set_archived(session=s, community_id=999, archived=True, actor=ADMIN),
        lambda s: csvc.set_members(session=s, community_id=999, organisation_ids=[], actor=ADMIN),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid), db.write_session(engine) as session:
            attempt(session)
    assert count(engine, AuditEvent) == 0
    with db.read_session(engine) as session:
        row = session.get(Community, other)
        assert row is not None and row.name == "Bijenlint"
        assert community_id != other


def test_organisations_and_members_are_audited(engine: Engine) -> None:
    community_id = _community(engine)
    with db.write_session(engine) as session:
        org = csvc.create_organisation(
            session=session, name=" ROC Kustland ", type="school", types=TYPES, actor=ADMIN
        )
        assert org.id is not None
        csvc.set_members(
            session=session, community_id=community_id, organisation_ids=[org.id], actor=ADMIN
        )
    for name, kind in [("roc kustland", "school"), ("", "school"), ("Tuinbouw BV", "farm")]:
        with pytest.raises(Invalid), db.write_session(engine) as session:
            csvc.create_organisation(
                session=session, name=name, type=kind, types=TYPES, actor=ADMIN
            )
    assert count(engine, Organisation) == 1 and count(engine, Membership) == 1
    assert events(engine) == [
        (ADMIN, "organisation.create", "ROC Kustland"),
        (ADMIN, "membership.update", "Kas van Morgen"),
    ]


def test_links_are_audited_by_count_never_by_token(engine: Engine, instrument: Instrument) -> None:
    community_id = _community(engine)
    with db.write_session(engine) as session:
        rnd = make_round(session, instrument, community_id=community_id)
        assert rnd.id is not None
        links = isvc.make_personal_links(
            session=session, community_id=community_id, count=3, label="hal", actor=ADMIN
        )
        isvc.make_open_link(session=session, round_id=rnd.id, actor=ADMIN)
        revoked = isvc.revoke_links(
            session=session,
            community_id=community_id,
            invitation_ids=[links[0].invitation_id],
            actor=ADMIN,
        )
    assert revoked == 1 and count(engine, Invitation) == 4
    assert events(engine) == [
        (ADMIN, "links.personal", "Kas van Morgen"),
        (ADMIN, "links.open", "Kas van Morgen 2026-Q3"),
        (ADMIN, "links.revoke", "Kas van Morgen"),
    ]
    with db.read_session(engine) as session:
        details = " ".join(session.exec(select(AuditEvent.detail)).all())
    assert not any(link.token in details for link in links)


def test_refused_links_write_nothing(engine: Engine) -> None:
    community_id = _community(engine)
    other = _community(engine, "Bijenlint")
    with db.write_session(engine) as session:
        [theirs] = isvc.make_personal_links(
            session=session, community_id=other, count=1, label="", actor=ADMIN
        )
    attempts = [
        lambda s: isvc.make_personal_links(
            session=s, community_id=community_id, count=0, label="", actor=ADMIN
        ),
        lambda s: isvc.make_personal_links(
            session=s, community_id=999, count=1, label="", actor=ADMIN
        ),
        lambda s: isvc.make_open_link(session=s, round_id=999, actor=ADMIN),
        # a link of another community is not revoked from this one
        lambda s: isvc.revoke_links(
            session=s,
            community_id=community_id,
            invitation_ids=[theirs.invitation_id],
            actor=ADMIN,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid), db.write_session(engine) as session:
            attempt(session)
    assert count(engine, Invitation) == 1 and count(engine, AuditEvent) == 1
    with db.read_session(engine) as session:
        row = session.get(Invitation, theirs.invitation_id)
        assert row is not None and row.revoked_at is None
