"""Pages are layout: no function in the review and portfolio pages is longer than a screen
(split a long `render` into named layout helpers; figures belong in metrics/)."""

from __future__ import annotations

import ast
from pathlib import Path

import lc_health

LIMIT = 60
ROOMS = ("ui/review", "ui/portfolio")


def test_no_page_function_is_longer_than_a_screen() -> None:
    root = Path(lc_health.__file__).parent
    long = []
    for room in ROOMS:
        for path in sorted((root / room).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    lines = node.end_lineno - node.lineno + 1
                    if lines > LIMIT:
                        long.append(f"{path.relative_to(root)}:{node.lineno} {node.name} {lines}")
    assert not long, long
