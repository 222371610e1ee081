"""The shipped instrument is valid and complete; broken variants fail with precise messages."""

from __future__ import annotations

import copy
import hashlib
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lc_health.domain.instrument import (
    Instrument,
    InstrumentError,
    Registry,
    load_instrument,
    load_registry,
    parse_instrument,
)
from lc_health.runtime.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "surveys" / "lc_health-v2.toml"
V1 = ROOT / "surveys" / "lc_health-v1.toml"
# Rounds answered on version 1 are read with version 1, so its file must never change.
V1_SHA256 = "a19e2df23e2cd2ecb66eaaf468d3621eeb51ab04bc77d41f4bf5d270850ca603"
DEFAULT_MATRIX = {
    "individual": {1, 2, 6, 11},
    "organisation": {4, 8, 9, 10, 11},
    "community": {1, 2, 3, 4, 5, 6, 7, 10},
    "ecosystem": {5, 8, 9, 12},
}


@pytest.fixture
def raw() -> dict[str, Any]:
    with SHIPPED.open("rb") as fh:
        return tomllib.load(fh)


def test_shipped_instrument_has_the_twelve_factors_in_two_groups(instrument: Instrument) -> None:
    assert [f.id for f in instrument.factors] == list(range(1, 13))
    groups = Counter(f.group for f in instrument.factors)
    assert groups == {"development": 8, "sustaining": 4}
    themes = [f.theme for f in instrument.factors]
    assert themes[:8] == [
        "people",
        "people",
        "process",
        "process",
        "content",
        "content",
        "content",
        "preconditions",
    ]
    assert themes[8:] == [None] * 4
    for factor in instrument.factors:
        assert 2 <= len(factor.questions) <= 3
        assert 2 <= len(factor.tips) <= 3


def test_shipped_items_follow_the_default_matrix(instrument: Instrument) -> None:
    matrix: dict[str, set[int]] = {}
    for item in instrument.items:
        matrix.setdefault(item.layer, set()).add(item.factor)
    assert matrix == DEFAULT_MATRIX
    assert 18 <= len(instrument.items) <= 26
    assert {i.factor for i in instrument.items} == set(range(1, 13))
    assert [x.id for x in instrument.layers] == list(DEFAULT_MATRIX)


def test_shipped_forces_and_mirrors(instrument: Instrument) -> None:
    assert len(instrument.forces_of("facilitating")) == 17
    assert len(instrument.forces_of("hindering")) == 18
    pairs = [(f.id, f.mirror) for f in instrument.forces if f.mirror]
    assert len(pairs) >= 10 * 2
    for force_id, mirror in pairs:
        assert instrument.force_by_id[mirror].mirror == force_id


def test_shipped_scale_and_profile(instrument: Instrument) -> None:
    assert [p.value for p in instrument.scale.points] == [1, 2, 3, 4, 5]
    assert instrument.scale.dont_know.nl and instrument.scale.dont_know.en
    assert [r.id for r in instrument.profile.roles] == [
        "student",
        "teacher",
        "researcher",
        "company",
        "government",
        "other",
    ]
    assert [o.id for o in instrument.profile.organisation_types] == [
        "mbo",
        "hbo",
        "company",
        "government",
        "other",
    ]


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InstrumentError) as info:
        parse_instrument(data, source="broken.toml")
    assert str(info.value).startswith("broken.toml: ")
    return info.value.problems


def _item_index(data: dict[str, Any], item_id: str) -> int:
    return next(i for i, it in enumerate(data["items"]) if it["id"] == item_id)


def test_unknown_key_is_named(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["factors"][2]["colour"] = "red"
    assert _problems(data) == ["factors[2] (id 3): unknown key 'colour'"]


def test_missing_translation_is_named(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    index = _item_index(data, "org_f09")
    del data["items"][index]["text"]["nl"]
    assert _problems(data) == [f"items[{index}] (id 'org_f09').text: missing translation 'nl'"]


def test_empty_translation_is_rejected(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["factors"][0]["tips"][1]["en"] = "   "
    (problem,) = _problems(data)
    assert problem.startswith("factors[0] (id 1).tips[1].en: ")


def test_duplicate_item_id(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["items"][1]["id"] = data["items"][0]["id"]
    assert f"items: duplicate id '{data['items'][0]['id']}'" in _problems(data)


def test_item_pointing_at_unknown_factor_and_layer(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["items"][0]["factor"] = 13
    data["items"][1]["layer"] = "galaxy"
    problems = _problems(data)
    first, second = data["items"][0]["id"], data["items"][1]["id"]
    assert f"items[0] (id '{first}').factor: unknown factor 13" in problems
    assert f"items[1] (id '{second}').layer: unknown layer 'galaxy'" in problems


def test_factor_without_item(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["items"] = [it for it in data["items"] if it["factor"] != 12]
    assert "factors: factor 12 has no rating item" in _problems(data)


def test_one_sided_mirror_link(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    index, force = next((i, f) for i, f in enumerate(data["forces"]) if "mirror" in f)
    partner = next(f for f in data["forces"] if f["id"] == force["mirror"])
    del partner["mirror"]
    problems = _problems(data)
    assert any(
        p.startswith(
            f"forces[{index}] (id '{force['id']}').mirror: '{partner['id']}' does not point back"
        )
        for p in problems
    ), problems


def test_mirror_to_unknown_force(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["forces"][0]["mirror"] = "fac_nothing_like_it"
    problems = _problems(data)
    assert (
        f"forces[0] (id '{data['forces'][0]['id']}').mirror: unknown force "
        "'fac_nothing_like_it'" in problems
    )


def test_scale_values_must_be_one_to_five(raw: dict[str, Any]) -> None:
    data = copy.deepcopy(raw)
    data["scale"]["points"][4]["value"] = 4
    (problem,) = _problems(data)
    assert problem.startswith("scale: the scale points must have the values 1, 2, 3, 4, 5")


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('id = "x"\nversion = \n', encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    (problem,) = info.value.problems
    assert problem.startswith("not valid TOML") and "line 2" in problem


def test_registry_reports_problems_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("id = ", encoding="utf-8")
    (tmp_path / "b.toml").write_text('id = "x"', encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_registry(tmp_path)
    text = str(info.value)
    assert "a.toml: not valid TOML" in text
    assert "b.toml: version: required but missing" in text


def test_cli_check_passes_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instrument", "check", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert "ok (lc_health v2: 12 factors, 21 items, 35 facilitating/hindering factors)" in out
    assert main(["instrument", "check", str(V1)]) == 0
    out = capsys.readouterr().out
    assert "ok (lc_health v1: 12 factors, 20 items, 35 facilitating/hindering factors)" in out


def test_cli_check_fails_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('layer = "ecosystem"', 'layer = "cosmos"', 1), encoding="utf-8")
    assert main(["instrument", "check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}: " in err and "unknown layer 'cosmos'" in err


def test_v2_is_the_default_and_v1_still_loads(registry: Registry, instrument: Instrument) -> None:
    assert instrument.key == ("lc_health", 2) == registry.latest("lc_health").key
    assert load_instrument(SHIPPED) == instrument
    v1 = registry.get("lc_health", 1)
    assert load_instrument(V1) == v1
    assert len(v1.items) == 20
    assert hashlib.sha256(V1.read_bytes()).hexdigest() == V1_SHA256


def test_v2_keeps_about_five_minutes_of_statements(
    registry: Registry, instrument: Instrument
) -> None:
    v1 = registry.get("lc_health", 1)
    assert abs(len(instrument.items) - len(v1.items)) <= 2
    # The parts that did not need changing are the same in both versions.
    assert instrument.forces == v1.forces
    assert instrument.scale == v1.scale and instrument.profile == v1.profile
    assert [f.name for f in instrument.factors] == [f.name for f in v1.factors]


def test_every_factor_is_asked_and_factor_11_at_the_individual_layer(
    instrument: Instrument,
) -> None:
    asked = {item.factor for item in instrument.items}
    assert asked == {f.id for f in instrument.factors}
    assert [i.id for i in instrument.items_in_layer("individual") if i.factor == 11] == ["ind_f11"]


def test_ecosystem_statements_ask_about_one_referent(instrument: Instrument) -> None:
    statements = instrument.items_in_layer("ecosystem")
    assert statements
    for item in statements:
        nl, en = item.text.nl.lower(), item.text.en.lower()
        assert not ("regio" in nl and "sector" in nl), item.id
        assert not ("region" in en and "sector" in en), item.id
        assert "het bredere veld" in nl and "the wider field" in en, item.id
    # The referent is defined once, where the survey shows the layer.
    layer = instrument.layer_by_id["ecosystem"].description
    assert "het bredere veld" in layer.nl and "the wider field" in layer.en


def test_statements_name_the_community_one_way(instrument: Instrument) -> None:
    for item in instrument.items:
        for text in (item.text.nl, item.text.en):
            bare = re.findall(r"(?<!learning )\bcommunit(?:y|ies)\b", text, flags=re.IGNORECASE)
            assert not bare, (item.id, text)
    every_text = SHIPPED.read_text(encoding="utf-8")
    assert "deze community" not in every_text and "this community" not in every_text


def test_reviewed_wording(instrument: Instrument) -> None:
    by_id = instrument.item_by_id
    assert "echt" not in by_id["lc_f01"].text.nl.split()
    assert "truly" not in by_id["lc_f01"].text.en.split()
    assert not by_id["ind_f06"].text.nl.startswith("Ik merk dat")
    assert "vertrouwelijk" in by_id["org_f04b"].text.nl
    assert "concurrent" not in by_id["org_f04b"].text.nl
    assert "samen" in by_id["lc_f06b"].text.nl and "together" in by_id["lc_f06b"].text.en
    # Factor 5's texts take the same perspective in both languages.
    for text in (*instrument.factor_by_id[5].questions, *instrument.factor_by_id[5].tips):
        if re.search(r"\bwe\b", text.en):
            assert not re.search(r"\b(je|jij)\b", text.nl), text.nl


def test_retired_ids_are_not_reused(registry: Registry, instrument: Instrument) -> None:
    v1 = registry.get("lc_health", 1)
    kept = {i.id for i in v1.items} & {i.id for i in instrument.items}
    assert {i.id for i in v1.items} - kept == {"org_f04", "lc_f06"}
    assert {i.id for i in instrument.items} - kept == {"org_f04b", "lc_f06b", "ind_f11"}
    for item_id in kept:
        before, after = v1.item_by_id[item_id], instrument.item_by_id[item_id]
        assert (before.factor, before.layer) == (after.factor, after.layer), item_id
