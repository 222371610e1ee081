"""One workload's first call in this fresh process: `python -m lc_health.bench.cold NAME URL
PARAMS` prints the seconds from launch to just before the call (interpreter, imports,
instrument loading, engine), then the call's. Run by lc_health.bench.timing.cold_call."""

from __future__ import annotations

import json
import sys
import time

from lc_health.bench.workloads import WORKLOADS, Context
from lc_health.domain.instrument import load_registry
from lc_health.store import db


def main(argv: list[str]) -> int:
    name, url, raw = argv
    params = json.loads(raw)
    ctx = Context(
        instrument=load_registry(params["surveys_dir"]).latest(),
        threshold=int(params["threshold"]),
        community_id=int(params["community_id"]),
        period=str(params["period"]),
    )
    engine = db.make_engine(url)
    start = time.time() - float(params["launched"])
    started = time.perf_counter()
    with db.read_session(engine) as session:
        WORKLOADS[name](session, ctx)
    print(start, time.perf_counter() - started)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
