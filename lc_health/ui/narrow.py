"""A choice among many names (a portfolio of ten thousand communities): up to NARROW_ALL they
are all offered; with more, a search box narrows them to the first NARROW_SHOWN matches by
name, so a page never sends a list of every community."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

import streamlit as st

from lc_health.store.community_search import LIST_ALL as NARROW_ALL
from lc_health.store.community_search import LIST_SHOWN as NARROW_SHOWN
from lc_health.ui.context import t

K = TypeVar("K", bound=Hashable)


def narrowed(names: Mapping[K, str], key: str, keep: K | None = None) -> list[K]:
    """The keys to offer, by name: all when few; else those matching the search box `key`
    (the first NARROW_SHOWN), with `keep` (the current choice) first when it is not among them."""
    ordered = sorted(names, key=lambda k: names[k].casefold())
    if len(ordered) <= NARROW_ALL:
        return ordered
    text = st.text_input(
        t("guard.community_search"), key=key, help=t("guard.community_search_help")
    ).strip()[:100]
    found = [k for k in ordered if text.casefold() in names[k].casefold()][:NARROW_SHOWN]
    if not found:
        found = ordered[:NARROW_SHOWN]
    if keep is not None and keep in names and keep not in found:
        found.insert(0, keep)
    return found
