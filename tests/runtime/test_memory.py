"""The server gives freed memory back to the operating system (runtime.memory)."""

from __future__ import annotations

import platform
import threading

import pytest

from lc_health.runtime import memory


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_goes_back_to_the_system() -> None:
    # Objects over 512 bytes come from glibc's heap; freed below one still in use (`pin`),
    # the heap keeps their pages until it is trimmed.
    held = [bytes(1000) + bytes([i % 256]) for i in range(150_000)]
    pin = bytes(1000) + b"pin"
    del held
    freed = _rss_kib()
    assert memory.release_free_memory()
    after = _rss_kib()
    assert freed - after > 50_000, (freed, after)
    assert pin


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_one_thread_per_process() -> None:
    try:
        assert memory.start_memory_release()
        assert memory.start_memory_release()
        running = [t for t in threading.enumerate() if t.name == "lc-health-memory"]
        assert len(running) == 1
    finally:
        memory.stop_memory_release()
    assert not [t for t in threading.enumerate() if t.name == "lc-health-memory"]
