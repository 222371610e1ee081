"""The outbox claim: senders claiming at the same time never take the same message, and a lease
that ran out (a sender that died) makes a message due again. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import Engine

from lc_health.domain.instrument import Instrument
from lc_health.store import db
from lc_health.store import mail as mail_store
from lc_health.store.models import utcnow
from tests.mail_world import make_world

MESSAGES = 60
SENDERS = 4


def _fill(engine: Engine, round_id: int) -> None:
    with db.write_session(engine) as session:
        added = mail_store.enqueue(
            session,
            messages=[
                mail_store.NewMessage("lead_notice", round_id, f"test:{i}", notice="round_opened")
                for i in range(MESSAGES)
            ],
            now=utcnow(),
        )
    assert len(added) == MESSAGES


def test_concurrent_senders_never_claim_the_same_message(
    engine: Engine, instrument: Instrument
) -> None:
    world = make_world(engine, instrument)
    _fill(engine, world.round_id)
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(SENDERS)

    def sender() -> None:
        owner = uuid.uuid4().hex
        mine: list[int] = []
        start.wait()
        while True:
            now = utcnow()
            with db.write_session(engine) as session:
                got = mail_store.claim(
                    session, now=now, lease_until=now + timedelta(minutes=5), owner=owner, limit=3
                )
            if not got:
                break
            mine += got
            time.sleep(0.005)  # sending them
        claimed[owner] = mine

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    every = [i for ids in claimed.values() for i in ids]
    assert len(claimed) == SENDERS
    assert len(every) == len(set(every)) == MESSAGES
    assert sum(1 for ids in claimed.values() if ids) >= 2  # they really competed


def test_a_lease_that_ran_out_is_due_again_and_the_old_owner_cannot_close_it(
    engine: Engine, instrument: Instrument
) -> None:
    world = make_world(engine, instrument)
    _fill(engine, world.round_id)
    now = utcnow()
    with db.write_session(engine) as session:
        first = mail_store.claim(
            session, now=now, lease_until=now + timedelta(minutes=5), owner="a", limit=MESSAGES
        )
    assert len(first) == MESSAGES
    with db.write_session(engine) as session:  # still leased: nothing to take
        assert mail_store.claim(session, now=now, lease_until=now, owner="b", limit=10) == []
    later = now + timedelta(minutes=6)
    with db.write_session(engine) as session:
        again = mail_store.claim(
            session, now=later, lease_until=later + timedelta(minutes=5), owner="b", limit=5
        )
    assert again == first[:5]
    with db.write_session(engine) as session:
        lost = mail_store.finish(
            session, message_id=again[0], owner="a", status=mail_store.Status.sent, now=later
        )
        kept = mail_store.finish(
            session, message_id=again[1], owner="b", status=mail_store.Status.sent, now=later
        )
    assert (lost, kept) == (False, True)


def test_enqueueing_a_key_again_adds_nothing(engine: Engine, instrument: Instrument) -> None:
    world = make_world(engine, instrument)
    _fill(engine, world.round_id)
    with db.write_session(engine) as session:
        again = mail_store.enqueue(
            session,
            messages=[
                mail_store.NewMessage("lead_notice", world.round_id, f"test:{i}")
                for i in range(MESSAGES + 2)
            ],
            now=utcnow(),
        )
    assert len(again) == 2
    assert len(world.outbox()) == MESSAGES + 2
