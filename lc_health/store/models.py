"""All database tables (SQLModel). Times are timezone-aware UTC; answers are stored long, one
row per item.

The `*Tally` tables are per-round summaries, kept in the same transaction as every change to a
round's responses, so that dashboards never scan raw answers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, Index, LargeBinary, SmallInteger, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# The enums live in lc_health.domain.enums. They are re-exported here (the `X as X` form marks
# an explicit re-export) because pages still import them from the models module.
from lc_health.domain.enums import ActionStatus as ActionStatus
from lc_health.domain.enums import Role as Role
from lc_health.domain.enums import Source as Source


def utcnow() -> datetime:
    """The current time in UTC, the form stored in every `*_at` column."""
    return datetime.now(UTC)


class Community(SQLModel, table=True):
    """A learning community, fieldlab or living lab; archived instead of deleted."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    sector: str = Field(default="", max_length=80)
    region: str = Field(default="", max_length=80)
    phase: str = Field(default="", max_length=40)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    contact: str = Field(default="", max_length=200)
    is_demo: bool = False
    archived_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Organisation(SQLModel, table=True):
    """A school, company or government body that takes part in communities."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True)
    type: str = Field(max_length=40)


class Membership(SQLModel, table=True):
    """An organisation's membership of a community."""

    community_id: int = Field(foreign_key="community.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(
        foreign_key="organisation.id", primary_key=True, ondelete="CASCADE"
    )


class Round(SQLModel, table=True):
    """One community's quarterly survey round, asking one instrument version."""

    __table_args__ = (UniqueConstraint("community_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    period: str = Field(max_length=7, index=True)  # "2026-Q3"
    opens_on: date
    closes_on: date
    closed_manually: bool = False
    instrument_id: str = Field(max_length=40)
    instrument_version: int
    # How many people the lead expects to answer through the open link: an open-link round
    # has a response rate only when this is entered.
    expected_headcount: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """A survey link. Personal links belong to a community and are valid in all its rounds;
    open links belong to one round. Only a hash of the token is stored."""

    # The active personal links per community (the portfolio's response rates) are counted
    # from this index alone, without visiting the table.
    __table_args__ = (
        Index(
            "ix_invitation_personal_active",
            "community_id",
            sqlite_where=text("round_id IS NULL AND revoked_at IS NULL"),
            postgresql_where=text("round_id IS NULL AND revoked_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    round_id: int | None = Field(default=None, foreign_key="round.id")
    token_hash: str = Field(max_length=64, unique=True)
    # Links one participant's waves without identifying them; never shown.
    respondent_key: str = Field(max_length=32, unique=True)
    label: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class SurveyDraft(SQLModel, table=True):
    """A personal link's answers not yet sent in an open round, kept so that a reload or a new
    browser session resumes where the participant left. The payload is the survey's draft as
    JSON (domain.schemas.DraftIn); it is deleted when the response is sent, when the round
    closes and with the link on a privacy request. Open links have no drafts."""

    __table_args__ = (UniqueConstraint("invitation_id", "round_id"),)

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="invitation.id", ondelete="CASCADE")
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    payload: str = Field(sa_column=Column(Text, nullable=False))
    step: int = 0
    language: str = Field(default="nl", max_length=2)
    updated_at: datetime = Field(default_factory=utcnow)


class LiveSession(SQLModel, table=True):
    """A live session: a room scoring the twelve factors on phones (domain.live). Phones join
    with `code` while the session runs; the projector shows only `published`, the picture of
    the first `published_count` sheets sent (metrics.live.payload), made at the facilitator's
    reveal and then in steps of the threshold. `round_id` names the round it is tied to: its
    phones then answer the round's instrument and each sheet sent is stored as a response of
    that round (source "live"), unless its phone said it already answered the round;
    `factor_order` is the facilitator's order of the factors to discuss (JSON list)."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True, ondelete="CASCADE")
    round_id: int | None = Field(default=None, foreign_key="round.id", ondelete="SET NULL")
    code: str = Field(max_length=8, unique=True)
    started_by: str = Field(max_length=254)
    threshold: int = 5
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    revealed_at: datetime | None = None
    published_count: int = 0
    published: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    factor_order: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class LiveSheet(SQLModel, table=True):
    """One phone's answers in a live session, saved answer by answer so a phone that loses its
    connection keeps them. The phone is known only by a hash of the token in its URL. Once
    sent, a sheet is final; `published_step` says with which publication it entered the
    projector's figures (None: not yet)."""

    __table_args__ = (UniqueConstraint("session_id", "phone_key"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="livesession.id", index=True, ondelete="CASCADE")
    phone_key: str = Field(max_length=64)
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    language: str = Field(default="nl", max_length=2)
    joined_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    published_step: int | None = None
    # A tied session's sheet: True when it was stored as a response of the round (its
    # submission key is domain.live.submission_key(id)), False when it stays in the room's
    # picture only (the phone already answered the round, or the round had closed); None for
    # an untied session or a sheet not sent yet.
    in_round: bool | None = None


class Response(SQLModel, table=True):
    """One participant's answers to one round (web, paper or imported)."""

    __table_args__ = (
        UniqueConstraint("round_id", "submission_key"),
        # One response per personal link and round (open links have no invitation here).
        UniqueConstraint("round_id", "invitation_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id")
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    respondent_key: str = Field(max_length=32, index=True)
    # Makes a submission idempotent: a double click or a resubmit carries the same key.
    submission_key: str = Field(max_length=64)
    source: str = Field(default=Source.web.value, max_length=10)
    import_batch_id: int | None = Field(default=None, foreign_key="importbatch.id")
    language: str = Field(default="nl", max_length=2)
    role: str | None = Field(default=None, max_length=40)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    organisation_type: str | None = Field(default=None, max_length=40)
    instrument_version: int
    answered_forces: bool = False
    submitted_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Answer(SQLModel, table=True):
    """One rating: value 1-5, or NULL for "don't know / not applicable"."""

    response_id: int = Field(foreign_key="response.id", primary_key=True, ondelete="CASCADE")
    item_id: str = Field(max_length=40, primary_key=True)
    value: int | None = Field(default=None, sa_column=Column(SmallInteger, nullable=True))


class ForceMark(SQLModel, table=True):
    """A facilitating or hindering factor the respondent recognises in the community."""

    response_id: int = Field(foreign_key="response.id", primary_key=True, ondelete="CASCADE")
    force_id: str = Field(max_length=40, primary_key=True)


class Comment(SQLModel, table=True):
    """A respondent's optional free-text comment, stored and shown as plain text."""

    response_id: int = Field(foreign_key="response.id", primary_key=True, ondelete="CASCADE")
    text: str = Field(sa_column=Column(Text, nullable=False))


class ImportBatch(SQLModel, table=True):
    """Responses imported from elsewhere, committed all at once and marked with their source."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id")
    source: str = Field(max_length=200)
    rows: int
    imported_by: str = Field(default="", max_length=200)
    imported_at: datetime = Field(default_factory=utcnow)
    # SHA-256 of the file's bytes (hex), to notice the same file imported twice; None for
    # imports before it was kept and for paper sheets typed in.
    content_sha256: str | None = Field(default=None, max_length=64, index=True)


class RoundTally(SQLModel, table=True):
    """Per-round counts: responses, and how many answered the forces question."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    responses: int = 0
    forces_respondents: int = 0
    # Set when raw answers were removed under the retention setting; tallies then stay as they are.
    raw_purged: bool = False


class ItemTally(SQLModel, table=True):
    """Per-round answer counts for one item: n1..n5 and don't know."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    item_id: str = Field(max_length=40, primary_key=True)
    n1: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    n_dk: int = 0


class ScoreTally(SQLModel, table=True):
    """Per-round sufficient statistics of respondent-level scores: n, sum and sum of squares.

    scope is 'health' (key ''), 'layer' (layer id), 'factor' (factor id) or 'cell'
    ('<factor>:<layer>'). A respondent's score for a scope is the mean of their answers to
    the scope's items, don't know excluded.
    """

    # The portfolio reads one scope across every round (e.g. the health index over time): this
    # index holds all such a read needs, so it never visits the table.
    __table_args__ = (Index("ix_scoretally_scope_key", "scope", "key", "round_id", "n", "total"),)

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    scope: str = Field(max_length=10, primary_key=True)
    key: str = Field(max_length=60, primary_key=True)
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0


class ForceTally(SQLModel, table=True):
    """Per-round count of respondents who recognise a facilitating or hindering factor."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    force_id: str = Field(max_length=40, primary_key=True)
    n: int = 0


class Publication(SQLModel, table=True):
    """A closed round's figures were published: when, and what they rest on.

    A round's figures are computed once, when it closes, under the disclosure policy
    (lc_health.domain.disclosure) and stored in the Published* tables; nothing else of a round is
    ever shown. Reopening and closing again publishes anew only when enough new responses
    arrived, so two publications cannot be subtracted to find one person's answers.
    """

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    published_at: datetime = Field(default_factory=utcnow)
    # Responses the figures rest on, by the way they came in.
    responses: int = 0
    personal: int = 0
    open_link: int = 0
    paper: int = 0
    imported: int = 0
    # Responses that count towards the anonymity threshold (see disclosure.counts_towards).
    counted: int = 0
    # Personal links that were valid during the round, fixed at publication (response rates).
    invited: int = 0
    expected_headcount: int | None = None
    # Respondents behind the health index (coverage rule) and the forces (0 when hidden).
    health_respondents: int = 0
    forces_respondents: int = 0
    # The round the published changes compare with, if any.
    previous_round_id: int | None = None
    # The closing this publication answered (the round's closing date and whether it was closed
    # by hand): a round that was reopened and closed again is looked at anew.
    for_closes_on: date | None = None
    for_manual: bool = False
    # Set when the figures were carried over from the tallies of a round whose raw answers
    # had been purged before publication existed (the policy could not be applied anew).
    from_tallies: bool = False


class PublishedScore(SQLModel, table=True):
    """A published score: sums of respondent-level scores (as ScoreTally) and the quartiles."""

    __table_args__ = (
        Index("ix_publishedscore_scope_key", "scope", "key", "round_id", "n", "total"),
    )

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    scope: str = Field(max_length=10, primary_key=True)
    key: str = Field(max_length=60, primary_key=True)
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    q1: float | None = None
    median: float | None = None
    q3: float | None = None


class PortfolioRound(SQLModel, table=True):
    """A published round as the portfolio reads it, in one narrow row: written whenever the
    round is published (store.portfolio_summaries.rebuild_portfolio_summaries), so that the
    portfolio reads this table instead of joining rounds, publications and raw responses. Its
    counts are those fixed at publication (Publication); it adds nothing that was not
    published."""

    __table_args__ = (Index("ix_portfolioround_period", "period", "community_id"),)

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    community_id: int = Field(foreign_key="community.id", index=True)
    period: str = Field(max_length=7)
    instrument_id: str = Field(max_length=40)
    instrument_version: int
    responses: int = 0
    forces_respondents: int = 0
    # Responses through a personal link that the figures rest on (Publication.personal).
    personal_responses: int = 0


class PortfolioDigest(SQLModel, table=True):
    """One part of one period's published figures, packed for the portfolio pages
    (store.portfolio_digests): NumPy arrays in NumPy's own file format (dtype and byte order
    in each array's header), read in one row instead of tens of thousands. `data` is NULL
    while the period is stale: anything that changes a round's published figures marks its
    period stale in the same transaction and raises `generation`, so that a digest built from
    an older snapshot is never stored over it. It holds nothing that was not published."""

    period: str = Field(max_length=7, primary_key=True)
    part: str = Field(max_length=10, primary_key=True)
    format: int = 0
    generation: int = 0
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class PublishedItem(SQLModel, table=True):
    """A published item's answer counts (items below the threshold are not published)."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    item_id: str = Field(max_length=40, primary_key=True)
    n1: int = 0
    n2: int = 0
    n3: int = 0
    n4: int = 0
    n5: int = 0
    n_dk: int = 0


class PublishedForce(SQLModel, table=True):
    """A published count of respondents recognising a facilitating or hindering factor."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    force_id: str = Field(max_length=40, primary_key=True)
    n: int = 0


class PublishedGroup(SQLModel, table=True):
    """A published breakdown figure: score sums of one respondent group (dimension = role or
    organisation type; category "__rest__" is everyone not shown on their own)."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    dimension: str = Field(max_length=20, primary_key=True)
    category: str = Field(max_length=60, primary_key=True)
    scope: str = Field(max_length=10, primary_key=True)
    key: str = Field(max_length=60, primary_key=True)
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0


class PublishedChange(SQLModel, table=True):
    """A published change since the previous published round, with its verdict."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    scope: str = Field(max_length=10, primary_key=True)
    key: str = Field(max_length=60, primary_key=True)
    n_pairs: int = 0
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_adjusted: float | None = None
    status: str = Field(max_length=20)


class PublishedComment(SQLModel, table=True):
    """A comment published with its round, in an order unrelated to when it came in. It goes
    when its response goes (withdrawal, erasure)."""

    round_id: int = Field(foreign_key="round.id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    response_id: int = Field(foreign_key="response.id", ondelete="CASCADE", unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))


class OpenLinkSubmission(SQLModel, table=True):
    """The audit trail of an open-link submission, for spotting padding: when, a salted hash
    of the browser session, and two signs of a made-up response. Not linked to the response."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    session_hash: str = Field(max_length=64)
    # Every rating the same value (e.g. all 5s).
    straightlined: bool = False
    # Seconds from opening the survey to sending it, when known.
    seconds: int | None = None


class Action(SQLModel, table=True):
    """An action the community agreed on for a factor in a round's conversation."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    round_id: int = Field(foreign_key="round.id")
    factor_id: int
    what: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(default="", max_length=120)
    due_on: date | None = None
    status: str = Field(default=ActionStatus.open.value, max_length=12)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AgendaItem(SQLModel, table=True):
    """A factor on a round's conversation agenda: proposed (flagged by the figures) or added by
    the group, with the facilitator's dot count, whether the group dropped it, and what came of
    it (an action, or discussed without one, with a short note)."""

    __table_args__ = (UniqueConstraint("round_id", "factor_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    factor_id: int
    position: int = 0  # the proposal order; ties in dots keep it
    dots: int = 0
    added_by_group: bool = False
    dropped: bool = False
    outcome: str | None = Field(default=None, max_length=12)  # None, "action", "no_action"
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_by: str = Field(default="", max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)


class MeetingSummary(SQLModel, table=True):
    """The summary a group closes a round's conversation with: part of the round's record."""

    round_id: int = Field(foreign_key="round.id", primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    closed_at: datetime = Field(default_factory=utcnow)
    closed_by: str = Field(default="", max_length=200)


class Portfolio(SQLModel, table=True):
    """A named set of communities a policy maker may see (e.g. one province's)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)


class PortfolioCommunity(SQLModel, table=True):
    """A community in a portfolio."""

    portfolio_id: int = Field(foreign_key="portfolio.id", primary_key=True, ondelete="CASCADE")
    community_id: int = Field(foreign_key="community.id", primary_key=True, ondelete="CASCADE")


class User(SQLModel, table=True):
    """An account of an administrator, community lead or policy maker (never a participant)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=120)
    role: str = Field(max_length=10)
    # argon2id hash; NULL for accounts that only sign in through single sign-on.
    password_hash: str | None = Field(default=None, max_length=255)
    # A policy maker sees every community when this is NULL.
    portfolio_id: int | None = Field(default=None, foreign_key="portfolio.id")
    active: bool = True
    failed_signins: int = 0
    locked_until: datetime | None = None
    last_signin_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserCommunity(SQLModel, table=True):
    """A community a lead is responsible for."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    community_id: int = Field(foreign_key="community.id", primary_key=True, ondelete="CASCADE")


class SignInSession(SQLModel, table=True):
    """A sign-in that survives page reloads. The browser holds the token in an HttpOnly cookie;
    we hold only its hash. A new sign-in first gets a one-time hand-over code (also hashed),
    which the browser exchanges for the cookie within a minute."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_expires_at: datetime | None = None
    # Hash of the browser id cookie of the browser that signed in: only it may redeem the code.
    browser_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class SignInLimit(SQLModel, table=True):
    """Failed sign-ins counted per key: an address typed (whether or not it has an account), an
    address from a browser that signed in to it before, or a client (IP address). Only a hash of
    the key is kept. After too many failures the key waits, longer each time, up to a cap."""

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64, unique=True)
    kind: str = Field(max_length=8)  # address, known or client
    failures: int = 0
    blocked_until: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class AuditEvent(SQLModel, table=True):
    """An administrative action: who did what, when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=60)
    target: str = Field(default="", max_length=200)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class AppMeta(SQLModel, table=True):
    """Small key/value facts about this database (e.g. that it holds demo data)."""

    key: str = Field(max_length=60, primary_key=True)
    value: str = Field(max_length=200)


class RoundSchedule(SQLModel, table=True):
    """When rounds open by themselves (lc_health.domain.schedules): one schedule for every
    community (community_id None, scope 'all') and one per community that overrides it (scope
    the community's id), also when it is inactive: that takes the community out of the schedule.
    """

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20, unique=True)
    community_id: int | None = Field(
        default=None, foreign_key="community.id", index=True, ondelete="CASCADE"
    )
    active: bool = True
    cadence: str = Field(default="quarterly", max_length=16)
    open_day: int = 1  # the quarter's day the round opens (1 = its first day)
    open_days: int = 28  # days it takes answers, the opening day included
    reminders: str = Field(default="7,2", max_length=40)  # days before the closing day
    # Notifications are sent for days from this one on (set when the schedule becomes active),
    # so switching a schedule on does not announce a community's old rounds.
    active_since: date
    updated_at: datetime = Field(default_factory=utcnow)


class ScheduleEvent(SQLModel, table=True):
    """A notification the schedule sent for a round: kind, and the day it was for (the opening,
    reminder, closing notice or publication day), at most once each."""

    __table_args__ = (UniqueConstraint("round_id", "kind", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=20)  # round_opened, reminder, round_closing, round_published
    day: date
    sent_at: datetime = Field(default_factory=utcnow)


class ScheduleLease(SQLModel, table=True):
    """Which process runs the schedule now: one at a time across processes, until `until`
    (a process that died gives it up when its lease runs out)."""

    name: str = Field(max_length=20, primary_key=True)
    holder: str = Field(default="", max_length=80)
    until: datetime


class MailRecipient(SQLModel, table=True):
    """An e-mail address that gets a community's survey invitations and reminders.

    Personal data, kept apart: only the mail pages and the sender read this table, and nothing
    that shows a response reads it. Each address has its own personal link (invitation_id);
    the link's token is never stored, the sender derives it again from the server's mail secret
    and link_salt (domain.mail_links). An opt-out keeps only address_hash (a keyed hash), so the
    same address cannot be added again, and blanks the address itself."""

    __table_args__ = (UniqueConstraint("community_id", "address_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True, ondelete="CASCADE")
    invitation_id: int = Field(foreign_key="invitation.id", unique=True, ondelete="CASCADE")
    address: str = Field(default="", max_length=254)
    address_hash: str = Field(max_length=64)
    language: str = Field(default="nl", max_length=2)
    # Random; with the mail secret it gives the link and opt-out tokens (never stored).
    link_salt: str = Field(max_length=32)
    optout_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    opted_out_at: datetime | None = None
    # A permanent refusal (5xx) by the receiving server: no more mail to this address.
    bounced_at: datetime | None = None
    last_error: str = Field(default="", max_length=300)
    last_reminded_on: date | None = None  # no longer written (it implied non-response)
    last_mailed_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """One e-mail to send (a transactional outbox): written in the transaction that decides
    to send it, sent later by `lc-health mail send` or the server's sender thread. Holds no
    address, token or body: those are put together when it is sent."""

    __table_args__ = (Index("ix_outboxmessage_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # invitation, reminder, lead_notice, you_said
    round_id: int = Field(foreign_key="round.id", index=True, ondelete="CASCADE")
    recipient_id: int | None = Field(
        default=None, foreign_key="mailrecipient.id", index=True, ondelete="CASCADE"
    )
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    # For lead notices: round_opened, round_closing or round_published.
    notice: str = Field(default="", max_length=20)
    # Enqueuing the same message twice finds this taken and adds nothing.
    dedupe_key: str = Field(max_length=120, unique=True)
    # pending, sending (leased), sent, failed, skipped
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    lease_owner: str = Field(default="", max_length=32)
    # The left part of the Message-ID, fixed when enqueued, so a resend carries the same one.
    message_key: str = Field(max_length=40, unique=True)
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sent_at: datetime | None = None
