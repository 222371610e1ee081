"""Every user-facing text exists in Dutch and English, with the same placeholders, and every
key the code asks for exists; texts about a number have plural forms and get their `count`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

from lc_health.domain.i18n import (
    LANGUAGES,
    PLURAL_FORMS,
    _flatten,
    forms,
    messages,
    normalise_language,
    placeholders,
    plural_form,
    translate,
)

PACKAGE = Path(__file__).resolve().parents[2] / "lc_health"


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    problems = []
    for key, texts in messages().items():
        for lang in LANGUAGES:
            if not all(text.strip() for text in forms(texts.get(lang, ""))):
                problems.append(f"{key}: no {lang} text")
        if set(texts) - set(LANGUAGES):
            problems.append(f"{key}: unknown language {sorted(set(texts) - set(LANGUAGES))}")
        found = {frozenset(placeholders(text)) for lang in LANGUAGES for text in forms(texts[lang])}
        if len(found) > 1:
            problems.append(f"{key}: placeholders differ between languages or plural forms")
    assert problems == []


def _plural_keys() -> set[str]:
    return {
        key
        for key, texts in messages().items()
        if any(isinstance(texts[lang], dict) for lang in LANGUAGES)
    }


def test_plural_entries_have_every_form_in_every_language_and_count_in_each() -> None:
    plural = _plural_keys()
    assert len(plural) >= 15  # the counted texts really are plural entries
    problems = []
    for key in sorted(plural):
        for lang in LANGUAGES:
            text = messages()[key][lang]
            if not isinstance(text, dict):
                problems.append(f"{key}: {lang} has no plural forms")
            elif set(text) != set(PLURAL_FORMS[lang]):
                problems.append(f"{key}: {lang} has forms {sorted(text)}")
            elif any("count" not in placeholders(form) for form in text.values()):
                problems.append(f"{key}: a {lang} form does not show {{count}}")
    assert problems == []


def test_no_text_hedges_its_plural_with_brackets() -> None:
    """'link(s)', 'opmerking(en)': a number-dependent text must have plural forms instead."""
    hedge = re.compile(r"[^\W\d_]\((s|en|n|es)\)")
    hedged = sorted(
        f"{key}.{lang}"
        for key, texts in messages().items()
        for lang in LANGUAGES
        for text in forms(texts[lang])
        if hedge.search(text)
    )
    assert hedged == []


def test_a_plural_table_with_a_missing_form_is_refused() -> None:
    with pytest.raises(ValueError, match=r"x\.y\.en needs exactly the plural forms"):
        _flatten({"x": {"y": {"nl": {"one": "a", "other": "b"}, "en": {"one": "a"}}}})
    with pytest.raises(ValueError, match="plural forms"):
        _flatten({"x": {"nl": {"one": "a", "other": "b", "few": "c"}, "en": "d"}})


def _literal_calls() -> list[tuple[str, str, set[str]]]:
    """(file, key, keyword names) for every t("...") / translate(lang, "...") call with a
    literal key."""
    found = []
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
                names = {kw.arg for kw in node.keywords if kw.arg is not None}
                found.append((path.name, arg.value, names))
    return found


def _literal_keys() -> set[tuple[str, str]]:
    return {(file, key) for file, key, _ in _literal_calls()}


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


def test_every_call_of_a_plural_text_passes_count() -> None:
    plural = _plural_keys()
    calls = [(file, key, names) for file, key, names in _literal_calls() if key in plural]
    assert len({key for _, key, _ in calls}) >= 15  # the scan found the plural texts' callers
    assert sorted(f"{file}: {key}" for file, key, names in calls if "count" not in names) == []


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (0, "other"),
        (1, "one"),
        (2, "other"),
        (21, "other"),
        (np.int64(1), "one"),
        (1.0, "other"),
        (1.5, "other"),
        (True, "other"),
        (None, "other"),
    ],
)
def test_plural_form_is_one_only_for_a_whole_one(count: object, form: str) -> None:
    for lang in LANGUAGES:
        assert plural_form(lang, count) == form


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 0, "0 links revoked."),
        ("en", 1, "1 link revoked."),
        ("en", 2, "2 links revoked."),
        ("nl", 0, "0 links ingetrokken."),
        ("nl", 1, "1 link ingetrokken."),
        ("nl", 2, "2 links ingetrokken."),
    ],
)
def test_translate_picks_the_plural_form_from_count(lang: str, count: int, expected: str) -> None:
    assert translate(lang, "admin_invitations.revoked_done", count=count) == expected


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 0, "0 comments, without"),
        ("en", 1, "1 comment, without"),
        ("en", 2, "2 comments, without"),
        ("nl", 0, "0 opmerkingen, zonder"),
        ("nl", 1, "1 opmerking, zonder"),
        ("nl", 2, "2 opmerkingen, zonder"),
    ],
)
def test_comment_count_reads_right_for_none_one_and_two(
    lang: str, count: int, expected: str
) -> None:
    assert translate(lang, "review.comments_intro", count=count).startswith(expected)


def test_plural_text_keeps_its_other_placeholders() -> None:
    assert translate("en", "admin_rounds.planned", count=1, period="Q2 2026") == (
        "1 round planned for Q2 2026."
    )
    assert translate("nl", "admin_rounds.planned", count=3, period="Q2 2026") == (
        "3 rondes gepland voor Q2 2026."
    )


def test_a_plural_text_without_count_fails_loudly() -> None:
    with pytest.raises(KeyError):
        translate("en", "admin_rounds.planned", period="Q2 2026")
