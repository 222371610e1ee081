"""Deterministic, fictional demo data: eight learning communities with stories a lead would
recognise. Every community, organisation, person and answer here is invented.

The same seed always gives the same database content (a test checks it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from sqlmodel import Session

from lc_health.instrument import Instrument
from lc_health.models import Action, AppMeta, Source
from lc_health.periods import Period
from lc_health.schemas import ResponseIn
from lc_health.store import communities as cstore
from lc_health.store.responses import save_response

DEMO_SEED = 20260
FIRST_PERIOD = Period(2025, 1)
LAST_PERIOD = Period(2026, 4)
META_KEY = "demo_data"

# Which role people from each organisation type have, with weights.
ROLE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    "mbo": (("student", 6), ("teacher", 3)),
    "hbo": (("student", 5), ("teacher", 2), ("researcher", 2)),
    "company": (("company", 1),),
    "government": (("government", 1),),
    "other": (("other", 1),),
}


@dataclass(frozen=True)
class Story:
    """How a community's factor scores move over its rounds."""

    start: float  # base level in the first round
    slope: float = 0.0  # change per round
    # factor id -> extra offset on top of the base
    offsets: dict[int, float] = field(default_factory=dict)
    # From this round index on, these factors drop by the given amount (e.g. funding ends).
    shock_from: int | None = None
    shock: dict[int, float] = field(default_factory=dict)
    # Factors on which companies and schools sharply disagree (split in opposite directions).
    split: dict[int, float] = field(default_factory=dict)
    noise: float = 0.7
    respondents: tuple[int, int] = (12, 20)
    first_period: Period = FIRST_PERIOD


@dataclass(frozen=True)
class DemoCommunity:
    name: str
    sector: str
    region: str
    phase: str
    description: str
    organisations: tuple[tuple[str, str], ...]  # (name, type)
    story: Story


COMMUNITIES: tuple[DemoCommunity, ...] = (
    DemoCommunity(
        "Robotica Fieldlab Westland",
        "Techniek en robotica",
        "Zuid-Holland",
        "developing",
        "Students, growers and robot builders develop and test harvesting robots, from tomato "
        "picking to crop inspection. (Fictional demo community.)",
        (
            ("ROC Kustland (demo)", "mbo"),
            ("Hogeschool Deltastad (demo)", "hbo"),
            ("Grijpers Robotics BV (demo)", "company"),
            ("Tomatenkwekerij Van Vliet (demo)", "company"),
            ("Gemeente Westerkoog (demo)", "government"),
        ),
        Story(start=2.9, slope=0.16, offsets={7: -0.3, 12: -0.2}, respondents=(16, 26)),
    ),
    DemoCommunity(
        "Duurzame Kas Lansingerland",
        "Glastuinbouw",
        "Zuid-Holland",
        "sustaining",
        "Climate-neutral cultivation experiments in a demonstration greenhouse, with mbo and hbo "
        "students working alongside growers. (Fictional demo community.)",
        (
            ("Groencollege Oostkust (demo)", "mbo"),
            ("Hogeschool Deltastad (demo)", "hbo"),
            ("Kassenbouw Lindeboom (demo)", "company"),
            ("Provincie Kustland (demo)", "government"),
        ),
        Story(
            start=3.9,
            slope=-0.02,
            offsets={9: 0.2},
            shock_from=4,
            shock={9: -1.6, 10: -0.9, 11: -0.7, 1: -0.5, 3: -0.6},
            respondents=(14, 22),
        ),
    ),
    DemoCommunity(
        "Noordzeevis op de Kaart",
        "Voedsel en horeca",
        "Zuid-Holland",
        "developing",
        "Cooking students write recipes so beach restaurants can put North Sea fish on the menu; "
        "fishers, chefs and teachers work together. (Fictional demo community.)",
        (
            ("ROC Kustland (demo)", "mbo"),
            ("Visafslag Scheveningse Haven (demo)", "company"),
            ("Strandpaviljoen De Branding (demo)", "company"),
            ("Gemeente Duinstad (demo)", "government"),
        ),
        Story(
            start=3.4,
            slope=0.0,
            split={4: 1.3, 5: 1.1, 7: 1.2, 8: 0.9},
            noise=0.6,
            respondents=(12, 18),
        ),
    ),
    DemoCommunity(
        "Bijenlinten Midden-Delfland",
        "Natuur en biodiversiteit",
        "Zuid-Holland",
        "starting",
        "Residents, farmers, a municipality and students sow field strips for bees and measure "
        "what comes back. Small on purpose. (Fictional demo community.)",
        (
            ("Groencollege Oostkust (demo)", "mbo"),
            ("Akkerbouwbedrijf De Zeven Sloten (demo)", "company"),
            ("Gemeente Weidebeek (demo)", "government"),
        ),
        Story(start=3.6, slope=0.03, respondents=(3, 4)),
    ),
    DemoCommunity(
        "Zorgtech Living Lab Leiden",
        "Zorg en welzijn",
        "Zuid-Holland",
        "starting",
        "Care students, nurses and technology start-ups try out home-care technology with "
        "residents. Started in 2026. (Fictional demo community.)",
        (
            ("ROC Rijnland Zorg (demo)", "mbo"),
            ("Hogeschool Deltastad (demo)", "hbo"),
            ("Zorggroep Sleutelhof (demo)", "company"),
            ("ThuisSensor BV (demo)", "company"),
        ),
        Story(start=3.3, slope=0.1, offsets={9: -0.5, 12: -0.3}, first_period=Period(2026, 3)),
    ),
    DemoCommunity(
        "Energiehub Zwolle",
        "Energie",
        "Overijssel",
        "developing",
        "A neighbourhood energy hub where installation students, grid operators and residents "
        "test heat pumps and local storage. (Fictional demo community.)",
        (
            ("Technova College (demo)", "mbo"),
            ("Hogeschool Deltastad (demo)", "hbo"),
            ("Netbeheer Randstad (demo)", "company"),
            ("Installatiebedrijf Warmtewerk (demo)", "company"),
            ("Gemeente IJsselkant (demo)", "government"),
            ("Woningcorporatie Thuisplein (demo)", "other"),
        ),
        Story(start=3.5, slope=0.03, offsets={4: -0.6, 8: 0.4}, respondents=(18, 30)),
    ),
    DemoCommunity(
        "Havenlogistiek Lab Rotterdam",
        "Logistiek",
        "Zuid-Holland",
        "sustaining",
        "Logistics students and port companies work on smarter container planning and "
        "zero-emission transport. (Fictional demo community.)",
        (
            ("Scheepvaart- en Transportcollege Maasmond (demo)", "mbo"),
            ("Hogeschool Deltastad (demo)", "hbo"),
            ("Containerterminal Oostpier (demo)", "company"),
            ("Havenbedrijf Maasmond (demo)", "government"),
        ),
        Story(start=4.0, slope=0.0, offsets={3: 0.2, 12: -0.4}, respondents=(10, 16)),
    ),
    DemoCommunity(
        "Voedselinnovatie Lab Ede",
        "Voedsel en horeca",
        "Gelderland",
        "developing",
        "Food-technology students and local producers develop plant-based products for "
        "school canteens. (Fictional demo community.)",
        (
            ("ROC Kustland (demo)", "mbo"),
            ("Hogeschool Hofstad (demo)", "hbo"),
            ("Plantaardig Lekker BV (demo)", "company"),
        ),
        Story(start=3.2, slope=0.04, offsets={5: 0.3, 9: -0.4}, respondents=(6, 12)),
    ),
)

COMMENTS: dict[str, tuple[str, ...]] = {
    "nl": (
        "Fijn dat we elkaar elk kwartaal weer spreken; dat houdt de vaart erin.",
        "Ik weet vaak niet wat er met onze resultaten gebeurt nadat het project klaar is.",
        "Meer tijd in het rooster zou helpen, nu doe ik dit er eigenlijk naast.",
        "De bedrijven en de school hebben echt een ander beeld van wat we willen bereiken.",
        "Sinds de subsidie stopte merk je dat iedereen voorzichtiger wordt.",
        "De tussenresultaten die we in de gang ophingen werkten goed.",
        "Ik zou graag vaker met studenten van andere opleidingen samenwerken.",
        "Mijn eigen organisatie weet nauwelijks wat ik hier doe.",
    ),
    "en": (
        "Meeting every quarter keeps the momentum going, thanks.",
        "It is unclear to me who will use our prototype once the students leave.",
        "Our manager finally came to see the lab, which helped a lot.",
        "We talk past each other about what counts as a result.",
        "Funding after this year is the big question for everyone here.",
        "Good atmosphere, but decisions take a long time.",
    ),
}

ACTIONS: tuple[tuple[str, int, int, str, str, str, str], ...] = (
    # (community, round index, factor, what, owner, status, note)
    (
        "Robotica Fieldlab Westland", 1, 7,
        "Show a working demo to all partners at the end of every sprint.",
        "Fieldlab coordinator", "done", "Four demo days held; growers now join them.",
    ),
    (
        "Robotica Fieldlab Westland", 3, 12,
        "Invite the regional economic board to the spring demo day.",
        "Project lead", "in_progress", "",
    ),
    (
        "Duurzame Kas Lansingerland", 4, 9,
        "Draft a joint funding proposal with the province and two growers.",
        "Greenhouse lead", "in_progress", "First meeting with the province in March.",
    ),
    (
        "Duurzame Kas Lansingerland", 5, 10,
        "Agree who maintains the climate-model results after the project ends.",
        "Research lead", "open", "",
    ),
    (
        "Noordzeevis op de Kaart", 2, 5,
        "Hold a vision session where chefs, fishers and teachers each name their goal.",
        "Community lead", "done", "Session held; shared goal written on one page.",
    ),
    (
        "Energiehub Zwolle", 2, 4,
        "Write down which data partners may share with each other, and which not.",
        "Grid operator liaison", "done", "",
    ),
)  # fmt: skip


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


def load_demo(*, session: Session, instrument: Instrument, seed: int = DEMO_SEED) -> int:
    """Fill an empty database with the demo portfolio; returns the number of responses."""
    rng = random.Random(seed)
    org_ids: dict[str, int] = {}
    community_ids: dict[str, int] = {}
    round_ids: dict[tuple[str, int], int] = {}
    total = 0
    periods = list(FIRST_PERIOD.through(LAST_PERIOD))
    for ci, demo in enumerate(COMMUNITIES):
        community = cstore.create_community(
            session=session,
            name=demo.name,
            sector=demo.sector,
            region=demo.region,
            phase=demo.phase,
            description=demo.description,
            contact="lead@example.org",
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
        own_periods = [p for p in periods if p >= story.first_period]
        for index, period in enumerate(own_periods):
            opens_on, closes_on = _round_dates(period)
            rnd = cstore.create_round(
                session=session,
                community_id=community.id,
                period=str(period),
                opens_on=opens_on,
                closes_on=closes_on,
                instrument_id=instrument.id,
                instrument_version=instrument.version,
            )
            assert rnd.id is not None
            round_ids[(demo.name, index)] = rnd.id
            count = rng.randint(low, high)
            if period == LAST_PERIOD:
                count = max(low, count * 2 // 3)  # the current round is still running
            health = story.start + story.slope * index
            for person in rng.sample(people, min(count, len(people))):
                comment = None
                if rng.random() < 0.18:
                    comment = rng.choice(COMMENTS[person.language])
                resp = ResponseIn(
                    round_id=rnd.id,
                    submission_key=f"demo-{rnd.id}-{person.key}",
                    respondent_key=person.key,
                    language=person.language,
                    role=person.role,
                    organisation_id=person.organisation_id,
                    organisation_type=person.organisation_type,
                    answers=_answers(rng, instrument, story, index, person),
                    forces=_forces(rng, instrument, health),
                    comment=comment,
                    source=Source.web,
                    submitted_at=_moment(rng, opens_on),
                )
                save_response(session=session, response_in=resp, instrument=instrument)
                total += 1
    for name, index, factor, what, owner, status, note in ACTIONS:
        community_id = community_ids[name]
        round_id = round_ids[(name, index)]
        session.add(
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
    session.add(AppMeta(key=META_KEY, value=f"seed={seed}"))
    session.flush()
    return total
