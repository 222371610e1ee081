"""How a page makes a write: one service call in one transaction, its problems on screen.

The service (lc_health.services) checks the input, writes and records the audit event; the page
only says what came of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from lc_health.domain.errors import Invalid
from lc_health.store.db import write_session
from lc_health.ui.context import app, t
from lc_health.ui.guard import show_problems

T = TypeVar("T")


def attempt(write: Callable[[Session], T]) -> T | None:
    """Run `write` (a service call) in a write transaction and return what it returns; on
    Invalid nothing is written, the problems are shown and the result is None."""
    try:
        # The spinner shows only when the write takes over half a second (a batch of links).
        with st.spinner(t("common.saving")), write_session(app().engine) as session:
            return write(session)
    except Invalid as problems:
        show_problems(problems)
        return None
