"""The live session's rules that need no database: its join code, the phone's answers and how
the projector's figures step forward.

A live session is a room scoring the twelve success factors on phones, one short statement per
factor (the `live.statement.<factor>` messages) on the 1-5 scale with "don't know" (0). Twelve
statements take a room about two minutes; the round's instrument (twenty statements over four
layers) takes five, and one statement per factor cannot stand in for a layer's statement. So a
session's answers are their own source: a session tied to a round names that round (the
conversation compares with it) but never adds responses to it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from lc_health.domain.disclosure import hidden

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a projector from the back of a room.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
DONT_KNOW = 0
FACTORS = tuple(range(1, 13))
# Guessing codes: from this many wrong codes in a row one client address waits. A room behind
# one network address shares it, but every right code resets the count.
WRONG_CODES_BEFORE_WAIT = 20

_NOT_CODE = re.compile(f"[^{CODE_ALPHABET}]")


def new_code() -> str:
    """A fresh join code: 6 characters from 25 (about 2.4e8 codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(typed: str) -> str | None:
    """The code as typed on a phone (any case, spaces or dashes), or None when it cannot be a
    code at all (then it is not looked up, nor counted as a guess)."""
    cleaned = re.sub(r"[\s\-]", "", typed.upper())[: CODE_LENGTH * 2]
    if len(cleaned) != CODE_LENGTH or _NOT_CODE.search(cleaned):
        return None
    return cleaned


def clean_answers(answers: Mapping[object, object]) -> dict[int, int]:
    """The phone's answers as stored: factor (1..12) -> 1..5 or 0 for "don't know"; anything
    else is dropped (a phone sends what its page had, nothing it did not)."""
    out: dict[int, int] = {}
    for key, value in answers.items():
        try:
            factor = int(str(key))
        except ValueError:
            continue
        if factor not in FACTORS or isinstance(value, bool) or not isinstance(value, int):
            continue
        if DONT_KNOW <= value <= 5:
            out[factor] = value
    return out


def is_complete(answers: Mapping[int, int]) -> bool:
    """Whether every factor has an answer (don't know counts as one)."""
    return all(f in answers for f in FACTORS)


def step_sizes(sent: int, published: int, threshold: int) -> list[int]:
    """How many sheets each new publication takes, given `sent` sheets sent so far of which
    `published` are in the figures: nothing before the first reveal reaches `threshold`, then
    steps of exactly `threshold`, oldest first. A publication is a pure function of the sheets
    in it, never of when the projector asked."""
    waiting = sent - published
    if published == 0:
        return [] if hidden(waiting, threshold) else [waiting]
    return [threshold] * (waiting // threshold)
