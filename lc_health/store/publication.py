"""Publishing a closed round: its figures are computed once from the raw answers, under the
disclosure policy, and stored in the Published* tables that every page and export reads.

A round is published when it closes: by hand (services.rounds.close_round publishes at once)
or by its date (publish_due finds such rounds; the app runs it at start and before pages read).
A round that was reopened and closes again is published anew only when at least the threshold
of new counted responses arrived since the last publication (disclosure.Policy.may_republish);
otherwise its published figures stay exactly as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, insert, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from lc_health.domain.disclosure import Channel, Policy, channel_of
from lc_health.domain.instrument import Instrument
from lc_health.domain.instrument_versions import unchanged_items
from lc_health.metrics.publication import Figures, RoundRaw, change_rows, figures, restrict
from lc_health.store import ids
from lc_health.store.drafts import delete_round_drafts
from lc_health.store.models import (
    Answer,
    Comment,
    ForceMark,
    ForceTally,
    Invitation,
    ItemTally,
    Publication,
    PublishedChange,
    PublishedComment,
    PublishedForce,
    PublishedGroup,
    PublishedItem,
    PublishedScore,
    Response,
    Round,
    RoundTally,
    ScoreTally,
    utcnow,
)
from lc_health.store.portfolio_summaries import rebuild_portfolio_summaries
from lc_health.store.rounds import RoundState, state

log = logging.getLogger(__name__)

InstrumentFor = Callable[[Round], Instrument]


@dataclass(frozen=True)
class Outcome:
    """What publish() did: 'published', 'republished', 'kept' (too few new responses) or
    'open' (the round is not closed)."""

    round_id: int
    status: str
    new_counted: int = 0


def round_raw(session: Session, *, round_id: int) -> RoundRaw:
    """A round's responses, answers, force marks and comments, with each response's channel
    and the respondent key of personal links (for linking rounds)."""
    rows = session.execute(
        sa_select(
            col(Response.id),
            col(Response.invitation_id),
            col(Response.source),
            col(Response.respondent_key),
            col(Response.role),
            col(Response.organisation_type),
            col(Response.answered_forces),
        ).where(col(Response.round_id) == round_id)
    ).all()
    responses = pd.DataFrame(
        [
            (
                rid,
                key if invitation is not None else None,
                channel_of(invitation_id=invitation, source=source).value,
                role,
                org_type,
                bool(answered),
            )
            for rid, invitation, source, key, role, org_type, answered in rows
        ],
        columns=[
            "response_id",
            "person",
            "channel",
            "role",
            "organisation_type",
            "answered_forces",
        ],
    )
    in_round = col(Response.round_id) == round_id

    def of_responses(*columns: Any) -> pd.DataFrame:
        """The round's rows of the table these columns (response_id first) belong to."""
        table = columns[0].class_
        stmt = (
            sa_select(*columns)
            .join(Response, col(Response.id) == col(table.response_id))
            .where(in_round)
        )
        names = [c.key for c in columns]
        return pd.DataFrame([tuple(r) for r in session.execute(stmt).all()], columns=names)

    answers = of_responses(col(Answer.response_id), col(Answer.item_id), col(Answer.value))
    answers["value"] = answers["value"].astype("Int64")
    marks = of_responses(col(ForceMark.response_id), col(ForceMark.force_id))
    comments = of_responses(col(Comment.response_id), col(Comment.text))
    return RoundRaw(responses=responses, answers=answers, marks=marks, comments=comments)


def invited_during(session: Session, *, rnd: Round) -> int:
    """Personal links of the round's community that were valid at some time during the round:
    made before it closed and not revoked before it opened, and every link that answered it
    (a link that answered was valid, whatever its dates say: e.g. answers typed in later)."""
    rows = session.execute(
        sa_select(col(Invitation.id), col(Invitation.created_at), col(Invitation.revoked_at)).where(
            col(Invitation.community_id) == rnd.community_id,
            col(Invitation.round_id).is_(None),
        )
    ).all()
    answered = set(
        session.execute(
            sa_select(col(Response.invitation_id)).where(
                col(Response.round_id) == rnd.id, col(Response.invitation_id).is_not(None)
            )
        ).scalars()
    )
    return sum(
        1
        for invitation_id, created, revoked in rows
        if invitation_id in answered
        or (created.date() <= rnd.closes_on and (revoked is None or revoked.date() >= rnd.opens_on))
    )


def previous_published(session: Session, *, rnd: Round) -> Round | None:
    """The community's latest published round before this one."""
    stmt = (
        select(Round)
        .join(Publication, col(Publication.round_id) == col(Round.id))
        .where(col(Round.community_id) == rnd.community_id, col(Round.period) < rnd.period)
        .order_by(col(Round.period).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def _new_counted(session: Session, rnd: Round, since: datetime, policy: Policy) -> int:
    """Counted responses that arrived after the last publication."""
    assert rnd.id is not None
    rows = session.execute(
        sa_select(col(Response.invitation_id), col(Response.source)).where(
            col(Response.round_id) == rnd.id, col(Response.submitted_at) > since
        )
    ).all()
    has_personal = invited_during(session, rnd=rnd) > 0
    return sum(
        policy.counts_towards(
            channel_of(invitation_id=inv, source=src), round_has_personal_links=has_personal
        )
        for inv, src in rows
    )


def _replace_figures(session: Session, round_id: int, found: Figures) -> None:
    for model in (
        PublishedScore,
        PublishedItem,
        PublishedForce,
        PublishedGroup,
        PublishedChange,
        PublishedComment,
    ):
        session.execute(delete(model).where(col(model.round_id) == round_id))
    session.flush()
    for model, frame in (
        (PublishedScore, found.scores),
        (PublishedItem, found.items),
        (PublishedForce, found.forces),
        (PublishedGroup, found.groups),
    ):
        _insert(session, model, round_id, frame)
    session.add_all(
        PublishedComment(round_id=round_id, position=i, response_id=rid, text=text)
        for i, (rid, text) in enumerate(found.comments)
    )


def _insert(session: Session, model: Any, round_id: int, frame: pd.DataFrame) -> None:
    """Insert a frame's rows into `model`'s table for a round, in one executemany (NumPy
    scalars and missing values become plain numbers and NULL)."""
    if frame.empty:
        return
    rows = []
    for record in frame.to_dict("records"):
        values: dict[str, Any] = {"round_id": round_id}
        for key, value in record.items():
            missing = (
                value is None or value is pd.NA or (isinstance(value, float) and value != value)
            )
            values[str(key)] = None if missing else getattr(value, "item", lambda v=value: v)()
        rows.append(values)
    session.execute(insert(model.__table__), rows)


def publish(
    session: Session,
    *,
    round_id: int,
    instrument_for: InstrumentFor,
    policy: Policy,
    today: date,
    at: datetime | None = None,
) -> Outcome:
    """Publish a closed round (or publish it anew, or keep what was published), with its changes
    since the community's previous published round; in the caller's transaction."""
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise KeyError(round_id)
    if state(rnd, today) is not RoundState.closed:
        return Outcome(round_id, "open")
    # The round no longer takes answers: unsent drafts of it have nothing left to wait for.
    delete_round_drafts(session, round_ids=[round_id])
    found = session.get(Publication, round_id)
    status = "published"
    new_counted = 0
    if found is not None:
        new_counted = _new_counted(session, rnd, found.published_at, policy)
        if not policy.may_republish(new_counted):
            found.for_closes_on, found.for_manual = rnd.closes_on, rnd.closed_manually
            session.add(found)
            return Outcome(round_id, "kept", new_counted)
        status = "republished"
    tally = session.get(RoundTally, round_id)
    if tally is not None and tally.raw_purged:
        # Raw answers were removed before publication existed: carry the tallies over.
        return _publish_from_tallies(session, rnd, found, policy)
    instrument = instrument_for(rnd)
    invited = invited_during(session, rnd=rnd)
    raw = round_raw(session, round_id=round_id)
    result = figures(raw, instrument, policy, has_personal_links=invited > 0)
    _replace_figures(session, round_id, result)
    before_round = previous_published(session, rnd=rnd)
    if before_round is not None:
        rows = _changes(session, raw, rnd, before_round, instrument_for, policy, invited > 0)
        _insert(session, PublishedChange, round_id, rows)
    publication = found or Publication(round_id=round_id)
    publication.published_at = at or utcnow()
    publication.responses = result.responses
    publication.personal = result.by_channel[Channel.personal.value]
    publication.open_link = result.by_channel[Channel.open_link.value]
    publication.paper = result.by_channel[Channel.paper.value]
    publication.imported = result.by_channel[Channel.imported.value]
    publication.counted = result.counted
    publication.invited = invited
    publication.expected_headcount = rnd.expected_headcount
    publication.health_respondents = result.health_respondents
    publication.forces_respondents = result.forces_respondents
    publication.previous_round_id = before_round.id if before_round is not None else None
    publication.for_closes_on, publication.for_manual = rnd.closes_on, rnd.closed_manually
    publication.from_tallies = False
    session.add(publication)
    _summarise(session, round_id)
    log.info("round %s %s (%s responses)", round_id, status, result.responses)
    return Outcome(round_id, status, new_counted)


def _changes(
    session: Session,
    raw: RoundRaw,
    rnd: Round,
    before_round: Round,
    instrument_for: InstrumentFor,
    policy: Policy,
    has_personal: bool,
) -> pd.DataFrame:
    """Changes since the previous published round, each round under its own disclosure; across
    an instrument change only on the statements both versions share."""
    assert before_round.id is not None
    instrument, before_instrument = instrument_for(rnd), instrument_for(before_round)
    before_raw = round_raw(session, round_id=before_round.id)
    if instrument.key != before_instrument.key:
        shared = unchanged_items(before_instrument, instrument)
        raw, before_raw = restrict(raw, shared), restrict(before_raw, shared)
    now = figures(raw, instrument, policy, has_personal_links=has_personal)
    before = figures(
        before_raw,
        before_instrument,
        policy,
        has_personal_links=invited_during(session, rnd=before_round) > 0,
    )
    return change_rows(now, before, policy)


def _publish_from_tallies(
    session: Session, rnd: Round, found: Publication | None, policy: Policy
) -> Outcome:
    """A round whose raw answers were purged under the retention setting before publication
    existed: its kept tallies become its published figures, where they pass the threshold."""
    assert rnd.id is not None
    round_id = rnd.id
    if found is not None:
        return Outcome(round_id, "kept")
    scores = session.exec(select(ScoreTally).where(col(ScoreTally.round_id) == round_id)).all()
    session.add_all(
        PublishedScore.model_validate(s.model_dump()) for s in scores if policy.passes(s.n)
    )
    items = session.exec(select(ItemTally).where(col(ItemTally.round_id) == round_id)).all()
    session.add_all(
        PublishedItem.model_validate(i.model_dump())
        for i in items
        if policy.passes(i.n1 + i.n2 + i.n3 + i.n4 + i.n5)
    )
    tally = session.get(RoundTally, round_id)
    forces_respondents = tally.forces_respondents if tally is not None else 0
    if policy.passes(forces_respondents):
        forces = session.exec(select(ForceTally).where(col(ForceTally.round_id) == round_id)).all()
        session.add_all(
            PublishedForce(round_id=round_id, force_id=f.force_id, n=f.n) for f in forces if f.n
        )
    else:
        forces_respondents = 0
    health = next((s.n for s in scores if s.scope == "health"), 0)
    session.add(
        Publication(
            round_id=round_id,
            responses=tally.responses if tally is not None else 0,
            counted=tally.responses if tally is not None else 0,
            health_respondents=health if policy.passes(health) else 0,
            forces_respondents=forces_respondents,
            for_closes_on=rnd.closes_on,
            for_manual=rnd.closed_manually,
            from_tallies=True,
        )
    )
    _summarise(session, round_id)
    return Outcome(round_id, "published")


def _summarise(session: Session, round_id: int) -> None:
    """The portfolio's summary of the round follows its publication (same transaction)."""
    session.flush()
    rebuild_portfolio_summaries(session=session, round_ids=[round_id])


def due_rounds(
    session: Session, *, today: date, community_ids: Iterable[int] | None = None
) -> list[int]:
    """Closed rounds whose closing has not been published yet: never published, or reopened
    and closed again since."""
    closed = or_(col(Round.closed_manually).is_(True), col(Round.closes_on) < today)
    stmt = (
        sa_select(col(Round.id))
        .outerjoin(Publication, col(Publication.round_id) == col(Round.id))
        .where(
            closed,
            or_(
                col(Publication.round_id).is_(None),
                col(Publication.for_closes_on).is_(None),
                col(Publication.for_closes_on) != col(Round.closes_on),
                col(Publication.for_manual) != col(Round.closed_manually),
            ),
        )
        .order_by(col(Round.period), col(Round.id))
    )
    if community_ids is not None:
        stmt = stmt.where(col(Round.community_id).in_(ids(community_ids)))
    return [int(r) for r in session.execute(stmt).scalars()]


def publish_due(
    session: Session,
    *,
    today: date,
    instrument_for: InstrumentFor,
    policy: Policy,
    community_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> list[Outcome]:
    """Publish every due round, oldest period first (so each compares with its predecessor's
    publication); in the caller's transaction."""
    return [
        publish(
            session,
            round_id=round_id,
            instrument_for=instrument_for,
            policy=policy,
            today=today,
            at=now,
        )
        for round_id in due_rounds(session, today=today, community_ids=community_ids)
    ]


def publication_of(session: Session, *, round_id: int) -> Publication | None:
    return session.get(Publication, round_id)


def pending_since_publication(session: Session, *, round_id: int, policy: Policy) -> int | None:
    """Counted responses that arrived after the round's publication (None: not published)."""
    found = session.get(Publication, round_id)
    rnd = session.get(Round, round_id)
    if found is None or rnd is None:
        return None
    return _new_counted(session, rnd, found.published_at, policy)
