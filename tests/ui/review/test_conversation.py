"""AppTest: the conversation the group owns, on the demo data. It opens with an overview (open
and overdue actions of any round and factor, the proposed factors), the group votes with dots,
adds and drops factors, records "no action" with a note, follows up an earlier action and
closes with a summary; free text is never markup, refused input stays on screen, and the
projector view enlarges the charts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lc_health.services import actions as action_service
from lc_health.store import communities as cstore
from lc_health.store import db
from lc_health.store import users as ustore
from lc_health.store.models import Action, ActionStatus, AgendaItem, AuditEvent, MeetingSummary
from lc_health.ui.widgets import md_escape
from tests.apptest import each_tab, page_app, page_text

KAS = "Duurzame Kas Lansingerland"
LEAD = "trekker@demo.lc-health.nl"
MARKUP = "**Not bold** <b>nor this</b> [link](javascript:alert(1))"


@pytest.fixture
def ids(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    monkeypatch.setenv("LC_HEALTH_DATABASE_URL", demo_db)
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        users = ustore.users_frame(session=session)
        communities = cstore.communities_frame(session=session)
    engine.dispose()
    out = dict(zip(users["email"].str.split("@").str[0], users["user_id"].astype(int), strict=True))
    out |= dict(zip(communities["name"], communities["community_id"].astype(int), strict=True))
    return out


def _page(ids: dict[str, int], step: str | None = None, **state: object) -> AppTest:
    at = page_app("lead_conversation")
    at.query_params["lang"] = "en"
    at.query_params["community"] = str(ids[KAS])
    if step is not None:
        at.query_params["step"] = step
    at.session_state["user_id"] = ids["trekker"]
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _button(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def _rows(demo_db: str, model: type) -> list:
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        found = list(session.execute(select(model)).scalars())
    engine.dispose()
    return found


def _agenda_lines(at: AppTest) -> list[str]:
    """The numbered agenda as shown on the Agenda step, one line per factor."""
    text = next(m.value for m in at.markdown if m.value.startswith("1. "))
    return text.split("\n")


def test_it_opens_with_open_and_overdue_actions_and_the_proposal(
    ids: dict[str, int], demo_db: str
) -> None:
    engine = db.make_engine(demo_db)
    with db.read_session(engine) as session:
        rounds = cstore.rounds_frame(session=session, community_ids=[ids[KAS]])
    first_round = int(rounds.sort_values("period")["round_id"].iloc[0])
    with db.write_session(engine) as session:  # an old action on a factor that does fine
        action_service.record_action(
            session=session,
            actor=LEAD,
            community_id=ids[KAS],
            round_id=first_round,
            factor_id=1,
            what=MARKUP,
            owner="<i>Anna</i>",
            due_on=date(2025, 6, 1),
        )
    engine.dispose()
    at = _page(ids)
    assert [tab.label for tab in at.tabs] == ["Overview", "Agenda", "Discuss", "Close"]
    text = page_text(at)
    assert "Actions still open" in text and "Proposed for discussion" in text
    assert "joint funding proposal" in text  # in progress, from an earlier round
    assert "maintains the climate" in text  # open
    assert any("Overdue" in m.value and "1\\. Being driven" in m.value for m in at.markdown)
    shown = next(m.value for m in at.markdown if "Not bold" in m.value)
    assert shown == f"**{md_escape(MARKUP)}**"  # every markdown character escaped
    assert "\\<b\\>" in shown and "\\[link\\]" in shown
    proposal = next(m.value for m in at.markdown if m.value.startswith("1. 9\\."))
    assert ":orange-badge[Concern]" in proposal.split("\n")[0]


def test_follow_up_an_earlier_action_from_the_overview(ids: dict[str, int], demo_db: str) -> None:
    at = _page(ids)
    note = next(a for a in at.text_area if a.form_id.startswith("action_overview_"))
    form_id = note.form_id
    action_id = int(form_id.rsplit("_", 1)[1])
    note.set_value("Province said yes\x07 in principle")
    status = next(s for s in at.selectbox if s.form_id == form_id)
    status.set_value(ActionStatus.done)
    # Every action has a Save button: click this form's own.
    next(b for b in at.button if b.form_id == form_id).click().run()
    assert not at.exception
    assert "The action is updated." in page_text(at)
    stored = next(a for a in _rows(demo_db, Action) if a.id == action_id)
    assert stored.note == "Province said yes in principle" and stored.status == "done"
    assert stored.what not in page_text(at)  # done: no longer in the overview


def test_dot_vote_orders_the_agenda_and_adding_and_dropping_factors(
    ids: dict[str, int], demo_db: str
) -> None:
    at = _page(ids, step="Agenda")
    lines = _agenda_lines(at)
    assert lines[0].startswith("1. 9\\.") and "0 dots" in lines[0]
    boxes = at.number_input
    assert boxes[0].label.startswith("Dots for 9.")
    boxes[-1].set_value(5)
    _button(at, "Save dots")
    assert "The dots are saved" in page_text(at)
    lines = _agenda_lines(at)
    last_label = boxes[-1].label.removeprefix("Dots for ").split(".")[0]
    assert lines[0].startswith(f"1. {last_label}\\.") and "5 dots" in lines[0]

    # Every factor of this community is proposed: drop one, and bring it back.
    assert not any(s.label == "Add a factor" for s in at.selectbox)
    assert "All twelve factors are already on the agenda." in page_text(at)
    dropping = next(s for s in at.selectbox if s.label == "Drop a factor")
    dropping.set_value(9)
    _button(at, "Take off the agenda")
    assert "The factor is off the agenda." in page_text(at)
    assert not any(" 9\\." in line for line in _agenda_lines(at))
    assert [c.value for c in at.caption if c.value.startswith("Dropped")] == [
        "Dropped\\: 9\\. \\(Securing\\) long\\-term \\(financial\\) support"
    ]
    assert len(at.number_input) == len(boxes) - 1  # no dots for a dropped factor
    assert next(s for s in at.selectbox if s.label == "Add a factor").options == [
        "9. (Securing) long-term (financial) support"
    ]
    _button(at, "Put on the agenda")
    assert any(line.startswith("2. 9\\.") for line in _agenda_lines(at))
    items = {i.factor_id: i for i in _rows(demo_db, AgendaItem)}
    assert not items[9].dropped and not items[9].added_by_group and items[9].position == 0
    assert items[int(last_label)].dots == 5
    audited = [e.action for e in _rows(demo_db, AuditEvent) if e.action.startswith("agenda.")]
    assert audited == ["agenda.vote", "agenda.drop", "agenda.add"]


def test_no_action_note_then_the_summary_closes_the_meeting(
    ids: dict[str, int], demo_db: str
) -> None:
    at = _page(ids, step="Discuss")
    assert at.header[0].value.startswith("9. (Securing) long-term (financial) support")
    note = next(a for a in at.text_area if a.label == "Why not? (briefly)")
    note.set_value(MARKUP)
    _button(at, "Record: no action")
    assert "Recorded: discussed, no action." in page_text(at)
    assert "Outcome so far: discussed, no action" in page_text(at)
    [item] = [i for i in _rows(demo_db, AgendaItem) if i.factor_id == 9]
    assert (item.outcome, item.note) == ("no_action", MARKUP)

    at.query_params["step"] = "Close"
    at.run()
    assert MARKUP in [t.value for t in at.text]  # plain text, never markup
    summary = next(a for a in at.text_area if a.label == "Summary of the conversation")
    summary.set_value(" \x00 ")
    _button(at, "Close the meeting")
    assert "This field is required." in page_text(at)
    assert not _rows(demo_db, MeetingSummary)
    typed = "Funding comes first; next round we look at the vacuum again."
    summary = next(a for a in at.text_area if a.label == "Summary of the conversation")
    summary.set_value(typed)
    _button(at, "Close the meeting")
    assert "The meeting is closed and the summary recorded." in page_text(at)
    assert "Closed on" in page_text(at)
    [stored] = _rows(demo_db, MeetingSummary)
    assert stored.text == typed and stored.closed_by == LEAD
    close = [e for e in _rows(demo_db, AuditEvent) if e.action == "agenda.close"]
    assert len(close) == 1 and "Funding" not in close[0].detail
    assert json.loads(close[0].detail)["round"] == stored.round_id


def test_an_empty_action_is_refused_and_what_was_typed_stays(
    ids: dict[str, int], demo_db: str
) -> None:
    at = _page(ids, step="Discuss")
    who = next(i for i in at.text_input if i.label == "Who")
    who.set_value("Somebody")
    _button(at, "Record action")
    assert "This field is required." in page_text(at)
    assert next(i for i in at.text_input if i.label == "Who").value == "Somebody"
    assert not [i for i in _rows(demo_db, AgendaItem) if i.outcome == "action"]


def _font_sizes(at: AppTest) -> list[float]:
    sizes = []
    for chart in [*at.get("vega_lite_chart"), *at.get("arrow_vega_lite_chart")]:
        spec = json.loads(chart.proto.spec)
        sizes.append(spec["config"]["axis"]["labelFontSize"])
    return sizes


def test_the_projector_view_enlarges_the_charts(ids: dict[str, int]) -> None:
    normal = _font_sizes(_page(ids, step="Discuss"))
    big = _font_sizes(_page(ids, step="Discuss", projector=True))
    assert normal and len(big) == len(normal)
    assert all(b > n for b, n in zip(big, normal, strict=True))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_in_both_languages(ids: dict[str, int], lang: str) -> None:
    at = page_app("lead_conversation")
    at.query_params["lang"] = lang
    at.query_params["community"] = str(ids["Noordzeevis op de Kaart"])
    at.session_state["user_id"] = ids["trekker"]
    at.run()
    assert not at.exception, at.exception
    texts = [page_text(view) for view in each_tab(at, key="step")]
    assert len(texts) == 4
    opening = "Lopende acties" if lang == "nl" else "Actions still open"
    assert opening in texts[0]
    assert all("conversation." not in text for text in texts)  # no message key left bare
