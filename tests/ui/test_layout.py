"""Pages are layout: no function in lc_health/ui is longer than a screen (split a long `render`
into named layout helpers; figures belong in metrics/, files in documents/), and no page writes
an audit record (services do, in the same transaction as their change)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import lc_health

LIMIT = 60
UI = Path(lc_health.__file__).parent / "ui"


def _pages() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(UI.rglob("*.py")):
        yield path.relative_to(UI.parent).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _too_long(tree: ast.Module) -> Iterator[tuple[int, str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > LIMIT:
                yield node.lineno, node.name, lines


def _audit_writes(tree: ast.Module) -> Iterator[int]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "record"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "audit"
        ):
            yield node.lineno


def test_no_page_function_is_longer_than_a_screen() -> None:
    long = [
        f"{rel}:{line} {name} {n}" for rel, tree in _pages() for line, name, n in _too_long(tree)
    ]
    assert not long, long


def test_no_page_writes_an_audit_record() -> None:
    found = [f"{rel}:{line}" for rel, tree in _pages() for line in _audit_writes(tree)]
    assert not found, found


def test_the_checks_see_what_they_look_for() -> None:
    body = "\n".join(f"    x = {i}" for i in range(LIMIT))
    tree = ast.parse(f"def render():\n{body}\n    audit.record(session=s, actor='a', action='b')\n")
    assert [name for _, name, _ in _too_long(tree)] == ["render"]
    assert list(_audit_writes(tree)) == [LIMIT + 2]
    assert len(list(_pages())) > 30
