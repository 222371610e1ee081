"""Run by test_rolling_upgrade.py with the PREVIOUS version's code first on PYTHONPATH: that
version prepares a round with personal links on its own schema, prints them as one JSON line,
then submits one participant after another through its own survey write path
(services.survey.submit, what its survey page calls on Send) until the stop file appears,
printing `ok <invitation id> <unix time>` for each stored response. When every link has
answered it starts again from the first: those are changed answers (an update, not a new
response), however long the upgrade takes.

    python old_writer.py DATABASE_URL STOP_FILE
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from pathlib import Path

from lc_health.domain.instrument import load_registry
from lc_health.services import survey
from lc_health.store import db
from tests.browser.test_load import _prepare
from tests.factories import make_response_in

PAUSE_S = 0.25


def main(url: str, stop: Path) -> int:
    instrument = load_registry().latest()
    round_id, tokens, invitations = _prepare(url, instrument)
    print(json.dumps({"round_id": round_id, "token": tokens[0]}), flush=True)  # noqa: T201
    engine = db.make_engine(url)
    sent = 0
    while not stop.exists():
        invitation_id = invitations[1 + sent % (len(invitations) - 1)]
        sent += 1
        response = make_response_in(
            instrument,
            round_id=round_id,
            rng=random.Random(sent),
            invitation_id=invitation_id,
            submission_key=f"old-{sent}",
        )
        survey.submit(
            engine,
            response=response,
            instrument=instrument,
            mark_invitation=invitation_id,
            open_link=False,
            session_id=uuid.uuid4().hex,
            seconds=None,
        )
        print(f"ok {invitation_id} {time.time():.3f}", flush=True)  # noqa: T201
        time.sleep(PAUSE_S)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
