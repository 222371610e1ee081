"""`lc-health bench --live`: a room of phones in a live session, through the service layer as
the phone's page calls it: each phone joins with the code, saves its twelve answers one by one
(a transaction each, as the phone keeps every answer) and sends, all phones at once. Reported:
join, answer and send latency (p50/p95), the room from first join to last send, and how long
after the last send the projector's data (services.live.projector) counts it. The projector
page asks every second (ui.live.projector.REFRESH_SECONDS), so on screen add up to 1 s."""

from __future__ import annotations

import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from lc_health.bench.timing import percentile
from lc_health.domain.live import FACTORS
from lc_health.services import live
from lc_health.services.communities import create_community
from lc_health.store.db import make_engine, read_session, upgrade, write_session
from lc_health.store.models import utcnow

PHONES = 40
POLL_S = 0.05


@dataclass(frozen=True)
class LiveResult:
    phones: int
    stored: int
    errors: int
    join: tuple[float, float]  # p50, p95 seconds
    answer: tuple[float, float]
    send: tuple[float, float]
    room: float  # first join to last send
    projector_lag: float  # last send committed to the projector's data counting it
    reveal: float


def _session(engine: Engine) -> tuple[int, str]:
    with write_session(engine) as session:
        community = create_community(
            session=session, actor="bench", name=f"Live bench {uuid.uuid4().hex[:8]}"
        )
        assert community.id is not None
        row = live.start(
            session,
            actor="bench",
            community_id=community.id,
            round_id=None,
            threshold=5,
            today=date.today(),
        )
        assert row.id is not None
        return row.id, row.code


def _timed(engine: Engine, samples: list[float], work: object) -> None:
    start = time.perf_counter()
    with write_session(engine) as session:
        work(session)  # type: ignore[operator]
    samples.append(time.perf_counter() - start)


def _phone(engine: Engine, sid: int, code: str, n: int, out: dict[str, list[float]]) -> None:
    token = f"bench-phone-{n}-{uuid.uuid4().hex}"
    _timed(
        engine,
        out["join"],
        lambda s: live.join(
            s, code=code, phone_token=token, client="", language="nl", now=utcnow()
        ),
    )
    for factor in FACTORS:
        value = (n + factor) % 6
        _timed(
            engine,
            out["answer"],
            lambda s, f=factor, v=value: live.save_answers(
                s, session_id=sid, phone_token=token, answers={f: v}
            ),
        )
    _timed(
        engine,
        out["send"],
        lambda s: live.send(s, session_id=sid, phone_token=token, now=utcnow()),
    )


def _watch(engine: Engine, sid: int, phones: int, seen: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        with read_session(engine) as session:
            state = live.projector(session, session_id=sid)
        if state is not None and state.sent >= phones:
            seen.append(time.perf_counter())
            return
        time.sleep(POLL_S)


def _pair(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 50), percentile(samples, 95)


def run_room(engine: Engine, phones: int = PHONES) -> LiveResult:
    """One room of `phones` phones joining and answering at once."""
    sid, code = _session(engine)
    out: dict[str, list[float]] = {"join": [], "answer": [], "send": []}
    errors: list[BaseException] = []
    seen: list[float] = []
    stop = threading.Event()

    def phone(n: int) -> None:
        try:
            _phone(engine, sid, code, n, out)
        except Exception as exc:  # counted and reported
            errors.append(exc)

    watcher = threading.Thread(target=_watch, args=(engine, sid, phones, seen, stop))
    watcher.start()
    threads = [threading.Thread(target=phone, args=(n,)) for n in range(phones)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    last_send = time.perf_counter()
    watcher.join(timeout=10)
    stop.set()
    reveal_start = time.perf_counter()
    with write_session(engine) as session:
        live.reveal(session, actor="bench", session_id=sid, now=utcnow())
    reveal = time.perf_counter() - reveal_start
    with read_session(engine) as session:
        state = live.projector(session, session_id=sid)
    return LiveResult(
        phones=phones,
        stored=state.sent if state is not None else 0,
        errors=len(errors),
        join=_pair(out["join"]),
        answer=_pair(out["answer"]),
        send=_pair(out["send"]),
        room=last_send - start,
        projector_lag=max(seen[0] - last_send, 0.0) if seen else float("nan"),
        reveal=reveal,
    )


def render(result: LiveResult, database: str) -> str:
    ms = 1000.0
    return "\n".join(
        [
            f"## Live session: {result.phones} phones at once ({database})",
            "",
            "| what | p50 ms | p95 ms |",
            "|---|---:|---:|",
            f"| join with the code | {result.join[0] * ms:.1f} | {result.join[1] * ms:.1f} |",
            f"| keep one answer | {result.answer[0] * ms:.1f} | {result.answer[1] * ms:.1f} |",
            f"| send the sheet | {result.send[0] * ms:.1f} | {result.send[1] * ms:.1f} |",
            "",
            f"Stored: {result.stored} of {result.phones} sheets, {result.errors} errors. "
            f"The room (each phone: join, 12 answers, send) took {result.room:.2f} s from the "
            f"first join to the last send; the projector's data counted the last one "
            f"{result.projector_lag * ms:.0f} ms after it (on screen: plus at most 1 s, the "
            f"page's refresh). The reveal published the picture in {result.reveal * ms:.0f} ms.",
        ]
    )


def run_live(database_url: str | None, phones: int = PHONES) -> LiveResult:
    """The live-session benchmark on PostgreSQL (database_url) or a fresh SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'live-bench.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            result = run_room(engine, phones)
        finally:
            engine.dispose()
    print(render(result, "PostgreSQL" if database_url else "SQLite"))
    return result
