"""What two versions of an instrument have in common, so trends can cross a version change.

An item id keeps its meaning across versions (a reworded statement with the same meaning keeps
its id; one that measures something else gets a new id). A score is the mean of its scope's
items, so a trend line of a scope may be joined across two versions only when that scope is made
of exactly the same items in both.
"""

from __future__ import annotations

from collections import defaultdict

from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import CELL, FACTOR, HEALTH, LAYER, ScoreKey, cell_key

# (item id, factor, layer): an item placed elsewhere is not the same item for scoring.
_Placed = tuple[str, int, str]


def _placed(instrument: Instrument) -> frozenset[_Placed]:
    return frozenset((item.id, item.factor, item.layer) for item in instrument.items)


def unchanged_items(old: Instrument, new: Instrument) -> frozenset[str]:
    """Ids of the items present in both versions with the same factor and layer."""
    return frozenset(item_id for item_id, _, _ in _placed(old) & _placed(new))


def _items_by_scope(instrument: Instrument) -> dict[ScoreKey, frozenset[_Placed]]:
    scopes: dict[ScoreKey, set[_Placed]] = defaultdict(set)
    for placed in _placed(instrument):
        _, factor, layer = placed
        scopes[(FACTOR, str(factor))].add(placed)
        scopes[(LAYER, layer)].add(placed)
        scopes[(CELL, cell_key(factor, layer))].add(placed)
        # The health index is the mean of the factor scores, so it rests on every item.
        scopes[(HEALTH, "")].add(placed)
    return {key: frozenset(items) for key, items in scopes.items()}


def comparable_scopes(old: Instrument, new: Instrument) -> set[ScoreKey]:
    """The (scope, key) pairs whose items are identical in both versions.

    Scopes are "factor" (key: the factor id as text), "layer" (the layer id), "cell"
    ("<factor>:<layer>") and "health" (key ""). A scope asked in only one version is not
    comparable.
    """
    before = _items_by_scope(old)
    after = _items_by_scope(new)
    return {key for key, items in before.items() if after.get(key) == items}
