"""Which store and metrics functions a piece of code calls: the benchmark's check that it times
what the pages do (tests/bench/test_same_calls.py traces a page in AppTest and the benchmark's
workload for it, and compares)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from inspect import CO_OPTIMIZED
from types import FrameType

TRACED = ("lc_health.store.", "lc_health.metrics.", "lc_health.documents.")


def _public(module: str, qualname: str) -> bool:
    return not any(
        part.startswith(("_", "<")) for part in (*module.split("."), *qualname.split("."))
    )


@contextmanager
def calls(prefixes: tuple[str, ...] = TRACED) -> Iterator[set[str]]:
    """The public functions of these packages called while the block runs, in any thread
    started meanwhile too (AppTest runs a page's script in its own thread)."""
    seen: set[str] = set()

    def profile(frame: FrameType, event: str, arg: object) -> None:  # noqa: ARG001
        if event != "call" or not frame.f_code.co_flags & CO_OPTIMIZED:
            return  # class and module bodies run as their modules are imported
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith(prefixes) and _public(module, frame.f_code.co_qualname):
            seen.add(f"{module}.{frame.f_code.co_qualname}")

    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        yield seen
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
