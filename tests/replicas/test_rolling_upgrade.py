"""A rolling upgrade over the last two schema revisions (docs/deployment.md, Upgrades): a replica
of the previous version serves the survey on its schema; a replica of this version starts,
waits for the migration lock, migrates, and serves; the previous version's replica and its
survey write path keep working all the while, on the new schema too.

The previous version is real code: `git archive` of the commit before the newest migration was
added, unpacked into a temporary folder and run with the same virtualenv (PYTHONPATH). A test of
this version's models against an old schema would not show that old code survives a new one.
The test holds the migration lock itself for a moment, so that the new replica is seen waiting
while the old one answers.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy import func, select, text

from lc_health.domain.instrument import load_registry
from lc_health.store import db
from lc_health.store.models import Response
from tests.browser.conftest import CHROMIUM_ARGS, _chromium
from tests.browser.test_load import STEP_TIMEOUT_MS, _fill_in
from tests.replicas.cluster import (
    ROOT,
    Replica,
    fresh_database,
    health,
    run_async,
    start_replicas,
    stop_replicas,
    wait_healthy,
)
from tests.tally_checks import assert_tallies_match_scratch

pytestmark = [pytest.mark.replicas, pytest.mark.postgres, pytest.mark.slow]

VERSIONS = ROOT / "lc_health" / "store" / "migrations" / "versions"
THANKS = "Thank you! Your answers are saved."


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


# Set by .ci/run when the checkout has its history (after `git fetch --unshallow` if need be).
HISTORY_REQUIRED_VAR = "LC_HEALTH_TEST_REQUIRE_GIT_HISTORY"


def _head_migration() -> Path:
    head = db.head_revision()
    found = [
        p
        for p in VERSIONS.glob("*.py")
        if re.search(rf"^revision(: str)? = \"{head}\"", p.read_text(), re.M)
    ]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def previous_version(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The code of the commit before the newest migration was added, unpacked."""
    try:
        added = _git("log", "--diff-filter=A", "--format=%H", "--", str(_head_migration()))
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", f"{added.splitlines()[-1]}^"],
            capture_output=True,
            check=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError, IndexError) as exc:
        if os.environ.get(HISTORY_REQUIRED_VAR):
            pytest.fail(f"the rolling-upgrade test needs the checkout's git history: {exc}")
        pytest.skip("the rolling-upgrade test needs the checkout's git history (git clone)")
    folder = tmp_path_factory.mktemp("previous")
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _serving(url: str) -> None:
    """A replica that has been serving has opened its app context (checked its schema) before
    the upgrade starts: a sign-out request with a stale cookie makes it do so without a browser.
    (The previous version, unlike this one, refuses to open on a database newer than it knows;
    one that has been serving all along is what a rolling upgrade meets.)"""
    request = urllib.request.Request(
        f"{url}/auth/signout", headers={"Cookie": "lc_health_session=stale"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200


def _revision(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        return db.current_revision(engine)
    finally:
        engine.dispose()


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


async def _answer_on(url: str, token: str) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(args=CHROMIUM_ARGS, executable_path=_chromium())
        page = await browser.new_page()
        await _fill_in(page, url, token, load_registry().latest())
        await page.get_by_role("button", name="Send").click(timeout=STEP_TIMEOUT_MS)
        await expect(page.get_by_text(THANKS)).to_be_visible(timeout=STEP_TIMEOUT_MS)
        await browser.close()


def test_previous_version_serves_while_the_next_one_migrates(
    previous_version: Path, database: str, tmp_path: Path
) -> None:
    old = start_replicas(database, tmp_path / "old", 1, code=previous_version)
    new: list[Replica] = []
    stop = tmp_path / "stop"
    writer = None
    try:
        wait_healthy(old[0].url)
        _serving(old[0].url)
        old_revision = _revision(database)
        assert old_revision is not None and old_revision != db.head_revision()
        env = {**os.environ, "PYTHONPATH": str(previous_version)}
        writer = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("old_writer.py")), database, str(stop)],
            cwd=previous_version,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        prepared = json.loads(writer.stdout.readline())

        engine = db.make_engine(database)
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:k)"), {"k": db.PG_MIGRATION_LOCK})
            lock.commit()
            new = start_replicas(database, tmp_path / "new", 1)
            deadline = time.monotonic() + 60
            while not lock.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            ).scalar_one():
                assert time.monotonic() < deadline, "the new replica never asked for the lock"
                time.sleep(0.2)
            time.sleep(2)  # the new replica waits; the old one keeps answering
            assert health(old[0].url) == 200 and health(new[0].url) != 200
            assert _revision(database) == old_revision
            released = time.time()
            lock.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": db.PG_MIGRATION_LOCK})
            lock.commit()
        engine.dispose()
        wait_healthy(new[0].url)
        healthy = time.time()
        assert _revision(database) == db.head_revision()
        assert f"database migrated from {old_revision} to {db.head_revision()}" in new[0].log_text()
        # The previous version's survey page still answers, on the new schema.
        run_async(lambda: _answer_on(old[0].url, prepared["token"]))
        time.sleep(1)
        stop.touch()
        out, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0
        sent = [line.split() for line in out.splitlines() if line.startswith("ok ")]
        times = [float(t) for _, _, t in sent]
        assert any(t < released for t in times), "answers while the new replica waited"
        assert any(t > healthy for t in times), "answers after the migration"
        engine = db.make_engine(database)
        with db.read_session(engine) as session:
            stored = session.execute(
                select(func.count())
                .select_from(Response)
                .where(Response.round_id == prepared["round_id"])
            ).scalar_one()
        assert stored == len({invitation for _, invitation, _ in sent}) + 1
        assert_tallies_match_scratch(engine, load_registry().latest(), prepared["round_id"])
        engine.dispose()
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        stop_replicas([*old, *new])
    for replica in (*old, *new):
        assert "Traceback" not in replica.log_text(), replica.log_text()[-3000:]
