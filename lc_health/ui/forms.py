"""Form plumbing: one-time success messages, and fresh (empty) forms after a save.

On an error the form is left as it is, so what someone typed stays on screen; only a
successful save gives a new, empty form.
"""

from __future__ import annotations

import streamlit as st

_FLASH = "_flash"


def flash(message: str) -> None:
    """Show message once, on the next run of the page (after st.rerun)."""
    st.session_state[_FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def form_key(name: str) -> str:
    """The current key of a form; reset_form gives it a new one, so its widgets start empty."""
    return f"{name}_{st.session_state.get(f'_nonce_{name}', 0)}"


def reset_form(name: str) -> None:
    st.session_state[f"_nonce_{name}"] = st.session_state.get(f"_nonce_{name}", 0) + 1
