"""The live session's rules that need no database: its join code, the phone's answers and how
the projector's figures step forward.

A live session is a room scoring the twelve success factors on phones, on the 1-5 scale with
"don't know" (0). An untied session asks one short statement per factor (the
`live.statement.<factor>` messages): about two minutes. A session tied to the community's open
round asks the round's instrument (its rating items by layer, keyed by item id), so each sheet
can be stored as a response of that round; its picture takes a phone's factor score as the
round review does (domain.scoring: the mean of its answers to the factor's items, don't know
left out; a factor with only don't know is don't know).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection, Mapping

from lc_health.domain.disclosure import hidden
from lc_health.domain.instrument import Instrument
from lc_health.domain.scoring import FACTOR, respondent_scores

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


def clean_item_answers(answers: Mapping[object, object], items: Collection[str]) -> dict[str, int]:
    """A tied session's answers as stored: item id (of the round's instrument) -> 1..5 or 0 for
    "don't know"; anything else is dropped."""
    out: dict[str, int] = {}
    for key, value in answers.items():
        if not isinstance(key, str) or key not in items:
            continue
        if isinstance(value, int) and not isinstance(value, bool) and DONT_KNOW <= value <= 5:
            out[key] = value
    return out


def items_complete(answers: Mapping[str, int], items: Collection[str]) -> bool:
    """Whether every item of the instrument has an answer (don't know counts as one)."""
    return all(i in answers for i in items)


def factor_values(answers: Mapping[str, int], instrument: Instrument) -> dict[int, float]:
    """A tied sheet as the picture takes it: factor -> the phone's factor score (the mean of
    its answers to the factor's items, as domain.scoring), or 0 (don't know) for a factor it
    answered only with don't know."""
    as_response = {k: (v or None) for k, v in answers.items()}
    scores = respondent_scores(as_response, instrument)
    out: dict[int, float] = {}
    for item_id in answers:
        factor = instrument.item_by_id[item_id].factor
        out[factor] = scores.get((FACTOR, str(factor)), float(DONT_KNOW))
    return out


def submission_key(sheet_id: int) -> str:
    """The submission key of a tied sheet's response: a second send stores nothing twice, and
    the phone's sheet finds its response again to withdraw it."""
    return f"live-{sheet_id}"


def step_sizes(sent: int, published: int, threshold: int) -> list[int]:
    """How many sheets each new publication takes, given `sent` sheets sent so far of which
    `published` are in the figures: nothing before the first reveal reaches `threshold`, then
    steps of exactly `threshold`, oldest first. A publication is a pure function of the sheets
    in it, never of when the projector asked."""
    waiting = sent - published
    if published == 0:
        return [] if hidden(waiting, threshold) else [waiting]
    return [threshold] * (waiting // threshold)
