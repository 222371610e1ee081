"""Survey submissions under load: one submitter at a time, and workshops where everyone
submits at once. Each submission is what the survey page does: submit_response (group commit,
see store.submissions) into a round that is open."""

from __future__ import annotations

import random
import secrets
import statistics
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlmodel import col

from lc_health.bench.bursts import Burst, Probe, Start, burst, start
from lc_health.bench.timing import Timing, summarise
from lc_health.domain.instrument import Instrument
from lc_health.domain.periods import Period
from lc_health.domain.schemas import ResponseIn
from lc_health.store.db import read_session
from lc_health.store.models import Round
from lc_health.store.submissions import submit_response

SEQUENTIAL = 200
WORKSHOPS = 30  # bursts of concurrent submissions, each into one round
BURST_TIMEOUT_S = 300
BURST_TARGET_S = 0.050  # a burst meets the target when its p95 is at most this
BURST_SHARE_TARGET = 0.95  # of the bursts


@dataclass(frozen=True)
class SubmitResult:
    timing: Timing
    submissions: int
    errors: int
    first_error: str | None
    bursts: tuple[Burst, ...] = ()  # concurrent only
    slowest_burst: float = float("nan")  # seconds from the burst's start to its last commit

    def burst_note(self) -> str:
        """The bursts' spread: how many met the target, and the worst of them explained."""
        if not self.bursts:
            return ""
        met = sum(b.p95 <= BURST_TARGET_S for b in self.bursts)
        worst = max(self.bursts, key=lambda b: b.p95)
        typical = statistics.median(b.p95 for b in self.bursts)
        return (
            f"; {len(self.bursts)} bursts: {met / len(self.bursts):.0%} with p95 <= "
            f"{BURST_TARGET_S * 1000:.0f} ms (target >= {BURST_SHARE_TARGET:.0%}), median burst "
            f"p95 {typical * 1000:.1f} ms, slowest burst {self.slowest_burst * 1000:.1f} ms start "
            f"to last commit; worst {worst.explain()}; typical burst: "
            f"{statistics.median(b.commits for b in self.bursts):.0f} group commits, "
            f"{sum(b.checkpoints for b in self.bursts)} checkpoints and "
            f"{sum(b.gc_runs for b in self.bursts)} GC runs over all bursts"
        )


def open_rounds(engine: Engine, period: Period) -> list[int]:
    with read_session(engine) as session:
        stmt = select(col(Round.id)).where(col(Round.period) == str(period))
        return [int(r) for r in session.execute(stmt).scalars()]


def _response(rng: random.Random, instrument: Instrument, round_id: int, key: str) -> ResponseIn:
    """A web submission through a round's open link, answers and forces at random."""
    return ResponseIn(
        round_id=round_id,
        submission_key=key,
        language=rng.choice(("nl", "en")),
        role=rng.choice([o.id for o in instrument.profile.roles]),
        organisation_type=rng.choice([o.id for o in instrument.profile.organisation_types]),
        answers={
            i.id: None if rng.random() < 0.06 else rng.randint(1, 5) for i in instrument.items
        },
        forces=frozenset(f.id for f in instrument.forces if rng.random() < 0.15),
        comment="Bench comment" if rng.random() < 0.1 else None,
    )


def _submit(engine: Engine, instrument: Instrument, resp: ResponseIn) -> float:
    started = time.perf_counter()
    submit_response(engine, response_in=resp, instrument=instrument)
    return time.perf_counter() - started


def sequential(
    engine: Engine, instrument: Instrument, rounds: list[int], *, runs: int = SEQUENTIAL
) -> SubmitResult:
    rng = random.Random(1)
    run = secrets.token_hex(4)  # submission keys stay new when a kept database is measured again
    samples: list[float] = []
    errors: list[str] = []
    for n in range(runs):
        resp = _response(rng, instrument, rng.choice(rounds), f"bench-{run}-seq-{n}")
        try:
            samples.append(_submit(engine, instrument, resp))
        except Exception as exc:  # counted and reported: the benchmark goes on
            errors.append(f"{type(exc).__name__}: {exc}")
    return SubmitResult(
        summarise(samples or [float("nan")]), runs, len(errors), errors[0] if errors else None
    )


def concurrent(
    engine: Engine,
    instrument: Instrument,
    rounds: list[int],
    *,
    submitters: int,
    workshops: int = WORKSHOPS,
) -> SubmitResult:
    """`workshops` times, `submitters` threads submit into one round at the same moment."""
    rng = random.Random(2)
    run = secrets.token_hex(4)
    plan = [rng.choice(rounds) for _ in range(workshops)]
    work = [
        [_response(rng, instrument, plan[w], f"bench-{run}-ws-{w}-{s}") for w in range(workshops)]
        for s in range(submitters)
    ]
    samples: list[list[float]] = [[] for _ in range(workshops)]
    began = [0.0] * workshops
    ended = [0.0] * workshops
    errors: list[str] = []
    lock = threading.Lock()
    probe = Probe(engine)
    starts: list[Start] = []
    records: list[Burst] = []

    def between() -> None:
        """Run by one thread while all wait: the last burst is over, the next not begun."""
        if starts:
            records.append(burst(len(starts), starts[-1], probe, samples[len(starts) - 1]))
        starts.append(start(probe))

    gate = threading.Barrier(submitters, action=between)

    def submitter(mine: list[ResponseIn]) -> None:
        for n, resp in enumerate(mine):
            if gate.wait(timeout=BURST_TIMEOUT_S) == 0:
                began[n] = time.perf_counter()
            try:
                seconds = _submit(engine, instrument, resp)
            except Exception as exc:  # counted and reported: the benchmark goes on
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                samples[n].append(seconds)
                ended[n] = max(ended[n], time.perf_counter())

    threads = [threading.Thread(target=submitter, args=(mine,)) for mine in work]
    probe.install()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        between()
    finally:
        probe.remove()
    every = [x for one in samples for x in one]
    return SubmitResult(
        summarise(every or [float("nan")]),
        submitters * workshops,
        len(errors),
        errors[0] if errors else None,
        tuple(r for r in records if r.samples),
        max((e - b for b, e in zip(began, ended, strict=True) if e), default=float("nan")),
    )
