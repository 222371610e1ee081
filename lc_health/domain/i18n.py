"""Every user-facing string, in Dutch and English, from the files in `messages/`.

Keys are dotted (`about.title`); each has an `en` and an `nl` text with the same `{placeholders}`
(a test checks both). A key may be defined in one file only. The instrument's own texts live in
the instrument files.
"""

from __future__ import annotations

import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: tuple[str, ...] = ("nl", "en")
# Each language in its own words, for language pickers.
LANGUAGE_NAMES: dict[str, str] = {"nl": "Nederlands", "en": "English"}
MESSAGES_DIR = Path(__file__).resolve().parent / "messages"


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if (
            isinstance(value, dict)
            and set(value) & set(LANGUAGES)
            and all(isinstance(v, str) for v in value.values())
        ):
            out[path] = value
        elif isinstance(value, dict):
            out.update(_flatten(value, path + "."))
        else:
            raise ValueError(f"messages: {path} must be a table of texts")
    return out


@cache
def messages() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
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


def translate(lang: str, key: str, /, **values: Any) -> str:
    """The text for key in lang, with {placeholders} filled; the key itself if unknown."""
    entry = messages().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**values) if values else text


def format_number(
    value: float | None, lang: str, decimals: int = 1, *, signed: bool = False
) -> str:
    """3.46 -> '3,5' in Dutch and '3.5' in English; '' for a missing value."""
    if value is None or value != value:  # NaN and NA
        return ""
    value = round(float(value), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    text = f"{value:+.{decimals}f}" if signed and value != 0 else f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "nl" else text
