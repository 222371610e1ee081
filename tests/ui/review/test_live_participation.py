"""AppTest: a lead follows an open round live: responses, response rate, days left and the
reminders sent, with a chart of the running total against the invitations and the reminder days
marked; no figures of the round before it is published."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from lc_health.domain.schedules import REMINDER
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import rounds as round_store
from lc_health.store import schedules as schedule_store
from lc_health.store import users as ustore
from lc_health.store.models import OutboxMessage
from lc_health.store.rounds import RoundState, state
from tests.apptest import chart_data, page_app, page_text

COMMUNITY = "Duurzame Kas Lansingerland"


@pytest.fixture
def lead_page(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, int]:
    """The lead's id, the community's and its open round's, with two reminders sent."""
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    today = date.today()
    with db.write_session(engine) as session:
        users = ustore.users_frame(session=session)
        communities = cstore.communities_frame(session=session)
        community_id = int(communities.loc[communities["name"] == COMMUNITY, "community_id"].item())
        [rnd] = [
            r
            for r in round_store.community_rounds(session=session, community_id=community_id)
            if state(r, today) is RoundState.open
        ]
        assert rnd.id is not None
        for days in (1, 2):
            day = rnd.opens_on + timedelta(days=days)
            assert schedule_store.record_event(session, round_id=rnd.id, kind=REMINDER, day=day)
            session.add(  # the mail server accepted one reminder that day
                OutboxMessage(
                    kind="reminder",
                    round_id=rnd.id,
                    dedupe_key=f"reminder:test:{days}",
                    message_key=f"test-{days}",
                    status="sent",
                    sent_at=datetime.combine(day, time(9), tzinfo=UTC),
                )
            )
    engine.dispose()
    lead = int(users.loc[users["email"].str.startswith("trekker@"), "user_id"].item())
    return lead, community_id, rnd.id


def test_the_lead_sees_participation_and_reminders_as_figures_and_a_chart(
    lead_page: tuple[int, int, int],
) -> None:
    lead, community_id, _ = lead_page
    at = page_app("lead_review")
    at.query_params["lang"] = "en"
    at.query_params["community"] = str(community_id)
    at.session_state["user_id"] = lead
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reminders sent"] == "2"
    assert metrics["Response rate"].endswith("%")
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    progress = [s for s in specs if s.get("description", "").startswith("Participation so far")]
    assert len(progress) == 1
    marks = [layer["mark"] for layer in progress[0]["layer"]]
    assert [m["type"] for m in marks].count("rule") == 2  # the invitations, the reminder days
    labels = [str(v) for f in chart_data(at) if "label" in f.columns for v in f["label"]]
    reminder_frames = [
        f for f in chart_data(at) if "label" in f.columns and (f["label"] == "Reminder").all()
    ]
    # One rule per reminder day; only the first day is labelled too (labels would overlap).
    assert sorted(len(f) for f in reminder_frames) == [1, 2]
    assert any(label.startswith("Invited: ") for label in labels)
    assert progress[0]["description"].startswith("Participation so far. 14 of ")
    assert "Reminders sent: 2." in progress[0]["description"]
    text = page_text(at)
    assert "Dotted lines: reminders." in text
    assert progress[0]["description"] in text  # shown under the chart as well
