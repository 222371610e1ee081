"""The fictional demo portfolio as data: communities with their stories, comments, actions and
demo accounts. Every community, organisation, person and answer here is invented."""

from __future__ import annotations

from dataclasses import dataclass, field

from lc_health.domain.enums import Role
from lc_health.domain.periods import Period

FIRST_PERIOD = Period(2025, 1)
LAST_PERIOD = Period(2026, 4)

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
        "Robotica Fieldlab Westland",
        1,
        7,
        "Show a working demo to all partners at the end of every sprint.",
        "Fieldlab coordinator",
        "done",
        "Four demo days held; growers now join them.",
    ),
    (
        "Robotica Fieldlab Westland",
        3,
        12,
        "Invite the regional economic board to the spring demo day.",
        "Project lead",
        "in_progress",
        "",
    ),
    (
        "Duurzame Kas Lansingerland",
        4,
        9,
        "Draft a joint funding proposal with the province and two growers.",
        "Greenhouse lead",
        "in_progress",
        "First meeting with the province in March.",
    ),
    (
        "Duurzame Kas Lansingerland",
        5,
        10,
        "Agree who maintains the climate-model results after the project ends.",
        "Research lead",
        "open",
        "",
    ),
    (
        "Noordzeevis op de Kaart",
        2,
        5,
        "Hold a vision session where chefs, fishers and teachers each name their goal.",
        "Community lead",
        "done",
        "Session held; shared goal written on one page.",
    ),
    (
        "Energiehub Zwolle",
        2,
        4,
        "Write down which data partners may share with each other, and which not.",
        "Grid operator liaison",
        "done",
        "",
    ),
)

DEMO_PARTICIPANT_COMMUNITY = "Robotica Fieldlab Westland"

# (email, password, role, name, communities). The passwords are public on purpose: they are
# shown on the sign-in page, in demo mode only.
ACCOUNTS: tuple[tuple[str, str, Role, str, tuple[str, ...]], ...] = (
    ("beheer@demo.lc-health.nl", "demo-admin-2026", Role.admin, "Demo beheerder", ()),
    (
        "trekker@demo.lc-health.nl",
        "demo-lead-2026",
        Role.lead,
        "Demo trekker",
        (
            "Robotica Fieldlab Westland",
            "Duurzame Kas Lansingerland",
            "Noordzeevis op de Kaart",
            "Bijenlinten Midden-Delfland",
        ),
    ),
    (
        "beleid@demo.lc-health.nl",
        "demo-policy-2026",
        Role.policy,
        "Demo beleidsmaker",
        (
            "Robotica Fieldlab Westland",
            "Duurzame Kas Lansingerland",
            "Noordzeevis op de Kaart",
            "Bijenlinten Midden-Delfland",
            "Zorgtech Living Lab Leiden",
            "Havenlogistiek Lab Rotterdam",
        ),
    ),
)

# The demo's e-mail, in the community of the demo participant link and its running round:
# (address, language, what the address's person did). Reserved example domains only, and the
# demo never sends. "answered": before the first reminder; "late": after it; "silent": not yet
# (a second reminder waits in the outbox); "opted_out": erased after the invitation; "refused":
# the receiving server refused the invitation.
DEMO_MAIL: tuple[tuple[str, str, str], ...] = (
    ("j.devries@example.org", "nl", "answered"),
    ("s.bakker@example.com", "nl", "answered"),
    ("p.jansen@example.org", "nl", "late"),
    ("a.smith@example.com", "en", "silent"),
    ("l.nguyen@example.org", "en", "silent"),
    ("m.visser@example.com", "nl", "opted_out"),
    ("r.mulder@example.org", "nl", "refused"),
)
