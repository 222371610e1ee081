"""Publication under the disclosure policy, on SQLite and PostgreSQL: each finding of the privacy
review reproduced, and shown not to work any more."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from lc_health.documents.round_export import UnknownRound
from lc_health.domain.disclosure import Audience, Policy
from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument, Registry
from lc_health.store import invitations as istore
from lc_health.store import publication as publication_store
from lc_health.store.db import read_session, write_session
from lc_health.store.models import Invitation, Round, utcnow
from lc_health.store.participation import round_participation
from lc_health.store.responses import delete_response
from lc_health.store.rounds import close_now, reopen
from tests import publishing as pub


def _item(instrument: Instrument, factor: int, layer: str) -> str:
    return next(i.id for i in instrument.items if i.factor == factor and i.layer == layer)


def _world(engine: Engine, instrument: Instrument, *, eco_answer: int | None) -> pub.Round:
    """Six people rate factor 9 at the organisation layer; one of them, and only that one, also
    rates it at the ecosystem layer (finding 1)."""
    org, eco = _item(instrument, 9, "organisation"), _item(instrument, 9, "ecosystem")
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=6)
        for i, link in enumerate(rnd.links):
            answers = pub.all_items(instrument, 4) | {org: 2 + i % 3, eco: None}
            if i == 5:
                answers[eco] = eco_answer
            pub.answer(session, instrument, rnd, answers, link=link)
    return rnd


def test_a_hidden_cell_leaves_no_trace_in_any_published_figure(
    engine: Engine,
    instrument: Instrument,
    registry: Registry,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    rnd = _world(engine, instrument, eco_answer=1)
    pub.publish(engine, registry)
    lead = pub.document(engine, registry, rnd.round_id, Audience.lead)
    cells = {(c["factor"], c["layer"]) for c in lead["cells"]}
    assert (9, "organisation") in cells and (9, "ecosystem") not in cells
    factor9 = next(f for f in lead["factors"] if f["factor"] == 9)
    # The factor rests on the organisation statement alone: its six answers, nothing more.
    assert factor9["n"] == 6
    assert sum(factor9[f"n{v}"] for v in range(1, 6)) + factor9["n_dk"] == 6
    first = pub.published_bytes(engine, registry, [rnd.round_id])

    # The same community where the one ecosystem answer is a 5 instead of a 1.
    from lc_health.store import db

    other = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('other')}/other.db")
    db.upgrade(other)
    twin = _world(other, instrument, eco_answer=5)
    pub.publish(other, registry)
    assert pub.published_bytes(other, registry, [twin.round_id]) == first


def test_an_open_round_publishes_nothing_but_participation(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(
            session,
            instrument,
            personal=8,
            opens_on=date(2026, 11, 1),
            closes_on=date(2026, 12, 20),
        )
        for link in rnd.links[:6]:
            pub.answer(
                session,
                instrument,
                rnd,
                pub.all_items(instrument, 3),
                link=link,
                comment="meer tijd",
                submitted_at=datetime(2026, 11, 3, tzinfo=UTC),
            )
    assert pub.publish(engine, registry) == []
    with pytest.raises(UnknownRound):
        pub.document(engine, registry, rnd.round_id, Audience.lead)
    with read_session(engine) as session:
        seen = round_participation(session=session, round_id=rnd.round_id, today=pub.TODAY)
    assert seen.responses == 6 and seen.invited == 8 and seen.rate == pytest.approx(0.75)
    assert seen.days_left == 20
    assert seen.per_day["responses"].sum() == 6
    assert seen.per_day.loc[seen.per_day["day"] == date(2026, 11, 3), "responses"].item() == 6


def test_a_reopened_round_is_published_anew_only_after_enough_new_responses(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=12)
        for link in rnd.links[:6]:
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 4), link=link)
    assert [o.status for o in pub.publish(engine, registry)] == ["published"]
    before = pub.published_bytes(engine, registry, [rnd.round_id], with_dates=False)

    def reopen_add_close(links: list[int], value: int) -> list[str]:
        with write_session(engine) as session:
            reopen(
                session=session,
                round_id=rnd.round_id,
                today=pub.TODAY,
                closes_on=date(2026, 12, 31),
            )
            for link in links:
                pub.answer(
                    session,
                    instrument,
                    rnd,
                    pub.all_items(instrument, value),
                    link=link,
                    submitted_at=utcnow(),
                )
            close_now(session=session, round_id=rnd.round_id)
        return [o.status for o in pub.publish(engine, registry, now=utcnow())]

    # One more person: watching the figures move would give away their answers. They stay put.
    assert reopen_add_close(rnd.links[6:7], 1) == ["kept"]
    assert pub.published_bytes(engine, registry, [rnd.round_id], with_dates=False) == before
    # Four more (five new in all): now the round is published anew, with all eleven.
    assert reopen_add_close(rnd.links[7:11], 2) == ["republished"]
    after = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert after["publication"]["responses"] == 11


def test_a_withdrawal_after_publication_moves_no_figure_and_takes_the_comment_away(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=6)
        ids = [
            pub.answer(
                session,
                instrument,
                rnd,
                pub.all_items(instrument, 2 + i % 3),
                link=link,
                comment=f"opmerking {i}",
            )
            for i, link in enumerate(rnd.links)
        ]
    pub.publish(engine, registry)
    lead = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert sorted(lead["comments"]) == [f"opmerking {i}" for i in range(6)]
    with write_session(engine) as session:
        delete_response(session=session, response_id=ids[0], instrument=instrument)
    pub.publish(engine, registry)
    after = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert after["comments"] == [c for c in lead["comments"] if c != "opmerking 0"]
    lead.pop("comments"), after.pop("comments")
    assert after == lead


def test_padding_through_the_open_link_cannot_lift_a_round_with_personal_links(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """Finding 8: one real respondent (all 2s and a comment), four made-up all-5 responses
    through the open link. Nothing of the real person becomes visible."""
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=10, open_link=True)
        pub.answer(
            session,
            instrument,
            rnd,
            pub.all_items(instrument, 2),
            link=rnd.links[0],
            comment="alleen ik weet dit",
        )
        for _ in range(4):
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 5))
    pub.publish(engine, registry)
    lead = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert lead["publication"]["responses"] == 5
    assert lead["publication"]["by_channel"]["open_link"] == 4
    assert lead["publication"]["counted_towards_threshold"] == 1
    assert lead["health"] is None and lead["factors"] == [] and lead["cells"] == []
    assert lead["layers"] == [] and lead["comments"] == []
    assert lead["forces"]["counts"] == []


def test_open_links_count_in_a_round_without_personal_links(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, open_link=True)
        for value in (2, 3, 4, 4, 5):
            pub.answer(session, instrument, rnd, pub.all_items(instrument, value))
    pub.publish(engine, registry)
    lead = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert lead["health"]["respondents"] == 5
    assert lead["health"]["mean"] == pytest.approx(3.6)
    # No expected headcount: responses, but no rate.
    assert lead["publication"]["response_rate"] is None


def test_the_health_index_counts_only_respondents_who_scored_enough_factors(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """Finding 3: one extra respondent who rated a single statement 5 does not count as 5.0."""
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=7)
        for link in rnd.links[:6]:
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 4), link=link)
        one = {i.id: None for i in instrument.items} | {instrument.items[0].id: 5}
        pub.answer(session, instrument, rnd, one, link=rnd.links[6])
    pub.publish(engine, registry)
    lead = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert lead["health"]["respondents"] == 6
    assert lead["health"]["mean"] == pytest.approx(4.0)


def test_response_rates_use_the_links_valid_during_the_round_and_stay_fixed(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """Finding 4: 8 of 10 links answered is 80 %, also after six links are revoked later."""
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=10)
        for link in rnd.links[:8]:
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 4), link=link)
        # A link revoked before the round opened was never valid during it.
        early = istore.create_personal_links(
            session=session, community_id=rnd.community_id, count=1
        )[0]
        row = session.get(Invitation, early.invitation_id)
        assert row is not None
        row.created_at = datetime(2026, 1, 1, tzinfo=UTC)
        row.revoked_at = datetime(2026, 6, 1, tzinfo=UTC)
        session.add(row)
    pub.publish(engine, registry)
    with write_session(engine) as session:
        for link in rnd.links[:6]:
            row = session.get(Invitation, link)
            assert row is not None
            row.revoked_at = utcnow()
            session.add(row)
    for audience in (Audience.lead, Audience.policy):
        doc = pub.document(engine, registry, rnd.round_id, audience)
        assert doc["publication"]["response_rate"] == pytest.approx(0.8)
        assert doc["publication"]["personal_links_valid_during_round"] == 10


def test_responses_typed_in_by_a_lead_are_counted_by_channel(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=3)
        for link in rnd.links:
            pub.answer(session, instrument, rnd, pub.all_items(instrument, 4), link=link)
        for source in (Source.paper, Source.paper, Source.imported):
            pub.answer(
                session, instrument, rnd, pub.all_items(instrument, 3), source=source, forces=None
            )
    pub.publish(engine, registry)
    doc = pub.document(engine, registry, rnd.round_id, Audience.policy)
    assert doc["publication"]["by_channel"] == {
        "personal": 3,
        "open_link": 0,
        "paper": 2,
        "imported": 1,
    }
    assert doc["publication"]["counted_towards_threshold"] == 6
    assert doc["health"]["respondents"] == 6
    assert "comments" not in doc and "actions" not in doc


def test_a_policy_maker_sees_no_comments_or_actions_and_a_participant_no_export(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        rnd = pub.make(session, instrument, personal=5)
        for link in rnd.links:
            pub.answer(
                session, instrument, rnd, pub.all_items(instrument, 4), link=link, comment="=1+1"
            )
    pub.publish(engine, registry)
    assert "comments" not in pub.document(engine, registry, rnd.round_id, Audience.policy)
    assert pub.document(engine, registry, rnd.round_id, Audience.lead)["comments"] == ["=1+1"] * 5
    # An administrator sees what a lead sees; a participant's view is the feedback page, not an
    # export of the round.
    admin = pub.document(engine, registry, rnd.round_id, Audience.admin)
    assert admin["comments"] == ["=1+1"] * 5 and "actions" in admin
    with pytest.raises(PermissionError):
        pub.document(engine, registry, rnd.round_id, Audience.participant)


def test_changes_compare_linked_people_as_pairs(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """Finding 5: a 1-point rise for 5 of 6 people who answered both rounds through their
    personal link is a clear improvement when they are compared with themselves."""
    factor = instrument.factors[0].id
    items = [i.id for i in instrument.items if i.factor == factor]
    with write_session(engine) as session:
        first = pub.make(
            session,
            instrument,
            personal=6,
            period="2026-Q2",
            opens_on=date(2026, 4, 1),
            closes_on=date(2026, 6, 30),
        )
        second = pub.make(session, instrument, community_id=first.community_id, links=first.links)
        for i, link in enumerate(first.links):
            base = 2 + i % 3
            pub.answer(
                session,
                instrument,
                first,
                pub.all_items(instrument, base) | dict.fromkeys(items, base),
                link=link,
            )
            rise = 1 if i < 5 else 0
            pub.answer(
                session,
                instrument,
                second,
                pub.all_items(instrument, base) | dict.fromkeys(items, base + rise),
                link=link,
            )
    pub.publish(engine, registry)
    doc = pub.document(engine, registry, second.round_id, Audience.lead)
    change = next(c for c in doc["changes"]["factor"] if c["key"] == str(factor))
    assert change["n_pairs"] == 6
    assert change["difference"] == pytest.approx(5 / 6)
    assert change["ci_low"] == pytest.approx(0.41, abs=0.01)
    assert change["ci_high"] == pytest.approx(1.26, abs=0.01)
    assert change["status"] == "improved"
    unchanged = [c for c in doc["changes"]["factor"] if c["key"] != str(factor)]
    assert {c["status"] for c in unchanged} == {"no_clear_change"}


def test_due_rounds_are_those_closed_since_they_were_last_looked_at(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    with write_session(engine) as session:
        closed = pub.make(session, instrument, personal=1)
        running = pub.make(
            session,
            instrument,
            personal=1,
            name="Living lab Noord",
            opens_on=date(2026, 11, 1),
            closes_on=date(2026, 12, 31),
        )
    with read_session(engine) as session:
        assert publication_store.due_rounds(session, today=pub.TODAY) == [closed.round_id]
    pub.publish(engine, registry)
    with read_session(engine) as session:
        assert publication_store.due_rounds(session, today=pub.TODAY) == []
        assert publication_store.due_rounds(session, today=date(2027, 1, 1)) == [running.round_id]
        rnd = session.get(Round, closed.round_id)
        assert rnd is not None
    assert Policy().threshold == 5


def test_an_open_link_round_has_a_rate_only_with_an_expected_headcount(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    from sqlmodel import select

    from lc_health.domain.errors import Invalid
    from lc_health.services.rounds import set_expected_headcount
    from lc_health.store.models import AuditEvent

    with write_session(engine) as session:
        rnd = pub.make(session, instrument, open_link=True)
        for value in (2, 3, 4, 4, 5):
            pub.answer(session, instrument, rnd, pub.all_items(instrument, value))
        with pytest.raises(Invalid):
            set_expected_headcount(session=session, round_id=rnd.round_id, expected=-3, actor="a")
        set_expected_headcount(session=session, round_id=rnd.round_id, expected=8, actor="a")
    pub.publish(engine, registry)
    doc = pub.document(engine, registry, rnd.round_id, Audience.policy)
    assert doc["publication"]["expected_headcount"] == 8
    assert doc["publication"]["response_rate"] == pytest.approx(5 / 8)
    with read_session(engine) as session:
        actions = list(session.exec(select(AuditEvent.action)).all())
    assert actions == ["round.expected_headcount"]


def test_a_round_purged_before_publication_publishes_its_kept_tallies(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """Databases from before publication may hold rounds whose raw answers the retention
    setting already removed: their tallies are all that is left, and become their figures."""
    from lc_health.services import privacy

    with write_session(engine) as session:
        rnd = pub.make(
            session,
            instrument,
            personal=7,
            period="2024-Q1",
            opens_on=date(2024, 1, 1),
            closes_on=date(2024, 3, 31),
        )
        for i, link in enumerate(rnd.links):
            pub.answer(
                session,
                instrument,
                rnd,
                pub.all_items(instrument, 2 + i % 3),
                link=link,
                submitted_at=datetime(2024, 2, 1, tzinfo=UTC),
            )
        counts = privacy.purge_expired(session=session, now=pub.TODAY, years=1)
    assert counts.responses == 7
    assert [o.status for o in pub.publish(engine, registry)] == ["published"]
    doc = pub.document(engine, registry, rnd.round_id, Audience.lead)
    assert doc["health"]["respondents"] == 7
    assert doc["health"]["mean"] == pytest.approx((2 + 3 + 4 + 2 + 3 + 4 + 2) / 7)
    assert {f["n"] for f in doc["factors"]} == {7}
    assert doc["comments"] == []


def test_two_processes_publishing_at_once_publish_each_round_once(
    engine: Engine, instrument: Instrument, registry: Registry
) -> None:
    """Replicas that start together both find the due rounds; one publishes, the other leaves
    it (and nothing is doubled)."""
    import threading

    from sqlalchemy import func, select

    from lc_health.runtime.config import Settings
    from lc_health.services.publication import publish_due
    from lc_health.store.models import Publication, PublishedScore

    with write_session(engine) as session:
        for name in ("Een", "Twee", "Drie"):
            rnd = pub.make(session, instrument, personal=5, name=name)
            for link in rnd.links:
                pub.answer(session, instrument, rnd, pub.all_items(instrument, 4), link=link)
    settings = Settings()
    start = threading.Barrier(2)
    done: list[int] = []

    def run() -> None:
        start.wait()
        done.append(len(publish_due(engine=engine, registry=registry, settings=settings)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(done)[-1] == 3  # one of them published all three
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Publication)).scalar_one() == 3
        scores = session.execute(
            select(func.count()).select_from(PublishedScore).where(PublishedScore.scope == "health")
        ).scalar_one()
    assert scores == 3
