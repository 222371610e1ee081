"""Deterministic, fictional demo data: eight learning communities with stories a lead would
recognise. Every community, organisation, person and answer here is invented.

The same seed always gives the same database content (a test checks it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlmodel import Session

from lc_health.domain.credentials import hash_token
from lc_health.domain.demo_data import (
    ACCOUNTS,
    ACTIONS,
    COMMENTS,
    COMMUNITIES,
    DEMO_PARTICIPANT_COMMUNITY,
    FIRST_PERIOD,
    LAST_PERIOD,
    ROLE_MIX,
    Story,
)
from lc_health.domain.enums import Role, Source
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import Period
from lc_health.domain.schemas import ResponseIn
from lc_health.services import demo_mail
from lc_health.store import actions as astore
from lc_health.store import audit
from lc_health.store import communities as cstore
from lc_health.store import demo as demo_store
from lc_health.store import invitations as istore
from lc_health.store import meta as meta_store
from lc_health.store import users as ustore
from lc_health.store.models import Action
from lc_health.store.responses import save_response
from lc_health.store.rounds import create_round

DEMO_SEED = 20260
META_KEY = "demo_data"
# From this period on the demo's rounds use the newest instrument; earlier rounds use the
# version before it (when there is one), so the demo shows a change of instrument version.
NEWEST_FROM = Period(2026, 3)
# The one personal link whose token is known, so that anyone can try the survey in demo mode.
DEMO_PARTICIPANT_TOKEN = "demo-participant-link-robotica-fieldlab-wl1"
# The demo accounts, whose passwords are published on the sign-in page in demo mode.
DEMO_EMAILS = tuple(email for email, *_ in ACCOUNTS)
DEMO_LEAD = next(email for email, _, role, *_ in ACCOUNTS if role == Role.lead)


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _moment(rng: random.Random, opens_on: date) -> datetime:
    """A weekday-ish working hour within the first six weeks of a round."""
    start = datetime(opens_on.year, opens_on.month, opens_on.day, 8, tzinfo=UTC)
    return start + timedelta(days=rng.randint(0, 40), minutes=rng.randint(0, 600))


def _round_dates(period: Period) -> tuple[date, date]:
    return period.first_day, period.last_day


@dataclass
class _Person:
    key: str
    organisation_id: int
    organisation_type: str
    role: str
    bias: float
    language: Literal["nl", "en"]
    side: int  # +1 school side, -1 company/government side (for split opinions)
    invitation_id: int = 0


def _people(
    rng: random.Random, orgs: list[tuple[int, str]], count: int, prefix: str
) -> list[_Person]:
    people = []
    for i in range(count):
        org_id, org_type = orgs[i % len(orgs)] if i < len(orgs) else rng.choice(orgs)
        role = _weighted(rng, ROLE_MIX[org_type])
        people.append(
            _Person(
                key=f"{prefix}{i:03d}",
                organisation_id=org_id,
                organisation_type=org_type,
                role=role,
                bias=rng.gauss(0, 0.35),
                language="en" if rng.random() < 0.2 else "nl",
                side=1 if org_type in ("mbo", "hbo") else -1,
            )
        )
    return people


def _invite(
    session: Session,
    rng: random.Random,
    community_id: int,
    person: _Person,
    token: str | None = None,
) -> None:
    """Give a demo person a personal link, so their answers link across rounds."""
    token = token or f"{rng.getrandbits(256):064x}"
    person.invitation_id = istore.add_personal_link(
        session,
        community_id=community_id,
        token_hash=hash_token(token),
        respondent_key=person.key,
        label="demo",
        # Handed out before the demo's first round, as real links are: response rates then
        # count every link of the community, not only those that answered.
        created_at=LINKS_MADE_AT,
    )


LINKS_MADE_AT = datetime(2024, 12, 1, tzinfo=UTC)


def _answers(
    rng: random.Random, instrument: Instrument, story: Story, index: int, person: _Person
) -> dict[str, int | None]:
    answers: dict[str, int | None] = {}
    for item in instrument.items:
        dont_know = 0.05 + (0.15 if item.layer == "ecosystem" and person.role == "student" else 0)
        if rng.random() < dont_know:
            answers[item.id] = None
            continue
        level = story.start + story.slope * index + story.offsets.get(item.factor, 0.0)
        if story.shock_from is not None and index >= story.shock_from:
            level += story.shock.get(item.factor, 0.0) - 0.1 * (index - story.shock_from)
        level += person.side * story.split.get(item.factor, 0.0)
        value = level + person.bias + rng.gauss(0, story.noise)
        answers[item.id] = int(round(_clamp(value, 1, 5)))
    return answers


def _forces(rng: random.Random, instrument: Instrument, health: float) -> frozenset[str]:
    marked = set()
    # Healthier communities recognise more facilitating and fewer hindering factors.
    for force in instrument.forces:
        if force.kind == "facilitating":
            p = _clamp(0.08 + 0.12 * (health - 2.5), 0.03, 0.45)
        else:
            p = _clamp(0.08 + 0.12 * (3.8 - health), 0.03, 0.45)
        if rng.random() < p:
            marked.add(force.id)
    return frozenset(marked)


def _accounts(session: Session, community_ids: dict[str, int]) -> dict[str, int]:
    """The demo accounts; their ids by e-mail."""
    made = {}
    for email, password, role, name, communities in ACCOUNTS:
        portfolio_id = None
        if role == Role.policy and communities:
            portfolio = ustore.create_portfolio(
                session=session,
                name="Provincie Zuid-Holland (demo)",
                community_ids=[community_ids[c] for c in communities],
            )
            portfolio_id = portfolio.id
        user = ustore.create_user(
            session=session,
            email=email,
            role=role,
            name=name,
            password=password,
            community_ids=[community_ids[c] for c in communities] if role == Role.lead else [],
            portfolio_id=portfolio_id,
        )
        assert user.id is not None
        made[email] = user.id
    return made


def load_demo(
    *,
    session: Session,
    instrument: Instrument,
    earlier: Instrument | None = None,
    seed: int = DEMO_SEED,
) -> int:
    """Fill an empty database with the demo portfolio; returns the number of responses.

    `instrument` is used for the rounds from NEWEST_FROM on, `earlier` (when given) for the
    rounds before it."""
    rng = random.Random(seed)
    org_ids: dict[str, int] = {}
    community_ids: dict[str, int] = {}
    round_ids: dict[tuple[str, int], int] = {}
    total = 0
    # The people of the demo participant link's community, and when they answered the round
    # still running: the demo's e-mail addresses go on some of their links.
    mailed: list[_Person] = []
    answered: dict[str, datetime | None] = {}
    periods = list(FIRST_PERIOD.through(LAST_PERIOD))
    for ci, demo in enumerate(COMMUNITIES):
        community = cstore.create_community(
            session=session,
            name=demo.name,
            sector=demo.sector,
            region=demo.region,
            phase=demo.phase,
            description=demo.description,
            contact="trekker@demo.lc-health.nl",
            is_demo=True,
        )
        assert community.id is not None
        community_ids[demo.name] = community.id
        orgs: list[tuple[int, str]] = []
        for org_name, org_type in demo.organisations:
            if org_name not in org_ids:
                org = cstore.create_organisation(session=session, name=org_name, type=org_type)
                assert org.id is not None
                org_ids[org_name] = org.id
            cstore.add_member(
                session=session, community_id=community.id, organisation_id=org_ids[org_name]
            )
            orgs.append((org_ids[org_name], org_type))
        story = demo.story
        low, high = story.respondents
        people = _people(rng, orgs, int(high * 1.25) + 1, prefix=f"demo{ci}p")
        # The known demo link belongs to the first person of one community; that person has
        # answered every round except the one still running, so a visitor can fill it in.
        tryout = people[0] if demo.name == DEMO_PARTICIPANT_COMMUNITY else None
        for person in people:
            token = DEMO_PARTICIPANT_TOKEN if person is tryout else None
            _invite(session, rng, community.id, person, token)
            if tryout is not None and person is not tryout:
                mailed.append(person)
        own_periods = [p for p in periods if p >= story.first_period]
        for index, period in enumerate(own_periods):
            opens_on, closes_on = _round_dates(period)
            used = earlier if earlier is not None and period < NEWEST_FROM else instrument
            rnd = create_round(
                session=session,
                community_id=community.id,
                period=str(period),
                opens_on=opens_on,
                closes_on=closes_on,
                instrument_id=used.id,
                instrument_version=used.version,
            )
            assert rnd.id is not None
            round_ids[(demo.name, index)] = rnd.id
            count = rng.randint(low, high)
            if period == LAST_PERIOD:
                count = max(low, count * 2 // 3)  # the current round is still running
            health = story.start + story.slope * index
            sample = rng.sample(people, min(count, len(people)))
            if tryout is not None:
                sample = [p for p in sample if p is not tryout]
                if period != LAST_PERIOD:
                    sample.append(tryout)
            for person in sample:
                comment = None
                if rng.random() < 0.18:
                    comment = rng.choice(COMMENTS[person.language])
                resp = ResponseIn(
                    round_id=rnd.id,
                    submission_key=f"demo-{rnd.id}-{person.key}",
                    invitation_id=person.invitation_id,
                    respondent_key=person.key,
                    language=person.language,
                    role=person.role,
                    organisation_id=person.organisation_id,
                    organisation_type=person.organisation_type,
                    answers=_answers(rng, used, story, index, person),
                    forces=_forces(rng, used, health),
                    comment=comment,
                    source=Source.web,
                    submitted_at=_moment(rng, opens_on),
                )
                save_response(session=session, response_in=resp, instrument=used)
                total += 1
                if period == LAST_PERIOD and tryout is not None:
                    answered[person.key] = resp.submitted_at
    actions = []
    for name, index, factor, what, owner, status, note in ACTIONS:
        community_id = community_ids[name]
        round_id = round_ids[(name, index)]
        actions.append(
            Action(
                community_id=community_id,
                round_id=round_id,
                factor_id=factor,
                what=what,
                owner=owner,
                status=status,
                note=note,
                created_by="demo",
                created_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=91 * index + 40),
                updated_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=91 * index + 40),
            )
        )
    astore.insert_actions(session, rows=actions)
    accounts = _accounts(session, community_ids)
    demo_mail.add_demo_mail(
        session,
        community_id=community_ids[DEMO_PARTICIPANT_COMMUNITY],
        round_id=round_ids[(DEMO_PARTICIPANT_COMMUNITY, len(periods) - 1)],  # the running one
        opens_on=LAST_PERIOD.first_day,
        people=[demo_mail.DemoPerson(p.invitation_id, answered.get(p.key)) for p in mailed],
        lead_id=accounts[DEMO_LEAD],
    )
    meta_store.set_value(session, key=META_KEY, value=f"seed={seed}")
    return total


def demo_left(session: Session) -> demo_store.DemoLeft:
    """The demo accounts, demo communities and demo note the database still holds."""
    return demo_store.demo_left(session, emails=DEMO_EMAILS, meta_key=META_KEY)


def remove_demo(session: Session, *, actor: str) -> dict[str, int]:
    """Remove the demo accounts and the demo data (real data stays), audited; returns how many
    communities, accounts, portfolios and organisations went."""
    removed = demo_store.remove_demo(session, emails=DEMO_EMAILS, meta_key=META_KEY)
    audit.record(
        session=session,
        actor=actor,
        action="demo.remove",
        communities=removed["communities"],
        accounts=removed["accounts"],
    )
    return removed
