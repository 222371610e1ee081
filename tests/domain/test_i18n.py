"""Every user-facing text exists in Dutch and English, with the same placeholders, and every
key the code asks for exists."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lc_health.domain.i18n import LANGUAGES, messages, normalise_language, placeholders, translate

PACKAGE = Path(__file__).resolve().parents[2] / "lc_health"


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    problems = []
    for key, texts in messages().items():
        for lang in LANGUAGES:
            if not texts.get(lang, "").strip():
                problems.append(f"{key}: no {lang} text")
        if set(texts) - set(LANGUAGES):
            problems.append(f"{key}: unknown language {sorted(set(texts) - set(LANGUAGES))}")
        if placeholders(texts.get("nl", "")) != placeholders(texts.get("en", "")):
            problems.append(f"{key}: placeholders differ between nl and en")
    assert problems == []


def _literal_keys() -> set[tuple[str, str]]:
    """(file, key) for every t("...") / translate(lang, "...") call with a literal key."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(
                node.func, ast.Name | ast.Attribute
            ):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            index = {"t": 0, "translate": 1}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add((path.name, arg.value))
    return found


def test_every_key_used_in_the_code_exists() -> None:
    keys = _literal_keys()
    assert len(keys) > 20  # the scan really found the calls
    missing = sorted(f"{file}: {key}" for file, key in keys if key not in messages())
    assert missing == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("nl", "nl"),
        ("nl-NL", "nl"),
        ("NL_be", "nl"),
        ("en-GB", "en"),
        ("fr-FR", "nl"),
        (None, "nl"),
        ("", "nl"),
    ],
)
def test_normalise_language(value: str | None, expected: str) -> None:
    assert normalise_language(value, "nl") == expected


def test_translate_fills_placeholders_per_language() -> None:
    assert translate("en", "common.too_few", threshold=5) == "Too few responses (fewer than 5)"
    assert translate("nl", "common.too_few", threshold=5) == "Te weinig antwoorden (minder dan 5)"
