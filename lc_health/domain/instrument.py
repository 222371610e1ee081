"""The survey instrument as data: strict, frozen Pydantic models loaded from `surveys/*.toml`.

An instrument says what can be asked: the layers, the twelve success factors (with the texts for
the conversation mode), the rating items, the answer scale, the facilitating and hindering
factors ("forces") and the respondent profile options. Every text exists in Dutch and English.
Loading is strict: an unknown key, a missing translation, a duplicate id or a dangling reference
is an error that names the file, the place and the problem.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from lc_health.domain.i18n import LANGUAGES

_PACKAGE = Path(__file__).resolve().parents[1]
# The default instrument: surveys/ of the checkout, shipped in a wheel as lc_health/app/surveys
# (pyproject.toml).
SURVEYS_DIR = next(
    (p for p in (_PACKAGE / "app" / "surveys", _PACKAGE.parent / "surveys") if p.is_dir()),
    _PACKAGE.parent / "surveys",
)

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """One text in both languages."""

    en: NonEmpty
    nl: NonEmpty

    def get(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


class Layer(_Strict):
    """A layer of figure 7: individual participant, organisation, learning community, ecosystem."""

    id: Id
    name: Text
    description: Text


class Theme(_Strict):
    """A theme that groups development factors (people, process, content, preconditions)."""

    id: Id
    name: Text


class FactorGroup(_Strict):
    """Development of the collaboration, or sustaining its outcomes."""

    id: Id
    name: Text


class Factor(_Strict):
    """One of the twelve success factors, with texts for the group conversation."""

    id: Annotated[int, Field(ge=1, le=99)]
    group: Id
    theme: Id | None = None
    name: Text
    short: Text
    explanation: Text
    questions: Annotated[tuple[Text, ...], Field(min_length=2, max_length=3)]
    tips: Annotated[tuple[Text, ...], Field(min_length=2, max_length=3)]


class Item(_Strict):
    """A rating statement, tied to one factor and one layer."""

    id: Id
    factor: int
    layer: Id
    text: Text


class ScalePoint(_Strict):
    value: Annotated[int, Field(ge=1, le=5)]
    label: Text


class Scale(_Strict):
    """The 1-5 agreement scale and the separate "don't know / not applicable" answer."""

    points: Annotated[tuple[ScalePoint, ...], Field(min_length=5, max_length=5)]
    dont_know: Text

    @model_validator(mode="after")
    def _values_one_to_five(self) -> Scale:
        if [p.value for p in self.points] != [1, 2, 3, 4, 5]:
            raise ValueError("the scale points must have the values 1, 2, 3, 4, 5 in this order")
        return self


class Force(_Strict):
    """A facilitating or hindering factor (figure 5), with the layer where it mostly plays."""

    id: Id
    kind: Literal["facilitating", "hindering"]
    layer: Id
    name: Text
    mirror: Id | None = None
    # The success factors this force mostly bears on (shown in the conversation about them).
    factors: tuple[int, ...] = ()


class Option(_Strict):
    id: Id
    label: Text


class Profile(_Strict):
    """Respondent profile options."""

    roles: Annotated[tuple[Option, ...], Field(min_length=2)]
    organisation_types: Annotated[tuple[Option, ...], Field(min_length=2)]


class Instrument(_Strict):
    """A complete, validated instrument. Ids are stable across versions so trends survive."""

    id: Id
    version: Annotated[int, Field(ge=1)]
    title: Text
    layers: Annotated[tuple[Layer, ...], Field(min_length=1)]
    groups: Annotated[tuple[FactorGroup, ...], Field(min_length=1)]
    themes: tuple[Theme, ...] = ()
    factors: Annotated[tuple[Factor, ...], Field(min_length=1)]
    scale: Scale
    items: Annotated[tuple[Item, ...], Field(min_length=1)]
    forces: tuple[Force, ...] = ()
    profile: Profile

    @model_validator(mode="after")
    def _references(self) -> Instrument:
        problems: list[str] = []
        for name, ids in (
            ("layers", [x.id for x in self.layers]),
            ("groups", [x.id for x in self.groups]),
            ("themes", [x.id for x in self.themes]),
            ("factors", [str(x.id) for x in self.factors]),
            ("items", [x.id for x in self.items]),
            ("forces", [x.id for x in self.forces]),
            ("profile.roles", [x.id for x in self.profile.roles]),
            ("profile.organisation_types", [x.id for x in self.profile.organisation_types]),
        ):
            for dup, count in Counter(ids).items():
                if count > 1:
                    problems.append(f"{name}: duplicate id '{dup}'")
        layers = {x.id for x in self.layers}
        groups = {x.id for x in self.groups}
        themes = {x.id for x in self.themes}
        factors = {x.id for x in self.factors}
        for i, f in enumerate(self.factors):
            if f.group not in groups:
                problems.append(f"factors[{i}] (id {f.id}).group: unknown group '{f.group}'")
            if f.theme is not None and f.theme not in themes:
                problems.append(f"factors[{i}] (id {f.id}).theme: unknown theme '{f.theme}'")
        for i, it in enumerate(self.items):
            if it.factor not in factors:
                problems.append(f"items[{i}] (id '{it.id}').factor: unknown factor {it.factor}")
            if it.layer not in layers:
                problems.append(f"items[{i}] (id '{it.id}').layer: unknown layer '{it.layer}'")
        asked = {it.factor for it in self.items}
        for f in self.factors:
            if f.id not in asked:
                problems.append(f"factors: factor {f.id} has no rating item")
        forces = {x.id: x for x in self.forces}
        for i, fo in enumerate(self.forces):
            where = f"forces[{i}] (id '{fo.id}')"
            if fo.layer not in layers:
                problems.append(f"{where}.layer: unknown layer '{fo.layer}'")
            for factor_id in fo.factors:
                if factor_id not in factors:
                    problems.append(f"{where}.factors: unknown factor {factor_id}")
            if fo.mirror is None:
                continue
            other = forces.get(fo.mirror)
            if other is None:
                problems.append(f"{where}.mirror: unknown force '{fo.mirror}'")
            elif other.kind == fo.kind:
                problems.append(f"{where}.mirror: '{fo.mirror}' is also {fo.kind}")
            elif other.mirror != fo.id:
                problems.append(
                    f"{where}.mirror: '{fo.mirror}' does not point back "
                    f"(its mirror is {other.mirror!r})"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # Lookups used across the app. Cached: the model is frozen.
    @cached_property
    def factor_by_id(self) -> dict[int, Factor]:
        return {f.id: f for f in self.factors}

    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def force_by_id(self) -> dict[str, Force]:
        return {f.id: f for f in self.forces}

    @cached_property
    def layer_by_id(self) -> dict[str, Layer]:
        return {x.id: x for x in self.layers}

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def items_in_layer(self, layer: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.layer == layer)

    def forces_of(self, kind: str) -> tuple[Force, ...]:
        return tuple(f for f in self.forces if f.kind == kind)

    def forces_for_factor(self, factor_id: int) -> tuple[Force, ...]:
        return tuple(f for f in self.forces if factor_id in f.factors)


class InstrumentError(Exception):
    """An instrument file that cannot be used; `problems` are "where: what" lines."""

    def __init__(self, path: Path | str, problems: Sequence[str]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        prefix = f"{self.path}: " if self.path else ""
        super().__init__("\n".join(prefix + p for p in self.problems))


def _location(loc: Iterable[int | str], data: Any) -> str:
    """Render a Pydantic error location, adding the id of list entries where there is one."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            entry = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(entry, dict) and "id" in entry:
                label += f" (id {entry['id']!r})"
            parts.append(label)
            node = entry
        else:
            parts.append(("." if parts else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _describe(err: Any, data: Any) -> str:
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    kind = err["type"]
    if kind == "missing" and loc and loc[-1] in LANGUAGES:
        return f"{_location(loc[:-1], data)}: missing translation '{loc[-1]}'"
    if kind == "missing":
        return f"{_location(loc, data)}: required but missing"
    if kind == "extra_forbidden":
        return f"{_location(loc[:-1], data)}: unknown key '{loc[-1]}'"
    msg = str(err["msg"]).removeprefix("Value error, ")
    where = _location(loc, data)
    # Cross-reference checks report several "where: what" lines of their own.
    lines = msg.split(";") if kind == "value_error" else [msg]
    return "\n".join(
        line.strip() if where == "(top level)" else f"{where}: {line.strip()}" for line in lines
    )


def parse_instrument(data: dict[str, Any], *, source: Path | str = "<data>") -> Instrument:
    """Validate a parsed TOML document; raise InstrumentError with readable lines."""
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        lines: list[str] = []
        for err in exc.errors():
            lines.extend(_describe(err, data).split("\n"))
        raise InstrumentError(source, lines) from None


def load_instrument(path: Path | str) -> Instrument:
    """Read and validate one instrument file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise InstrumentError(path, [f"cannot read the file ({exc.strerror})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentError(path, [f"not valid TOML: {exc}"]) from None
    return parse_instrument(data, source=path)


class Registry:
    """All instruments found in a folder, by (id, version); the newest is the default."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_key: dict[tuple[str, int], Instrument] = {}
        for ins in instruments:
            if ins.key in self._by_key:
                raise InstrumentError(ins.id, [f"version {ins.version} is defined twice"])
            self._by_key[ins.key] = ins
        if not self._by_key:
            raise InstrumentError(SURVEYS_DIR, ["no instrument files (*.toml) found"])

    def get(self, instrument_id: str, version: int) -> Instrument:
        return self._by_key[(instrument_id, version)]

    def latest(self, instrument_id: str | None = None) -> Instrument:
        candidates = [ins for ins in self._by_key.values() if instrument_id in (None, ins.id)]
        if not candidates:
            raise KeyError(instrument_id)
        return max(candidates, key=lambda ins: (ins.id == "lc_health", ins.version))

    def all(self) -> list[Instrument]:
        return sorted(self._by_key.values(), key=lambda ins: ins.key)


def load_registry(folder: Path | str = SURVEYS_DIR) -> Registry:
    """Load every `*.toml` in the folder; collect all problems before raising."""
    folder = Path(folder)
    found: list[Instrument] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            found.append(load_instrument(path))
        except InstrumentError as exc:
            problems.extend(f"{exc.path}: {p}" for p in exc.problems)
    if problems:
        raise InstrumentError("", problems)  # each line already names its file
    return Registry(found)
