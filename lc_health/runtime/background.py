"""Work a server process does beside serving pages: running the round schedules every
LC_HEALTH_SCHEDULE_MINUTES (lc_health.services.schedule.tick).

`start_background` is called once where the server process starts (app.py); one thread per
process, however often it is called. Several processes may each run one: the tick's lease lets
one at a time do the work, and a second run finds nothing left to do.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

from sqlalchemy import Engine

from lc_health.runtime.bootstrap import AppContext, shared_app
from lc_health.runtime.config import Settings
from lc_health.runtime.mail import MailNotifier
from lc_health.services.schedule import Notifier, TickReport, tick

log = logging.getLogger(__name__)

# The first run waits a little, so that it does not compete with the app's own start.
FIRST_DELAY_SECONDS = 20.0

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def notifier_for(engine: Engine, settings: Settings) -> Notifier:
    """Who hears of what the schedule does: the e-mail outbox (runtime.mail.MailNotifier; the
    sender puts the messages together, with the public address from the settings)."""
    del settings
    return MailNotifier(engine)


def run_schedule(
    context: AppContext, *, today: date | None = None, notifier: Notifier | None = None
) -> TickReport:
    """One tick of the schedules for `today` (default: today)."""
    return tick(
        context.engine,
        registry=context.registry,
        settings=context.settings,
        today=today or date.today(),
        notifier=notifier or notifier_for(context.engine, context.settings),
    )


def _loop(minutes: int, first_delay: float) -> None:
    wait = first_delay
    while not _stop.wait(wait):
        wait = minutes * 60.0
        try:
            report = run_schedule(shared_app())
        except Exception:  # noqa: BLE001  (the thread lives on; the next run tries again)
            log.exception("the round schedules could not run")
            continue
        if report.changed or report.failed:
            log.info("schedules: %s", report.summary())


def start_background(
    settings: Settings, *, first_delay: float = FIRST_DELAY_SECONDS
) -> threading.Thread | None:
    """Start this process's schedule thread, once; None when LC_HEALTH_SCHEDULE_MINUTES is 0."""
    global _thread
    if settings.schedule_minutes == 0:
        return None
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(
                target=_loop,
                args=(settings.schedule_minutes, first_delay),
                name="lc-health-schedule",
                daemon=True,
            )
            _thread.start()
        return _thread


def stop_background(timeout: float = 10.0) -> None:
    """Stop the schedule thread and wait for it (tests; a daemon thread ends with the process)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    _stop.set()
    if thread is not None:
        thread.join(timeout)
