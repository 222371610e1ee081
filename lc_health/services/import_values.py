"""Answers in another tool's words: exports with text answers ("Agree", "Helemaal mee eens") or
answer codes (1-7, A-E, 0-4) are read through a value mapping, from each distinct value in the
statement columns to a point of the 1-5 scale, "don't know", or blank (not answered).

`distinct_values` finds what needs a mapping, `suggest_values` proposes one (the person checks
it in a preview before anything is stored), and `importing.validate(..., values=...)` applies
it. Values are compared case-insensitively, without surrounding spaces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd

from lc_health.domain.instrument import Instrument

DONT_KNOW = 0  # a mapping target: "don't know / not applicable"
BLANK = -1  # a mapping target: read as not answered
TARGETS: tuple[int, ...] = (1, 2, 3, 4, 5, DONT_KNOW, BLANK)
MAX_DISTINCT = 40  # more different values than this is not an answer scale

_PLAIN = re.compile(r"^[1-5](?:[.,]0+)?$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]0+)?$")
_PLAIN_DONT_KNOW = frozenset({"dk", "weet niet", "weet ik niet", "n.v.t.", "nvt", "na", "n/a", "?"})

# Common wordings of a five-point agreement scale, in Dutch and English, beyond the
# instrument's own labels (which are always recognised).
WORDS: dict[str, int] = {
    "strongly disagree": 1,
    "totally disagree": 1,
    "completely disagree": 1,
    "helemaal mee oneens": 1,
    "helemaal oneens": 1,
    "zeer oneens": 1,
    "volledig oneens": 1,
    "helemaal niet mee eens": 1,
    "disagree": 2,
    "somewhat disagree": 2,
    "mee oneens": 2,
    "oneens": 2,
    "niet mee eens": 2,
    "enigszins oneens": 2,
    "neutral": 3,
    "neither agree nor disagree": 3,
    "neither agree or disagree": 3,
    "neutraal": 3,
    "niet mee eens, niet mee oneens": 3,
    "niet eens, niet oneens": 3,
    "neutraal / geen mening": 3,
    "agree": 4,
    "somewhat agree": 4,
    "mee eens": 4,
    "eens": 4,
    "enigszins eens": 4,
    "strongly agree": 5,
    "totally agree": 5,
    "completely agree": 5,
    "helemaal mee eens": 5,
    "helemaal eens": 5,
    "zeer eens": 5,
    "volledig eens": 5,
}
DONT_KNOW_WORDS = frozenset(
    {
        "don't know",
        "dont know",
        "do not know",
        "not applicable",
        "don't know / not applicable",
        "no opinion",
        "weet niet",
        "weet ik niet",
        "niet van toepassing",
        "geen mening",
        "weet ik niet / niet van toepassing",
        "n.v.t.",
        "nvt",
        "n/a",
        "na",
        "dk",
        "?",
    }
)


def key(text: str) -> str:
    """How a cell is looked up in a value mapping."""
    return " ".join(text.split()).casefold()


def distinct_values(
    frame: pd.DataFrame, mapping: Mapping[str, str | None], instrument: Instrument
) -> Counter[str]:
    """How often each distinct non-empty value occurs in the statement columns (by `key`)."""
    counts: Counter[str] = Counter()
    for item in instrument.items:
        source = mapping.get(item.id)
        if source is None or source not in frame.columns:
            continue
        for cell in frame[source].tolist():
            text = key(str(cell))
            if text:
                counts[text] += 1
    return counts


def needs_mapping(values: Sequence[str]) -> bool:
    """True when some value is not a plain 1-5 score or a plain don't-know mark (or when
    the values look like codes of another scale, such as 0-4 or 1-7)."""
    if any(not (_PLAIN.match(v) or v in _PLAIN_DONT_KNOW) for v in values):
        return True
    return False


def _numbers(values: Sequence[str]) -> dict[str, int]:
    return {v: int(float(v.replace(",", "."))) for v in values if _NUMBER.match(v)}


def _rescaled(number: int, low: int, high: int) -> int:
    """A code on low..high as the nearest point of 1..5."""
    if high == low:
        return 3
    return round(1 + (number - low) * 4 / (high - low))


def _scale_of(numbers: set[int]) -> tuple[int, int] | None:
    """The usual scale these codes come from, when they say so clearly: 0-4 (a 0 and nothing
    above 4), 1-7 (both 6 and 7 occur) or 0-10 (both 0 and 10 occur). A lone 7 among 1-5 scores
    is more likely a typing error than a 1-7 scale, so it gets no guess."""
    low, high = min(numbers), max(numbers)
    if low >= 1 and high <= 5:
        return (1, 5)
    if low == 0 and high <= 4:
        return (0, 4)
    if low >= 1 and high == 7 and 6 in numbers:
        return (1, 7)
    if low == 0 and high == 10:
        return (0, 10)
    return None


def _suggest_numbers(numbers: Mapping[str, int]) -> dict[str, int | None]:
    if not numbers:
        return {}
    scale = _scale_of(set(numbers.values()))
    if scale is None:  # unclear: plain scores stay, anything else is the person's choice
        return {t: (n if 1 <= n <= 5 else None) for t, n in numbers.items()}
    return {t: _rescaled(n, *scale) for t, n in numbers.items()}


def suggest_values(values: Sequence[str], instrument: Instrument) -> dict[str, int | None]:
    """A proposed target (see TARGETS) for each distinct value; None where no guess is good
    enough (the person chooses). Numbers are read as codes of a usual scale when the values
    show it (see _scale_of), letters A-E as 1-5, words by the instrument's labels and common
    wordings."""
    words = dict(WORDS)
    for point in instrument.scale.points:
        for label in (point.label.nl, point.label.en):
            words[key(label)] = point.value
    dont_know = DONT_KNOW_WORDS | {
        key(instrument.scale.dont_know.nl),
        key(instrument.scale.dont_know.en),
    }
    suggested: dict[str, int | None] = dict(_suggest_numbers(_numbers(values)))
    for text in values:
        if text in suggested:
            continue
        if text in words:
            suggested[text] = words[text]
        elif text in dont_know:
            suggested[text] = DONT_KNOW
        elif len(text) == 1 and "a" <= text <= "e":
            suggested[text] = ord(text) - ord("a") + 1
        else:
            suggested[text] = None
    return suggested
