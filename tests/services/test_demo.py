"""The demo portfolio is deterministic and tells the stories a lead would recognise."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select, text
from sqlmodel import SQLModel

from lc_health import metrics
from lc_health.domain.demo_data import DEMO_MAIL, DEMO_PARTICIPANT_COMMUNITY
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.scoring import FACTOR, HEALTH
from lc_health.services.demo import COMMUNITIES, NEWEST_FROM, load_demo
from lc_health.services.mail_sender import send_due
from lc_health.store import communities as cstore
from lc_health.store import db, participation, tallies
from lc_health.store.models import (
    Action,
    Comment,
    Community,
    MailRecipient,
    OutboxMessage,
    Response,
    Round,
)
from tests.mail_world import sender_config
from tests.smtp import SmtpServer

THRESHOLD = 5


def _fingerprint(engine: Engine) -> str:
    """A hash of every table's content, ignoring wall-clock creation times and salted password
    hashes (random by design)."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for name, table in sorted(SQLModel.metadata.tables.items()):
            columns = [
                c.name for c in table.columns if c.name not in ("created_at", "password_hash")
            ]
            order = ", ".join(c.name for c in table.primary_key.columns)
            rows = conn.execute(text(f"SELECT {', '.join(columns)} FROM {name} ORDER BY {order}"))
            digest.update(name.encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _load(path: Path, registry: Registry) -> Engine:
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(
            session=session,
            instrument=registry.latest(),
            earlier=registry.get("lc_health", 1),
        )
    return engine


def test_demo_is_deterministic(tmp_path: Path, registry: Registry) -> None:
    a = _load(tmp_path / "a.db", registry)
    b = _load(tmp_path / "b.db", registry)
    assert _fingerprint(a) == _fingerprint(b)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, registry: Registry) -> Engine:
    return _load(tmp_path_factory.mktemp("demo") / "demo.db", registry)


def _by_name(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    with db.read_session(engine) as session:
        communities = cstore.communities_frame(session=session)
        rounds = cstore.rounds_frame(session=session)
        sums = tallies.score_sums(session=session, round_ids=rounds["round_id"].tolist())
    rounds = rounds.merge(communities[["community_id", "name"]], on="community_id")
    return rounds, sums


def _series(rounds: pd.DataFrame, sums: pd.DataFrame, name: str, scope: str, key: str) -> pd.Series:
    own = rounds[rounds["name"] == name]
    picked = sums[(sums["scope"] == scope) & (sums["key"] == key)]
    merged = own.merge(picked, on="round_id").sort_values("period")
    return metrics.summarise_sums(merged, THRESHOLD).set_index("period")["mean"]


def test_demo_portfolio_shape(demo: Engine) -> None:
    rounds, _ = _by_name(demo)
    assert rounds["name"].nunique() == 8 == len(COMMUNITIES)
    assert rounds["period"].min() == "2025-Q1" and rounds["period"].max() == "2026-Q4"
    per_community = rounds.groupby("name")["period"].count()
    assert per_community["Zorgtech Living Lab Leiden"] == 2
    assert (per_community.drop("Zorgtech Living Lab Leiden") == 8).all()
    small = rounds[rounds["name"] == "Bijenlinten Midden-Delfland"]["responses"]
    assert (small < THRESHOLD).all()
    others = rounds[rounds["name"] != "Bijenlinten Midden-Delfland"]["responses"]
    assert others.between(6, 30).all()


def test_demo_stories(demo: Engine) -> None:
    rounds, sums = _by_name(demo)
    improving = _series(rounds, sums, "Robotica Fieldlab Westland", HEALTH, "")
    assert improving.iloc[-1] - improving.iloc[0] > 0.6
    funding = _series(rounds, sums, "Duurzame Kas Lansingerland", FACTOR, "9")
    assert funding[:"2025-Q4"].mean() - funding["2026-Q1":].mean() > 1.0
    fish = rounds[rounds["name"] == "Noordzeevis op de Kaart"]
    split = sums[(sums["scope"] == FACTOR) & sums["round_id"].isin(fish["round_id"])]
    sd = metrics.summarise_sums(split, THRESHOLD).groupby("key")["sd"].mean()
    assert sd[["4", "5", "7"]].min() > sd[["1", "2", "3"]].max()


def test_demo_has_comments_in_both_languages_marks_and_actions(demo: Engine) -> None:
    with db.read_session(demo) as session:
        languages = set(
            session.execute(
                select(Response.language).join(Comment, Comment.response_id == Response.id)
            ).scalars()
        )
        actions = session.execute(select(Action)).scalars().all()
        marks = tallies.force_counts(session=session, round_ids=range(1, 100))
    assert languages == {"nl", "en"}
    assert len(actions) >= 5 and {a.status for a in actions} >= {"open", "done", "in_progress"}
    assert marks["n"].sum() > 500


def test_demo_shows_a_change_of_instrument_version(demo: Engine, instrument: Instrument) -> None:
    rounds, _ = _by_name(demo)
    newest = rounds["period"] >= str(NEWEST_FROM)
    assert set(rounds.loc[newest, "instrument_version"]) == {instrument.version}
    assert set(rounds.loc[~newest, "instrument_version"]) == {1}
    with db.read_session(demo) as session:
        versions = session.execute(
            select(Round.instrument_version, Response.instrument_version).join(
                Round, Round.id == Response.round_id
            )
        ).all()
    assert all(r == v for r, v in versions)  # every response on its round's version


def _mail(engine: Engine) -> tuple[list[MailRecipient], list[OutboxMessage], dict[int, datetime]]:
    """The demo's addresses, its outbox, and when each address's link answered the round."""
    with db.read_session(engine) as session:
        recipients = list(session.execute(select(MailRecipient)).scalars())
        messages = list(session.execute(select(OutboxMessage)).scalars())
        answered = session.execute(
            select(Response.invitation_id, Response.submitted_at).where(
                Response.round_id == messages[0].round_id
            )
        ).all()
    return recipients, messages, {int(i): t for i, t in answered if i is not None}


def test_demo_shows_e_mail_with_an_outbox(demo: Engine) -> None:
    recipients, messages, answered = _mail(demo)
    assert len(recipients) == len(DEMO_MAIL)
    addresses = [r.address for r in recipients if r.address]
    assert addresses and all(a.endswith(("@example.org", "@example.com")) for a in addresses)
    assert {r.language for r in recipients} == {"nl", "en"}
    assert sum(r.opted_out_at is not None for r in recipients) == 1  # its address erased
    assert len(addresses) == len(DEMO_MAIL) - 1
    assert sum(r.bounced_at is not None for r in recipients) == 1
    with db.read_session(demo) as session:
        (community_id,) = {r.community_id for r in recipients}
        community = session.get(Community, community_id)
        rnd = session.get(Round, messages[0].round_id)
        assert rnd is not None and rnd.id is not None
        seen = participation.round_participation(
            session=session, round_id=rnd.id, today=date(2026, 12, 6)
        )
    assert community is not None and community.name == DEMO_PARTICIPANT_COMMUNITY
    assert rnd.period == "2026-Q4"
    kinds = pd.Series([(m.kind, m.status) for m in messages]).value_counts()
    assert kinds[("invitation", "sent")] == len(DEMO_MAIL) - 1
    assert kinds[("invitation", "failed")] == 1
    assert kinds[("lead_notice", "sent")] == 1
    assert kinds[("reminder", "sent")] >= 2 and kinds[("reminder", "pending")] >= 1
    assert seen.reminders == kinds[("reminder", "sent")] and len(seen.reminder_days) == 1
    # Reminders only to links that had not answered when it went out, as the real ones.
    invitation = {r.id: r.invitation_id for r in recipients}
    for message in messages:
        if message.kind == "reminder":
            at = answered.get(invitation[message.recipient_id])
            assert at is None or at.replace(tzinfo=UTC) > message.created_at.replace(tzinfo=UTC)


def test_the_demo_never_sends_its_mail(demo_db: str, smtp_server: SmtpServer) -> None:
    """Even a sender outside demo mode pointed at the demo's database sends none of it."""
    engine = db.make_engine(demo_db)
    _, before, _ = _mail(engine)
    waiting = sum(m.status == "pending" for m in before)
    day = datetime(2026, 11, 20, 12, tzinfo=UTC)  # the second reminder is due
    report = send_due(
        engine, config=sender_config(smtp_server), today=day.date(), clock=lambda: day
    )
    assert smtp_server.recorder.delivered == []
    assert report.skipped == waiting > 0 and report.sent == 0
    _, after, _ = _mail(engine)
    assert all("demo" in m.last_error for m in after if m.status == "skipped")
    engine.dispose()
