"""Survey drafts on SQLite and PostgreSQL: a personal link's unsent answers are kept and come
back at the step they were left; a draft that no longer fits is dropped; sending, the round's
closing and a privacy request delete them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select

from lc_health.domain.disclosure import Policy
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.schemas import MAX_COMMENT_CHARS
from lc_health.domain.survey_flow import DONT_KNOW, Draft, steps, to_response
from lc_health.services import drafts, privacy, survey
from lc_health.services.publication import publish_due
from lc_health.services.rounds import close_round
from lc_health.store import drafts as draft_store
from lc_health.store import invitations as istore
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Round, SurveyDraft
from lc_health.store.rounds import save_round
from tests.factories import make_community, make_round

TODAY = date.today()


@dataclass(frozen=True)
class _Settings:
    """The settings publish_due reads (runtime.config.Settings has them)."""

    anonymity_threshold: int = 5
    comment_threshold: int = 5
    open_link_lifts_threshold: bool = False
    health_min_factors: int = 9
    min_change: float = 0.3


SETTINGS = _Settings()


@dataclass
class World:
    engine: Engine
    round_id: int
    community_id: int
    token: str
    invitation_id: int
    other_id: int
    open_id: int


@pytest.fixture
def world(engine: Engine, instrument: Instrument) -> World:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(
            session,
            instrument,
            community_id=community.id,
            period="2026-Q4",
            opens_on=TODAY - timedelta(days=3),
            closes_on=TODAY + timedelta(days=20),
        )
        assert rnd.id is not None
        mine, other = istore.create_personal_links(
            session=session, community_id=community.id, count=2
        )
        open_link = istore.create_open_link(session=session, round_id=rnd.id)
    return World(
        engine,
        rnd.id,
        community.id,
        mine.token,
        mine.invitation_id,
        other.invitation_id,
        open_link.invitation_id,
    )


def _draft(instrument: Instrument, *, step: int = 3, comment: str = "half af") -> Draft:
    first, second = instrument.items[0].id, instrument.items[1].id
    return Draft(
        step=step,
        role="teacher",
        organisation_type="hbo",
        answers={first: 2, second: DONT_KNOW},
        forces={instrument.forces[0].id},
        comment=comment,
    )


def _save(
    world: World, draft: Draft, *, invitation_id: int | None = None, lang: str = "en"
) -> None:
    assert drafts.save_draft(
        world.engine,
        invitation_id=invitation_id or world.invitation_id,
        round_id=world.round_id,
        draft=draft,
        language=lang,
    )


def _restore(world: World, instrument: Instrument) -> drafts.Restored | None:
    return drafts.restore_draft(
        world.engine,
        invitation_id=world.invitation_id,
        round_id=world.round_id,
        instrument=instrument,
    )


def _count(engine: Engine) -> int:
    with read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(SurveyDraft)).scalar_one())


def test_saved_draft_comes_back_at_its_step_in_its_language(
    world: World, instrument: Instrument
) -> None:
    assert _restore(world, instrument) is None
    _save(world, _draft(instrument, step=2))
    _save(world, _draft(instrument, step=3), lang="en")  # replaces: one draft per link and round
    assert _count(world.engine) == 1
    restored = _restore(world, instrument)
    assert restored is not None and restored.language == "en"
    got, want = restored.draft, _draft(instrument, step=3)
    assert (got.step, got.role, got.organisation_type) == (3, "teacher", "hbo")
    assert got.answers == want.answers and got.forces == want.forces
    assert got.comment == "half af"
    assert got.submitted_response_id is None and not got.viewing_feedback


def test_too_long_comment_keeps_the_comment_kept_before(
    world: World, instrument: Instrument
) -> None:
    _save(world, _draft(instrument, comment="kort"))
    _save(world, _draft(instrument, comment="x" * (MAX_COMMENT_CHARS + 1)))
    restored = _restore(world, instrument)
    assert restored is not None and restored.draft.comment == "kort"
    _save(world, _draft(instrument, comment="  " + "y" * MAX_COMMENT_CHARS + "  "))  # fits
    restored = _restore(world, instrument)
    assert restored is not None and restored.draft.comment == "y" * MAX_COMMENT_CHARS


@pytest.mark.parametrize(
    "payload",
    [
        "not json at all {",
        json.dumps({"answers": {"no_such_item": 3}}),
        json.dumps({"answers": {"ind_f01": 9}}),
        json.dumps({"forces": ["no_such_force"]}),
        json.dumps({"role": "astronaut"}),
        json.dumps({"step": 40}),
        json.dumps({"comment": "x" * (MAX_COMMENT_CHARS + 1)}),
        json.dumps({"unexpected": 1}),
        json.dumps([1, 2, 3]),
    ],
)
def test_a_draft_that_no_longer_fits_is_dropped(
    world: World, instrument: Instrument, payload: str
) -> None:
    with write_session(world.engine) as session:
        draft_store.put_draft(
            session,
            invitation_id=world.invitation_id,
            round_id=world.round_id,
            payload=payload,
            step=1,
            language="nl",
        )
    assert _restore(world, instrument) is None
    assert _count(world.engine) == 0


def test_last_step_is_restorable_and_one_past_it_is_not(
    world: World, instrument: Instrument
) -> None:
    last = len(steps(instrument)) - 1
    _save(world, _draft(instrument, step=last))
    restored = _restore(world, instrument)
    assert restored is not None and restored.draft.step == last
    _save(world, _draft(instrument, step=last + 1))
    assert _restore(world, instrument) is None


def _submit(world: World, instrument: Instrument, invitation_id: int | None) -> None:
    draft = _draft(instrument)
    draft.answers = {i.id: 4 for i in instrument.items}
    with read_session(world.engine) as session:
        invitation = istore.get_invitation(session=session, invitation_id=invitation_id or 0)
    survey.submit(
        world.engine,
        response=to_response(
            draft,
            round_id=world.round_id,
            language="nl",
            invitation_id=invitation_id,
            respondent_key=invitation.respondent_key if invitation else None,
        ),
        instrument=instrument,
        mark_invitation=invitation_id,
        open_link=invitation_id is None,
        session_id="s",
        seconds=60,
    )


def test_sending_deletes_the_senders_draft_only(world: World, instrument: Instrument) -> None:
    _save(world, _draft(instrument))
    _save(world, _draft(instrument), invitation_id=world.other_id)
    _submit(world, instrument, None)  # someone through the open link: nothing of ours goes
    assert _count(world.engine) == 2
    _submit(world, instrument, world.invitation_id)
    assert _restore(world, instrument) is None
    assert _count(world.engine) == 1


def test_closing_the_round_by_hand_deletes_its_drafts(
    world: World, instrument: Instrument, registry: Registry
) -> None:
    _save(world, _draft(instrument))
    with write_session(world.engine) as session:
        close_round(
            session=session,
            round_id=world.round_id,
            actor="admin@example.org",
            registry=registry,
            policy=Policy(),
        )
    assert _count(world.engine) == 0


def test_a_round_closed_by_its_date_loses_its_drafts_when_published(
    world: World, instrument: Instrument, registry: Registry
) -> None:
    _save(world, _draft(instrument))
    with write_session(world.engine) as session:
        other = make_round(
            session,
            instrument,
            community_id=world.community_id,
            period="2027-Q1",
            opens_on=TODAY + timedelta(days=30),
            closes_on=TODAY + timedelta(days=60),
        )
        assert other.id is not None
        draft_store.put_draft(
            session,
            invitation_id=world.invitation_id,
            round_id=other.id,
            payload="{}",
            step=0,
            language="nl",
        )
    publish_due(engine=world.engine, registry=registry, settings=SETTINGS)
    assert _count(world.engine) == 2  # nothing closed yet
    with write_session(world.engine) as session:
        rnd = session.get(Round, world.round_id)
        assert rnd is not None
        rnd.closes_on = TODAY - timedelta(days=1)
        save_round(session=session, rnd=rnd)
    publish_due(engine=world.engine, registry=registry, settings=SETTINGS)
    with read_session(world.engine) as session:
        left = session.execute(select(SurveyDraft.round_id)).scalars().all()
    assert left == [other.id]


def test_withdrawal_and_erasure_delete_the_links_drafts(
    world: World, instrument: Instrument, registry: Registry
) -> None:
    _save(world, _draft(instrument))
    _save(world, _draft(instrument), invitation_id=world.other_id)
    with read_session(world.engine) as session:
        exported = privacy.export_token(session=session, token=world.token)
    (kept,) = exported["drafts"]
    assert kept["round_id"] == world.round_id and kept["language"] == "en"
    assert kept["answers"]["comment"] == "half af"
    with write_session(world.engine) as session:
        removed = privacy.withdraw(
            session=session, token=world.token, today=TODAY, instrument_for=registry.get
        )
    assert removed.outcome is privacy.Outcome.done
    assert _restore(world, instrument) is None and _count(world.engine) == 1
    _save(world, _draft(instrument))  # the link still works after a withdrawal
    with write_session(world.engine) as session:
        privacy.erase_token(
            session=session, token=world.token, actor="admin", instrument_for=registry.get
        )
    assert _restore(world, instrument) is None and _count(world.engine) == 1
