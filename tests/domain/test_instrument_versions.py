"""Which items and scopes two instrument versions share, so trends may cross a version change."""

from __future__ import annotations

from typing import Any

import pytest

from lc_health.domain.instrument import Instrument, Registry, parse_instrument
from lc_health.domain.instrument_versions import comparable_scopes, unchanged_items

CHANGED_CELLS = {"4:organisation", "6:community", "11:individual"}


@pytest.fixture(scope="module")
def versions(registry: Registry) -> tuple[Instrument, Instrument]:
    return registry.get("lc_health", 1), registry.get("lc_health", 2)


def _with_items(instrument: Instrument, items: list[dict[str, Any]]) -> Instrument:
    data = instrument.model_dump(mode="python")
    data["items"] = items
    return parse_instrument(data)


def test_unchanged_items_v1_to_v2(versions: tuple[Instrument, Instrument]) -> None:
    v1, v2 = versions
    kept = unchanged_items(v1, v2)
    assert kept == {i.id for i in v1.items} - {"org_f04", "lc_f06"}
    assert len(kept) == 18
    assert unchanged_items(v2, v1) == kept


def test_comparable_scopes_v1_to_v2(versions: tuple[Instrument, Instrument]) -> None:
    v1, v2 = versions
    scopes = comparable_scopes(v1, v2)
    assert {k for s, k in scopes if s == "factor"} == {
        str(f) for f in range(1, 13) if f not in (4, 6, 11)
    }
    # Only the ecosystem layer is made of the same statements in both versions.
    assert {k for s, k in scopes if s == "layer"} == {"ecosystem"}
    cells_v1 = {f"{i.factor}:{i.layer}" for i in v1.items}
    assert {k for s, k in scopes if s == "cell"} == cells_v1 - CHANGED_CELLS
    assert ("health", "") not in scopes
    assert {s for s, _ in scopes} == {"factor", "layer", "cell"}


def test_same_version_is_comparable_everywhere(versions: tuple[Instrument, Instrument]) -> None:
    _, v2 = versions
    scopes = comparable_scopes(v2, v2)
    assert ("health", "") in scopes
    assert {k for s, k in scopes if s == "layer"} == {x.id for x in v2.layers}
    assert len([s for s, _ in scopes if s == "cell"]) == len(v2.items)
    assert unchanged_items(v2, v2) == {i.id for i in v2.items}


def test_reworded_statement_keeps_its_scopes(versions: tuple[Instrument, Instrument]) -> None:
    _, v2 = versions
    items = [i.model_dump() for i in v2.items]
    items[0]["text"] = {"en": "Reworded.", "nl": "Anders verwoord."}
    assert comparable_scopes(v2, _with_items(v2, items)) == comparable_scopes(v2, v2)


def test_item_moved_to_another_layer_is_not_unchanged(
    versions: tuple[Instrument, Instrument],
) -> None:
    _, v2 = versions
    items = [i.model_dump() for i in v2.items]
    moved = next(i for i in items if i["id"] == "lc_f07")
    moved["layer"] = "ecosystem"
    other = _with_items(v2, items)
    assert "lc_f07" not in unchanged_items(v2, other)
    scopes = comparable_scopes(v2, other)
    assert ("factor", "7") not in scopes and ("cell", "7:community") not in scopes
    assert ("layer", "community") not in scopes and ("layer", "ecosystem") not in scopes
    assert ("layer", "individual") in scopes
