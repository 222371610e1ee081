"""Every user-facing string, in Dutch and English, from the files in `messages/`.

Keys are dotted (`about.title`); each has an `en` and an `nl` text with the same `{placeholders}`
(a test checks both). A key may be defined in one file only. The instrument's own texts live in
the instrument files.

A text that depends on a number has plural forms instead of one text per language:

    [admin_invitations.revoked_done]
    nl.one = "{count} link ingetrokken."
    nl.other = "{count} links ingetrokken."

`translate` picks the form from the `count` value by the language's plural rule (CLDR's cardinal
rule; Dutch and English both have `one` for exactly 1 and `other` for everything else, 0
included), so a caller just passes `count=`.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from functools import cache
from numbers import Integral
from pathlib import Path
from typing import Any

LANGUAGES: tuple[str, ...] = ("nl", "en")
# Each language in its own words, for language pickers.
LANGUAGE_NAMES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"

# A language's text for a key: one string, or one string per plural form.
Text = str | dict[str, str]
Entry = dict[str, Text]


def _one_other(count: object) -> str:
    """CLDR's rule for Dutch and English: `one` for a whole 1 ('1', not '1.0'), else `other`."""
    return (
        "one"
        if isinstance(count, Integral) and not isinstance(count, bool) and count == 1
        else "other"
    )


PLURAL_RULES: dict[str, Callable[[object], str]] = {"nl": _one_other, "en": _one_other}
# The forms each language's texts must have, in CLDR's names.
PLURAL_FORMS: dict[str, tuple[str, ...]] = {"nl": ("one", "other"), "en": ("one", "other")}


def plural_form(lang: str, count: object) -> str:
    """The CLDR plural category of count in lang: 'one' or 'other' for Dutch and English."""
    return PLURAL_RULES.get(lang, _one_other)(count)


def _is_text(value: object) -> bool:
    return isinstance(value, str) or (
        isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    )


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if (
            isinstance(value, dict)
            and set(value) & set(LANGUAGES)
            and all(_is_text(v) for v in value.values())
        ):
            for lang, text in value.items():
                forms = PLURAL_FORMS.get(lang, ("one", "other"))
                if isinstance(text, dict) and tuple(sorted(text)) != tuple(sorted(forms)):
                    raise ValueError(
                        f"messages: {path}.{lang} needs exactly the plural forms {list(forms)}"
                    )
            out[path] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        else:
            raise ValueError(f"messages: {path} must be a table of texts")
    return out


@cache
def messages() -> dict[str, Entry]:
    merged: dict[str, Entry] = {}
    for path in sorted(MESSAGES_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            entries = _flatten(tomllib.load(fh))
        clash = set(entries) & set(merged)
        if clash:
            raise ValueError(f"{path.name}: keys defined twice: {sorted(clash)}")
        merged.update(entries)
    return merged


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def normalise_language(value: str | None, default: str = "nl") -> str:
    """'nl', 'nl-NL', 'NL_be' -> 'nl'; 'en-GB' -> 'en'; anything else -> default."""
    if value:
        head = value.strip().lower().replace("_", "-").split("-")[0]
        if head in LANGUAGES:
            return head
    return default


def forms(text: Text) -> list[str]:
    """Every string of a language's text: the text itself, or each of its plural forms."""
    return list(text.values()) if isinstance(text, dict) else [text]


def translate(lang: str, key: str, /, **values: Any) -> str:
    """The text for key in lang, with {placeholders} filled; the key itself if unknown.

    For a text with plural forms, the form is the one `count` calls for in lang."""
    entry = messages().get(key)
    if entry is None:
        return key
    if not entry.get(lang):
        lang = "en"
    chosen = entry.get(lang) or key
    if isinstance(chosen, dict):
        chosen = chosen[plural_form(lang, values.get("count"))]
    return chosen.format(**values) if values else chosen


def format_number(
    value: float | None, lang: str, decimals: int = 1, *, signed: bool = False
) -> str:
    """3.46 -> '3,5' in Dutch and '3.5' in English; '' for a missing value."""
    if value is None or value != value:  # NaN and NA
        return ""
    value = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"{value:+.{decimals}f}" if signed and value != 0 else f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "nl" else text
