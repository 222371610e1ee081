"""`lc-health bench --live`: a room of phones in a live session, through the service layer as
the phone's page calls it: each phone joins with the code, saves its twelve answers one by one
(a transaction each, as the phone keeps every answer) and sends, all phones at once. Reported:
join, answer and send latency (p50/p95), the room from first join to last send, and how long
after the last send the projector's data (services.live.projector) counts it. The projector
page asks every second (ui.live.projector.REFRESH_SECONDS), so on screen add up to 1 s.

`--tied`: the session is tied to an open round, the phones answer the round's instrument item
by item and each sheet is sent with services.live.send_tied, i.e. stored as a round response
through the survey's group-commit writer."""

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
from lc_health.domain.instrument import Instrument, load_registry
from lc_health.domain.live import FACTORS
from lc_health.services import live
from lc_health.services.communities import create_community
from lc_health.store.db import make_engine, read_session, upgrade, write_session
from lc_health.store.models import utcnow
from lc_health.store.rounds import create_round

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
    questions: int = len(FACTORS)  # answers per phone
    tied: bool = False


def _session(engine: Engine, instrument: Instrument | None) -> tuple[int, str]:
    with write_session(engine) as session:
        community = create_community(
            session=session, actor="bench", name=f"Live bench {uuid.uuid4().hex[:8]}"
        )
        assert community.id is not None
        round_id = None
        if instrument is not None:
            round_id = create_round(
                session=session,
                community_id=community.id,
                period="2000-Q1",
                opens_on=date.today(),
                closes_on=date.today(),
                instrument_id=instrument.id,
                instrument_version=instrument.version,
            ).id
        row = live.start(
            session,
            actor="bench",
            community_id=community.id,
            round_id=round_id,
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


def _questions(instrument: Instrument | None) -> list[int] | list[str]:
    return list(FACTORS) if instrument is None else [i.id for i in instrument.items]


def _send(engine: Engine, sid: int, token: str, instrument: Instrument | None) -> None:
    if instrument is None:
        with write_session(engine) as session:
            live.send(session, session_id=sid, phone_token=token, now=utcnow())
        return
    live.send_tied(
        engine,
        session_id=sid,
        phone_token=token,
        instrument=instrument,
        already_answered=False,
        now=utcnow(),
        today=date.today(),
    )


def _phone(
    engine: Engine,
    sid: int,
    code: str,
    n: int,
    out: dict[str, list[float]],
    instrument: Instrument | None = None,
) -> None:
    token = f"bench-phone-{n}-{uuid.uuid4().hex}"
    _timed(
        engine,
        out["join"],
        lambda s: live.join(
            s, code=code, phone_token=token, client="", language="nl", now=utcnow()
        ),
    )
    for number, question in enumerate(_questions(instrument), start=1):
        value = (n + number) % 6
        _timed(
            engine,
            out["answer"],
            lambda s, q=question, v=value: live.save_answers(
                s, session_id=sid, phone_token=token, answers={q: v}, instrument=instrument
            ),
        )
    start = time.perf_counter()
    _send(engine, sid, token, instrument)
    out["send"].append(time.perf_counter() - start)


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


def run_room(
    engine: Engine, phones: int = PHONES, instrument: Instrument | None = None
) -> LiveResult:
    """One room of `phones` phones joining and answering at once (tied to an open round of
    `instrument` when given)."""
    sid, code = _session(engine, instrument)
    out: dict[str, list[float]] = {"join": [], "answer": [], "send": []}
    errors: list[BaseException] = []
    seen: list[float] = []
    stop = threading.Event()

    def phone(n: int) -> None:
        try:
            _phone(engine, sid, code, n, out, instrument)
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
        live.reveal(session, actor="bench", session_id=sid, now=utcnow(), instrument=instrument)
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
        questions=len(_questions(instrument)),
        tied=instrument is not None,
    )


def render(result: LiveResult, database: str) -> str:
    ms = 1000.0
    return "\n".join(
        [
            f"## Live session{' tied to a round' if result.tied else ''}: "
            f"{result.phones} phones at once ({database})",
            "",
            "| what | p50 ms | p95 ms |",
            "|---|---:|---:|",
            f"| join with the code | {result.join[0] * ms:.1f} | {result.join[1] * ms:.1f} |",
            f"| keep one answer | {result.answer[0] * ms:.1f} | {result.answer[1] * ms:.1f} |",
            f"| send the sheet | {result.send[0] * ms:.1f} | {result.send[1] * ms:.1f} |",
            "",
            f"Stored: {result.stored} of {result.phones} sheets, {result.errors} errors. "
            f"The room (each phone: join, {result.questions} answers, send"
            f"{', stored as a round response' if result.tied else ''}) took "
            f"{result.room:.2f} s from the first join to the last send; the projector's data "
            f"counted the last one "
            f"{result.projector_lag * ms:.0f} ms after it (on screen: plus at most 1 s, the "
            f"page's refresh). The reveal published the picture in {result.reveal * ms:.0f} ms.",
        ]
    )


def run_live(database_url: str | None, phones: int = PHONES, tied: bool = False) -> LiveResult:
    """The live-session benchmark on PostgreSQL (database_url) or a fresh SQLite file; `tied`:
    the session is tied to an open round of the default instrument."""
    instrument = load_registry().latest() if tied else None
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'live-bench.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            result = run_room(engine, phones, instrument)
        finally:
            engine.dispose()
    print(render(result, "PostgreSQL" if database_url else "SQLite"))
    return result
