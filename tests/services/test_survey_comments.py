"""A participant's comment through services.survey on a real database: invisible control
characters (NUL and the like) are dropped instead of failing the submission; line breaks and
every visible character stay as typed."""

from __future__ import annotations

from sqlalchemy import Engine, select

from lc_health.domain.instrument import Instrument
from lc_health.domain.schemas import MAX_COMMENT_CHARS, clean_comment
from lc_health.services import survey
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Comment
from tests.factories import make_community, make_response_in, make_round


def _round(engine: Engine, instrument: Instrument) -> int:
    with write_session(engine) as session:
        community = make_community(session)
        assert community.id is not None
        rnd = make_round(session, instrument, community_id=community.id)
        assert rnd.id is not None
        return rnd.id


def _submit(engine: Engine, instrument: Instrument, comment: str) -> str | None:
    round_id = _round(engine, instrument)
    response = make_response_in(instrument, round_id=round_id, comment=comment)
    result = survey.submit(
        engine,
        response=response,
        instrument=instrument,
        mark_invitation=None,
        open_link=True,
        session_id="s1",
        seconds=60,
    )
    with read_session(engine) as session:
        return session.execute(
            select(Comment.text).where(Comment.response_id == result.response_id)
        ).scalar_one_or_none()


def test_control_characters_are_dropped_not_fatal(engine: Engine, instrument: Instrument) -> None:
    typed = "Goed\x00 bezig\r\nmet\tde \x1b[31mrobot\x7f 🌱 مرحبا"
    assert _submit(engine, instrument, typed) == "Goed bezig\nmet\tde [31mrobot 🌱 مرحبا"


def test_a_comment_of_only_control_characters_is_no_comment(
    engine: Engine, instrument: Instrument
) -> None:
    assert _submit(engine, instrument, "\x00\x01 \x02") is None


def test_clean_comment_keeps_every_visible_character() -> None:
    visible = "é ß 中文 👩‍🔬 <b>**x**</b> =SUM(A1)\n\t"
    assert clean_comment(visible) == visible
    assert clean_comment("a\rb\ud800c") == "a\nbc"
    assert MAX_COMMENT_CHARS == 2000
