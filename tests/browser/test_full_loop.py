"""The whole quarterly loop, end to end, with the app in Chromium, the cron commands as real
processes and a real SMTP server (aiosmtpd) in this process:

the round opens by its schedule (`lc-health schedule tick`) → the invitations arrive by e-mail
(`lc-health mail send`) → a participant answers from the link in their mail on a phone → a
reminder goes only to those who did not answer → the round closes and is published → the lead
runs the conversation (agenda, an action, a "no action" note, the summary) → the participant's
"you said, we did" page, opened from the e-mail, shows the published picture, the action and the
summary.

The app runs with the schedule thread off (LC_HEALTH_SCHEDULE_MINUTES=0) and without SMTP
settings, so that only the cron commands move the loop and every step can be checked in turn.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select
from sqlmodel import col

from lc_health.domain.disclosure import Policy
from lc_health.domain.enums import Source
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.periods import Period
from lc_health.runtime.config import Settings
from lc_health.services import mail as mail_service
from lc_health.services.accounts import create_account
from lc_health.services.communities import create_community
from lc_health.services.rounds import close_round, plan_rounds
from lc_health.services.schedule import save_schedule
from lc_health.store import db
from lc_health.store.models import Invitation, MailRecipient, Role, Round
from tests import publishing as pub
from tests.browser.conftest import open_step, run_app, settle, sign_in
from tests.smtp import Delivered, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
COMMUNITY = "Zeewierlab Texel"
LEAD = "lead@zeewierlab.example.org"
LEAD_PASSWORD = "kelp-harvest-Heron-4471"
SECRET = "loop-test-mail-secret-that-is-long-enough"
SENDER = "lc-health@zeewierlab.example.org"
PHONE_USER = "anna@zeewierlab.example.org"  # answers in the browser (English)
BY_SERVICE = [f"p{i}@zeewierlab.example.org" for i in range(5)]  # answer too (not in Chromium)
SILENT = ["bert@zeewierlab.example.org", "carla@zeewierlab.example.org"]  # never answer
ACTION = "Invite two seaweed growers to the next fieldlab day"
NO_ACTION_NOTE = "We already share a yearly plan; nothing to add now"
SUMMARY = "We looked at the weakest factors and agreed one action for the coming quarter."
LINK = re.compile(r"http://127\.0\.0\.1:\d+/\?t=[A-Za-z0-9_-]+&lang=(?:nl|en)")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def _set_up(engine: Engine, today: date) -> int:
    """A community with its own quarterly schedule (day 1, 90 days), a lead and the addresses of
    eight participants, one of whom reads English."""
    addresses = "\n".join([f"{PHONE_USER};en", *BY_SERVICE, *SILENT])
    with db.write_session(engine) as session:
        community = create_community(session=session, name=COMMUNITY, actor="test")
        assert community.id is not None
        create_account(
            session=session,
            email=LEAD,
            role=Role.lead,
            actor="test",
            password=LEAD_PASSWORD,
            confirm=LEAD_PASSWORD,
            community_ids=[community.id],
        )
        save_schedule(
            session,
            community_id=community.id,
            active=True,
            open_day=1,
            open_days=90,
            reminders="7, 2",
            today=today,
            actor="test",
        )
        added = mail_service.add_addresses(
            session,
            community_id=community.id,
            text=addresses,
            default_language="nl",
            secret=SECRET.encode(),
            actor="test",
        )
        assert added.added == 8
        return community.id


def _plan_by_hand(
    engine: Engine, community_id: int, period: Period, today: date, registry: Registry
) -> None:
    with db.write_session(engine) as session:
        plan_rounds(
            session=session,
            community_ids=[community_id],
            period=str(period),
            opens_on=today,
            closes_on=today + timedelta(days=20),
            instrument=registry.latest(),
            actor="test",
        )


def _cli(args: list[str], env: dict[str, str], folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "lc_health.runtime.cli", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _cron_env(database_url: str, app_url: str, smtp: SmtpServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_HEALTH_")}
    return env | {
        "LC_HEALTH_DATABASE_URL": database_url,
        "LC_HEALTH_PUBLIC_URL": app_url,
        "LC_HEALTH_SMTP_HOST": smtp.host,
        "LC_HEALTH_SMTP_PORT": str(smtp.port),
        "LC_HEALTH_SMTP_SECURITY": "none",
        "LC_HEALTH_MAIL_FROM": SENDER,
        "LC_HEALTH_MAIL_SECRET": SECRET,
        "LC_HEALTH_MAIL_RATE_PER_MINUTE": "10000",
    }


def _mails(smtp: SmtpServer, subject: str) -> dict[str, list[Delivered]]:
    """What arrived with this text in its subject, by addressee."""
    found: dict[str, list[Delivered]] = {}
    for mail in list(smtp.recorder.delivered):
        if subject in str(mail.message["Subject"]):
            for to in mail.to:
                found.setdefault(to, []).append(mail)
    return found


def _link(mail: Delivered) -> str:
    found = LINK.search(mail.text())
    assert found is not None, mail.text()
    return found.group(0)


def _the_round(engine: Engine, community_id: int) -> Round:
    with db.read_session(engine) as session:
        found = select(Round).where(col(Round.community_id) == community_id)
        [rnd] = session.execute(found).scalars()
        return rnd


def _answer_on_a_phone(page: Page, link: str, instrument: Instrument) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=COMMUNITY)).to_be_visible(timeout=30_000)
    settle(page)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Step 1 of 8")).to_be_visible(timeout=20_000)
    page.get_by_role("radiogroup", name="What is your role").get_by_text("Student").click()
    page.get_by_role("radiogroup", name="What kind of organisation").get_by_text(
        "mbo school"
    ).click()
    for step, layer in enumerate(instrument.layers, start=2):
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=20_000)
        items = instrument.items_in_layer(layer.id)
        expect(page.get_by_text(items[-1].text.en)).to_be_visible(timeout=20_000)
        settle(page)
        groups = page.locator(".st-key-ratings").get_by_role("radiogroup")
        for index in range(len(items)):
            groups.nth(index).get_by_text("Agree", exact=True).click()
    for step in (6, 7, 8):
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_text(f"Step {step} of 8")).to_be_visible(timeout=20_000)
        settle(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you! Your answers are saved.")).to_be_visible(timeout=20_000)


def _others_answer(engine: Engine, instrument: Instrument, community_id: int, rnd: Round) -> None:
    """The five who answer outside the browser, through their own personal links."""
    with db.write_session(engine) as session:
        rows = session.execute(
            select(col(Invitation.id), col(Invitation.respondent_key))
            .join(MailRecipient, col(MailRecipient.invitation_id) == col(Invitation.id))
            .where(col(MailRecipient.address).in_(BY_SERVICE))
        ).all()
        assert rnd.id is not None and len(rows) == len(BY_SERVICE)
        made = pub.Round(
            community_id=community_id,
            round_id=rnd.id,
            links=[r[0] for r in rows],
            keys={r[0]: r[1] for r in rows},
        )
        for value, link in zip((2, 3, 3, 4, 5), made.links, strict=True):
            pub.answer(
                session,
                instrument,
                made,
                pub.all_items(instrument, value),
                link=link,
                source=Source.web,
                submitted_at=None,
            )


def _conversation(page: Page, url: str, community_id: int) -> None:
    """Agenda by dots, an action on the first factor, "no action" on the second, the summary."""
    page.goto(f"{url}/lead_conversation?lang=en&community={community_id}")
    expect(page.get_by_role("heading", name="Proposed for discussion")).to_be_visible(
        timeout=30_000
    )
    open_step(page, "Agenda")
    dots = page.get_by_role("spinbutton", name=re.compile(r"^Dots for "))
    expect(dots.first).to_be_visible(timeout=20_000)
    dots.first.fill("3")
    page.get_by_role("button", name="Save dots").click()
    expect(page.get_by_text("The dots are saved; the agenda is updated.")).to_be_visible(
        timeout=20_000
    )
    open_step(page, "Discuss")
    page.get_by_label("What", exact=True).fill(ACTION)
    page.get_by_role("button", name="Record action").click()
    expect(page.get_by_text("The action is recorded.")).to_be_visible(timeout=20_000)
    settle(page)
    page.get_by_role("button", name="Next", exact=True).click()
    # The second factor's own screen, before typing: text typed into the first factor's form
    # while the page changes would be lost with it.
    expect(page.get_by_text(re.compile(r"^Factor 2 of \d+$"))).to_be_visible(timeout=20_000)
    settle(page)
    page.get_by_label("Why not? (briefly)").fill(NO_ACTION_NOTE)
    page.get_by_role("button", name="Record: no action").click()
    expect(page.get_by_text("Recorded: discussed, no action.")).to_be_visible(timeout=20_000)
    open_step(page, "Close")
    page.get_by_role("textbox", name="Summary of the conversation").fill(SUMMARY)
    page.get_by_role("button", name="Close the meeting").click()
    expect(page.get_by_text("The meeting is closed and the summary recorded.")).to_be_visible(
        timeout=20_000
    )


def test_schedule_mail_answer_remind_publish_discuss_and_report_back(
    browser: Browser,
    demo_template: Path,
    tmp_path: Path,
    smtp: SmtpServer,
    instrument: Instrument,
    registry: Registry,
) -> None:
    today = date.today()
    period = Period.containing(today)
    database = tmp_path / "loop.db"
    shutil.copyfile(demo_template, database)
    url = f"sqlite:///{database}"
    engine = db.make_engine(url)
    community_id = _set_up(engine, today)
    # A scheduled round closes on the quarter's 90th day at the latest: on the last days of a
    # long quarter (5 days a year) no scheduled round is open, and the lead plans one by hand
    # for the rest of the loop; the schedule announces it all the same (it opens after the
    # schedule was switched on).
    by_schedule = (today - period.first_day).days < 90
    if not by_schedule:
        _plan_by_hand(engine, community_id, period, today, registry)
    with run_app(url, tmp_path, extra_env={"LC_HEALTH_SCHEDULE_MINUTES": "0"}) as app:
        env = _cron_env(url, app.server.url, smtp)

        # 1. The schedule opens the round; the invitations go out, each in its language.
        _cli(["schedule", "tick"], env, tmp_path)
        rnd = _the_round(engine, community_id)
        if by_schedule:
            assert (rnd.opens_on, rnd.closes_on) == (
                period.first_day,
                period.first_day + timedelta(days=89),
            )
        _cli(["mail", "send"], env, tmp_path)
        invited = _mails(smtp, "Your survey for") | _mails(smtp, "Jouw vragenlijst voor")
        assert sorted(invited) == sorted([PHONE_USER, *BY_SERVICE, *SILENT])
        assert all(len(mails) == 1 for mails in invited.values())
        assert "privacy" in invited[PHONE_USER][0].text().lower()
        assert _mails(smtp, "round of Zeewierlab Texel is open") or _mails(
            smtp, "van Zeewierlab Texel is open"
        )

        # 2. One answers on a phone from the link in their mail; five more answer too.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        _answer_on_a_phone(phone.new_page(), _link(invited[PHONE_USER][0]), instrument)
        _others_answer(engine, instrument, community_id, rnd)

        # 3. A week before the close the schedule reminds only the two who did not answer.
        _cli(["schedule", "tick", "--today", str(rnd.closes_on - timedelta(days=7))], env, tmp_path)
        _cli(["mail", "send"], env, tmp_path)
        reminded = _mails(smtp, "Herinnering:") | _mails(smtp, "Reminder:")
        assert sorted(reminded) == sorted(SILENT)
        assert all(len(mails) == 1 for mails in reminded.values())

        # 4. The round closes (by hand, today) and the schedule announces its publication.
        with db.write_session(engine) as session:
            assert rnd.id is not None
            close_round(
                session=session,
                round_id=rnd.id,
                actor=LEAD,
                registry=registry,
                policy=Policy.from_settings(Settings()),
            )
        _cli(["schedule", "tick"], env, tmp_path)
        _cli(["mail", "send"], env, tmp_path)
        told = _mails(smtp, "You said, we did:") | _mails(smtp, "Jullie zeiden, wij deden:")
        assert sorted(told) == sorted([PHONE_USER, *BY_SERVICE, *SILENT])

        # 5. The lead runs the conversation.
        desk = browser.new_context(viewport={"width": 1280, "height": 900})
        lead = desk.new_page()
        sign_in(lead, app.server.url, LEAD, LEAD_PASSWORD)
        _conversation(lead, app.server.url, community_id)
        desk.close()

        # 6. The participant opens "you said, we did" from the e-mail, on the phone.
        page = phone.new_page()
        page.goto(_link(told[PHONE_USER][0]))
        expect(page.get_by_role("heading", name="You said, we did")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("heading", name="What you said")).to_be_visible()
        picture = page.get_by_test_id("stTable").locator("tbody tr")
        expect(picture).to_have_count(len(instrument.factors))  # the published picture
        expect(picture.first).to_contain_text(instrument.factors[0].short.en)
        expect(page.get_by_text(ACTION, exact=True)).to_be_visible()
        expect(page.get_by_text(NO_ACTION_NOTE, exact=True)).to_be_visible()
        expect(page.get_by_text(SUMMARY, exact=True)).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        phone.close()
    engine.dispose()
