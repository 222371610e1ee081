"""Administration in the store: communities, rounds and links, with every bad input refused
before anything is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from lc_health.domain.errors import Invalid
from lc_health.domain.instrument import Instrument
from lc_health.store import communities as cstore
from lc_health.store import invitations as istore
from lc_health.store import rounds as round_store
from lc_health.store.db import read_session, write_session
from lc_health.store.invitations import LinkStatus
from lc_health.store.models import Community, Round
from lc_health.store.rounds import RoundState

TODAY = date(2026, 8, 15)


def _codes(info: pytest.ExceptionInfo[Invalid]) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in info.value.problems}


def _count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_community_names_are_required_and_unique(engine: Engine) -> None:
    with write_session(engine) as session:
        cstore.add_community(session=session, name="Kas van Morgen", phase="starting")
    for name, code in (("  kas VAN morgen ", "error.name_taken"), ("   ", "error.required")):
        with pytest.raises(Invalid) as info, write_session(engine) as session:
            cstore.add_community(session=session, name=name)
        assert _codes(info) == {("name", code)}
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        cstore.add_community(session=session, name="Other", phase="flourishing")
    assert _codes(info) == {("phase", "error.unknown_choice")}
    assert _count(engine, Community) == 1


def test_archiving_keeps_the_community(engine: Engine) -> None:
    with write_session(engine) as session:
        row = cstore.add_community(session=session, name="Bijenlint")
        assert row.id is not None
        cstore.set_archived(session=session, community_id=row.id, archived=True)
    with read_session(engine) as session:
        assert cstore.communities_frame(session=session).empty
        archived = cstore.communities_frame(session=session, include_archived=True)
    assert archived["archived"].tolist() == [True]


def test_communities_come_back_in_the_order_asked(engine: Engine) -> None:
    with write_session(engine) as session:
        made = [cstore.add_community(session=session, name=n).id for n in ("A", "B", "C")]
    a, b, c = (int(i) for i in made if i is not None)
    with read_session(engine) as session:
        rows = cstore.get_communities(session=session, community_ids=[c, a, 99_999, b])
    assert [r.name for r in rows] == ["C", "A", "B"]  # unknown ids are left out


def _community(engine: Engine, name: str = "Energiehub") -> int:
    with write_session(engine) as session:
        row = cstore.add_community(session=session, name=name)
        assert row.id is not None
        return row.id


def _plan(
    engine: Engine,
    instrument: Instrument,
    community_id: int,
    period: str,
    opens_on: date | None,
    closes_on: date | None,
) -> Round:
    with write_session(engine) as session:
        return round_store.plan_round(
            session=session,
            community_id=community_id,
            period=period,
            opens_on=opens_on,
            closes_on=closes_on,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
        )


@pytest.mark.parametrize(
    ("period", "opens_on", "closes_on", "expected"),
    [
        ("2026-Q5", date(2026, 10, 1), date(2026, 12, 31), {("period", "error.period_format")}),
        (
            "2026-Q4",
            date(2026, 12, 31),
            date(2026, 10, 1),
            {("closes_on", "error.closes_before_opens")},
        ),
        ("2026-Q4", date(2026, 9, 20), date(2026, 12, 31), {("opens_on", "error.round_overlaps")}),
        ("2026-Q3", date(2026, 11, 1), date(2026, 11, 30), {("period", "error.period_taken")}),
        ("2026-Q4", None, None, {("opens_on", "error.required"), ("closes_on", "error.required")}),
    ],
)
def test_round_problems(
    engine: Engine,
    instrument: Instrument,
    period: str,
    opens_on: date | None,
    closes_on: date | None,
    expected: set[tuple[str, str]],
) -> None:
    community_id = _community(engine)
    _plan(engine, instrument, community_id, "2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    with pytest.raises(Invalid) as info:
        _plan(engine, instrument, community_id, period, opens_on, closes_on)
    assert _codes(info) == expected
    assert _count(engine, Round) == 1


def test_planning_for_all_is_all_or_nothing(engine: Engine, instrument: Instrument) -> None:
    a, b = _community(engine, "A"), _community(engine, "B")
    _plan(engine, instrument, b, "2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        round_store.plan_for_all(
            session=session,
            community_ids=[a, b],
            period="2026-Q4",
            opens_on=date(2026, 10, 1),
            closes_on=date(2026, 12, 31),
            instrument_id=instrument.id,
            instrument_version=instrument.version,
        )
    assert [p.params["community_id"] for p in info.value.problems] == [b, b]
    assert _count(engine, Round) == 1  # nothing planned for A either


def test_open_close_reopen(engine: Engine, instrument: Instrument) -> None:
    community_id = _community(engine)
    rnd = _plan(engine, instrument, community_id, "2026-Q3", date(2026, 9, 1), date(2026, 9, 30))
    assert rnd.id is not None
    assert round_store.state(rnd, TODAY) == RoundState.scheduled
    with write_session(engine) as session:
        opened = round_store.open_now(session=session, round_id=rnd.id, today=TODAY)
        assert round_store.state(opened, TODAY) == RoundState.open and opened.opens_on == TODAY
        closed = round_store.close_now(session=session, round_id=rnd.id)
        assert round_store.state(closed, TODAY) == RoundState.closed
    after = date(2026, 10, 5)
    with pytest.raises(Invalid) as info, write_session(engine) as session:
        round_store.reopen(session=session, round_id=rnd.id, today=after, closes_on=None)
    assert _codes(info) == {("closes_on", "error.closes_in_past")}
    with write_session(engine) as session:
        again = round_store.reopen(
            session=session, round_id=rnd.id, today=after, closes_on=date(2026, 10, 20)
        )
        assert round_store.state(again, after) == RoundState.open


def test_links_resolve_to_what_they_may_show(engine: Engine, instrument: Instrument) -> None:
    community_id = _community(engine)
    rnd = _plan(engine, instrument, community_id, "2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    assert rnd.id is not None
    with write_session(engine) as session:
        personal, revoked = istore.create_personal_links(
            session=session, community_id=community_id, count=2
        )
        open_link = istore.create_open_link(session=session, round_id=rnd.id)
        istore.revoke(session=session, invitation_id=revoked.invitation_id)

    def status(token: str | None, today: date = TODAY) -> LinkStatus:
        with read_session(engine) as session:
            return istore.resolve(session=session, token=token, today=today).status

    assert status(personal.token) == LinkStatus.ok
    assert status(open_link.token) == LinkStatus.ok
    assert status(revoked.token) == LinkStatus.revoked
    assert status(personal.token, date(2026, 6, 1)) == LinkStatus.not_open
    assert status(personal.token, date(2026, 10, 2)) == LinkStatus.closed
    assert status(open_link.token, date(2026, 10, 2)) == LinkStatus.closed
    for bad in (None, "", "x" * 43, personal.token[:-1], personal.token + "=", "<script>"):
        assert status(bad) == LinkStatus.unknown
    with write_session(engine) as session:
        cstore.set_archived(session=session, community_id=community_id, archived=True)
    assert status(personal.token) == LinkStatus.unknown  # never reveals an archived community


def test_link_count_is_bounded(engine: Engine) -> None:
    community_id = _community(engine)
    for count in (0, istore.MAX_LINKS_AT_ONCE + 1):
        with pytest.raises(Invalid), write_session(engine) as session:
            istore.create_personal_links(session=session, community_id=community_id, count=count)


def test_link_urls_carry_the_token_and_language() -> None:
    url = istore.link_url("https://lc.example.org/", "abc", "en")
    assert url == "https://lc.example.org/?t=abc&lang=en"
