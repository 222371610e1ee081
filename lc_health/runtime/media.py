"""Downloads expire within seconds once no open page holds them.

A download button's file is served at /media/<id> without any session check. Streamlit drops a
file only after two runs of some page have ended since no session held it, which on a quiet
server can be many minutes. Every download in the app is made when its button is pressed (a
deferred download), and the browser fetches it at once; so a file that no open page holds is
deleted here EXPIRE_SECONDS after it was made: its link, including one copied from the browser,
answers 404 from then on.

This uses Streamlit's media file manager from the inside (its lock, its file table), which
tests/browser/test_downloads.py holds to the installed Streamlit version.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

EXPIRE_SECONDS = 10.0
SWEEP_SECONDS = 1.0

_started = threading.Lock()
_thread: threading.Thread | None = None


def _referenced(manager: Any) -> set[str]:
    return {
        file_id
        for by_coordinates in manager._files_by_session_and_coord.values()
        for file_id in by_coordinates.values()
    }


def sweep(manager: Any, seen: dict[str, tuple[object, float]], now: float) -> list[str]:
    """Delete the downloads no session holds that were first seen EXPIRE_SECONDS ago; `seen`
    remembers (metadata, first seen) per file between sweeps. Returns the deleted ids."""
    from streamlit.runtime.media_file_storage import MediaFileKind

    deleted = []
    with manager._lock:
        held = _referenced(manager)
        for file_id, metadata in list(manager._file_metadata.items()):
            if metadata.kind != MediaFileKind.DOWNLOADABLE or file_id in held:
                seen.pop(file_id, None)
                continue
            known, first = seen.get(file_id, (None, now))
            if known is not metadata:  # new, or made again by another press
                first = now
                seen[file_id] = (metadata, now)
            if now - first >= EXPIRE_SECONDS:
                manager._delete_file(file_id)
                seen.pop(file_id, None)
                deleted.append(file_id)
        for file_id in set(seen) - set(manager._file_metadata):
            del seen[file_id]
    return deleted


def _run(manager: Any) -> None:
    seen: dict[str, tuple[object, float]] = {}
    while True:
        time.sleep(SWEEP_SECONDS)
        try:
            sweep(manager, seen, time.monotonic())
        except Exception:  # the sweeper must outlive any one bad sweep
            log.exception("expiring downloads failed")


def expire_downloads() -> None:
    """Start the sweeper once per server process (a no-op outside a running server)."""
    global _thread
    from streamlit import runtime

    if _thread is not None or not runtime.exists():
        return
    with _started:
        if _thread is None:
            manager = runtime.get_instance().media_file_mgr
            _thread = threading.Thread(
                target=_run, args=(manager,), name="lc-health-downloads", daemon=True
            )
            _thread.start()
