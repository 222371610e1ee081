"""Give memory the server no longer uses back to the operating system.

A page's data is cached as pickled bytes and unpickled into fresh frames on every run; those
frames are freed when the run ends, but glibc keeps most of the freed heap (tens of MB per
portfolio view at 10,000 communities) as its own, so the process's resident memory only grows
with visits and sessions. `start_memory_release` runs a thread (one per process, however often
it is called) that calls glibc's `malloc_trim(0)` every RELEASE_SECONDS; elsewhere (no glibc) it
does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

RELEASE_SECONDS = 5.0

_lock = threading.Lock()
_thread: threading.Thread | None = None
_stop = threading.Event()


def _trim_function() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None
    return trim


def release_free_memory() -> bool:
    """Return the freed heap to the operating system now; False where that cannot be done."""
    trim = _trim_function()
    if trim is None:
        return False
    trim(0)
    return True


def _loop() -> None:
    trim = _trim_function()
    if trim is None:
        return
    while not _stop.wait(RELEASE_SECONDS):
        try:
            trim(0)
        except OSError:  # pragma: no cover - malloc_trim does not fail; never stop the server
            log.exception("malloc_trim failed")
            return


def start_memory_release() -> bool:
    """Start the thread (once per process); False when this platform has no malloc_trim."""
    global _thread
    if _trim_function() is None:
        return False
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=_loop, name="lc-health-memory", daemon=True)
            _thread.start()
    return True


def stop_memory_release() -> None:
    """Stop the thread (tests)."""
    global _thread
    _stop.set()
    with _lock:
        if _thread is not None:
            _thread.join(timeout=RELEASE_SECONDS + 1)
        _thread = None
