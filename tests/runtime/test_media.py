"""runtime.media with Streamlit's own media file manager: a download no session holds is
deleted EXPIRE_SECONDS after it was made (its /media link then answers 404), pressing the
button again starts the clock again, and a file a session holds is left alone."""

from __future__ import annotations

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from lc_health.runtime.media import EXPIRE_SECONDS, sweep


def _made(manager: MediaFileManager, data: bytes) -> str:
    """A deferred download pressed: the file's id (from its /media URL)."""
    deferred = manager.add_deferred(lambda: data, "text/csv", "1.(2)", file_name="x.csv")
    url = manager.execute_deferred(deferred)
    return url.rsplit("/", 1)[-1].split(".")[0]


def test_a_download_expires_seconds_after_it_was_made() -> None:
    storage = MemoryMediaFileStorage("/media")
    manager = MediaFileManager(storage)
    file_id = _made(manager, b"a,b\r\n")
    seen: dict[str, tuple[object, float]] = {}
    assert sweep(manager, seen, 100.0) == []
    assert sweep(manager, seen, 100.0 + EXPIRE_SECONDS - 0.5) == []
    assert storage.get_file(file_id).content == b"a,b\r\n"
    assert sweep(manager, seen, 100.0 + EXPIRE_SECONDS) == [file_id]
    with pytest.raises(MediaFileStorageError):
        storage.get_file(file_id)
    assert seen == {}


def test_pressing_again_starts_the_clock_again() -> None:
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    file_id = _made(manager, b"same")
    seen: dict[str, tuple[object, float]] = {}
    sweep(manager, seen, 0.0)
    assert _made(manager, b"same") == file_id  # the same bytes: the same file, made anew
    assert sweep(manager, seen, EXPIRE_SECONDS) == []
    assert sweep(manager, seen, 2 * EXPIRE_SECONDS) == [file_id]


def test_a_file_a_session_holds_is_left_alone() -> None:
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    url = manager.add(b"shown", "text/csv", "1.(3)", is_for_static_download=True)
    file_id = url.rsplit("/", 1)[-1].split(".")[0]
    seen: dict[str, tuple[object, float]] = {}
    sweep(manager, seen, 0.0)
    assert sweep(manager, seen, 10 * EXPIRE_SECONDS) == []
    manager.clear_session_refs()  # the page is closed
    sweep(manager, seen, 11 * EXPIRE_SECONDS)
    assert sweep(manager, seen, 12 * EXPIRE_SECONDS) == [file_id]
