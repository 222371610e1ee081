"""Store and service functions read the same way everywhere: the database handle (a session,
engine or connection) comes first and may be positional; every other argument is named.

Pure helpers that happen to live in these packages (no database handle) are not bound by it;
query-building plumbing shared between store modules is listed below with its reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import lc_health.services
import lc_health.store

HANDLES = frozenset({"session", "engine", "conn", "connection"})
# Statement builders and row shapers used inside the store's hot write path, called in tight
# loops with positional arguments by design; they are not part of the store's interface.
PLUMBING = frozenset(
    {
        "lc_health.store.tallies.driver_statement",
        "lc_health.store.tallies.plain_frame",
        "lc_health.store.tallies.in_ids",
    }
)


def _modules(package: ModuleType) -> Iterator[ModuleType]:
    for info in pkgutil.iter_modules(package.__path__):
        yield importlib.import_module(f"{package.__name__}.{info.name}")


def _functions() -> Iterator[tuple[str, inspect.Signature]]:
    for package in (lc_health.store, lc_health.services):
        for module in _modules(package):
            for name, value in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(value):
                    continue
                if value.__module__ != module.__name__:
                    continue  # imported from elsewhere; checked where it is defined
                yield f"{module.__name__}.{name}", inspect.signature(value)


def _offence(signature: inspect.Signature) -> str | None:
    params = list(signature.parameters.values())
    names = [p.name for p in params]
    handles = [n for n in names if n in HANDLES]
    if not handles:
        return None  # a pure helper
    if names.index(handles[0]) != 0:
        return f"the database handle `{handles[0]}` is not the first parameter"
    positional = [
        p.name
        for p in params[1:]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    if positional:
        return f"positional after the handle: {', '.join(positional)}"
    return None


def test_database_functions_take_the_handle_first_and_name_everything_else() -> None:
    offences = {
        name: offence
        for name, signature in _functions()
        if name not in PLUMBING and (offence := _offence(signature)) is not None
    }
    assert offences == {}


def test_the_rule_sees_what_it_checks() -> None:
    """The walk finds the functions it is about, and the rule tells good from bad."""
    found = dict(_functions())
    assert "lc_health.store.publication.invited_during" in found
    assert "lc_health.services.rounds.close_round" in found
    assert len(found) > 100

    def good(session: object, *, round_id: int) -> None: ...
    def bad(session: object, round_id: int) -> None: ...
    def late(round_id: int, *, session: object) -> None: ...
    def pure(values: list[int]) -> None: ...

    assert _offence(inspect.signature(good)) is None
    assert _offence(inspect.signature(pure)) is None
    assert "round_id" in (_offence(inspect.signature(bad)) or "")
    assert "not the first" in (_offence(inspect.signature(late)) or "")
    assert PLUMBING <= set(found)
