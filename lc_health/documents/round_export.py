"""Everything one audience may see of one published round, as data: the JSON export, the CSV and
Excel tables, and the numbers the pages show all come from `round_document`.

Only published figures go in (store.dashboard reads nothing else), and only the parts the
audience may see (disclosure.sees): a policy maker's document has no comments and no actions.
JSON keeps full precision and is deterministic (keys sorted, rows in a fixed order), so the same
database gives the same bytes.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlmodel import Session

from lc_health.domain.disclosure import Audience, Part, Policy, sees
from lc_health.domain.instrument import Instrument, Registry
from lc_health.domain.scoring import FACTOR, HEALTH, LAYER
from lc_health.metrics import breakdowns, forces, review
from lc_health.services.round_record import RoundRecord, read_round_record
from lc_health.services.round_review import RoundView, changes_of, response_rate, round_view
from lc_health.store import communities as cstore
from lc_health.store import dashboard
from lc_health.store import rounds as round_store
from lc_health.store.dashboard import CommunityData

FORMAT_VERSION = 1


def _no_comments() -> list[str]:
    return []


@dataclass(frozen=True)
class RoundSource:
    """One published round as the input of every round document (the JSON export, the tables,
    the quarter report): what the pages have loaded, or what `load_source` reads for the CLI.
    community: id, name, sector, region, phase. comments are read only when a document that
    shows them is made (and only for an audience that sees them)."""

    community: Mapping[str, Any]
    data: CommunityData
    view: RoundView
    instrument: Instrument
    policy: Policy
    lang: str = "nl"
    comments: Callable[[], list[str]] = _no_comments
    made_on: date = field(default_factory=date.today)
    # What the round's conversation came to (services.round_record); None when not read.
    record: RoundRecord | None = None


def _value(value: Any) -> Any:
    """A JSON value: NaN and NA become null, NumPy scalars plain numbers, dates ISO text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [
        {c: _value(v) for c, v in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False, name=None)
    ]


def round_document(
    *,
    data: CommunityData,
    view: RoundView,
    instrument: Instrument,
    audience: Audience | str,
    policy: Policy,
    community: Mapping[str, Any],
    comments: list[str],
    record: RoundRecord | None = None,
) -> dict[str, Any]:
    """The round as `audience` may see it. community: id, name, sector, region, phase.
    record: the round's conversation, included for an audience that sees actions."""
    audience = Audience(audience)
    if not sees(audience, Part.export):
        raise PermissionError(f"{audience.value} does not get a round's document")
    k = policy.threshold
    pub = view.publication
    rnd = data.rounds[data.rounds["round_id"] == view.round_id].iloc[0]
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "audience": audience.value,
        "community": {key: _value(community[key]) for key in sorted(community)},
        "round": {
            "id": view.round_id,
            "period": view.period,
            "opens_on": _value(rnd["opens_on"]),
            "closes_on": _value(rnd["closes_on"]),
            "instrument": f"{instrument.id} v{instrument.version}",
            "previous_period": view.previous_period,
        },
        "publication": {
            "published_at": _value(pub["published_at"]),
            "responses": int(pub["responses"]),
            "by_channel": {c: int(pub[c]) for c in ("personal", "open_link", "paper", "imported")},
            "counted_towards_threshold": int(pub["counted"]),
            "personal_links_valid_during_round": int(pub["invited"]),
            "expected_headcount": _value(pub["expected_headcount"]),
            "response_rate": _value(response_rate(view)),
            "threshold": k,
        },
    }
    health = review.health(view.scores, k)
    doc["health"] = None
    if health is not None and not health["suppressed"]:
        doc["health"] = {
            "respondents": int(health["n"]),
            **{c: _value(health[c]) for c in ("mean", "sd", "ci_low", "ci_high", "band")},
        }
    layers = review.layer_indices(view.scores, instrument, k)
    doc["layers"] = _records(
        layers[~layers["suppressed"]], ["layer", "n", "mean", "ci_low", "ci_high", "band"]
    )
    matrix = review.layer_matrix(view.scores, instrument, k)
    doc["cells"] = _records(
        matrix[matrix["asked"] & ~matrix["suppressed"]], ["factor", "layer", "n", "mean", "band"]
    )
    factors = review.factor_table(view.scores, view.items, instrument, k)
    shown = factors[~factors["suppressed"]].sort_values("factor")
    doc["factors"] = _records(
        shown,
        [
            "factor",
            "n",
            "mean",
            "sd",
            "ci_low",
            "ci_high",
            "band",
            "n1",
            "n2",
            "n3",
            "n4",
            "n5",
            "n_dk",
            "disagreement",
        ],
    )
    doc["changes"] = {
        scope: _records(
            changes_of(view, scope).sort_values("key"),
            ["key", "mean", "previous", "difference", "ci_low", "ci_high", "n_pairs", "status"],
        )
        for scope in (HEALTH, LAYER, FACTOR)
    }
    field = forces.force_field(
        view.forces,
        view.force_respondents,
        view.previous_forces,
        view.previous_force_respondents,
        instrument,
        k,
    )
    doc["forces"] = {
        "respondents": view.force_respondents,
        "counts": _records(view.forces.sort_values("force_id"), ["force_id", "n"]),
        "field": _records(
            field[field["fac_share"].notna() | field["hin_share"].notna()],
            ["facilitating", "hindering", "fac_share", "hin_share", "fac_change", "hin_change"],
        ),
    }
    doc["breakdowns"] = {
        dimension: _records(
            breakdowns.published(view.groups, dimension, FACTOR).sort_values(["group", "key"]),
            ["group", "key", "n", "mean"],
        )
        for dimension in ("role", "organisation_type")
    }
    if sees(audience, Part.comments):
        doc["comments"] = list(comments)
    if sees(audience, Part.actions):
        actions = data.actions.sort_values("action_id")
        doc["actions"] = _records(
            actions,
            ["action_id", "period", "factor_id", "what", "owner", "due_on", "status", "note"],
        )
        if record is not None:
            doc["conversation"] = conversation_part(record)
    return doc


def conversation_part(record: RoundRecord) -> dict[str, Any]:
    """The round's conversation in a document: the summary, when it was closed, and each
    factor discussed with its outcome and note."""
    return {
        "summary": record.summary,
        "closed_on": _value(record.closed_on),
        "discussed": [
            {"factor_id": d.factor_id, "outcome": d.outcome, "note": d.note}
            for d in record.discussed
        ],
    }


def to_json(doc: Mapping[str, Any]) -> bytes:
    """Deterministic JSON (sorted keys, no NaN), UTF-8, ending in a newline."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, allow_nan=False, indent=2)
    return (text + "\n").encode("utf-8")


def to_tables(doc: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """The document as flat tables (for CSV and Excel): one per part, ids as in the JSON."""
    tables: dict[str, pd.DataFrame] = {
        "publication": pd.DataFrame(
            [
                {"key": key, "value": value}
                for key, value in sorted(_flat(doc["round"], "round").items())
                + sorted(_flat(doc["publication"], "publication").items())
            ]
        ),
        "health": pd.DataFrame([doc["health"]] if doc["health"] else []),
        "layers": pd.DataFrame(doc["layers"]),
        "cells": pd.DataFrame(doc["cells"]),
        "factors": pd.DataFrame(doc["factors"]),
        "changes": pd.DataFrame(
            [{"scope": scope, **row} for scope, rows in doc["changes"].items() for row in rows]
        ),
        "forces": pd.DataFrame(doc["forces"]["counts"]),
        "breakdowns": pd.DataFrame(
            [{"dimension": d, **row} for d, rows in doc["breakdowns"].items() for row in rows]
        ),
    }
    if "comments" in doc:
        tables["comments"] = pd.DataFrame({"comment": doc["comments"]})
    if "actions" in doc:
        tables["actions"] = pd.DataFrame(doc["actions"])
    if "conversation" in doc:
        talk = doc["conversation"]
        tables["conversation"] = pd.DataFrame(talk["discussed"])
        tables["summary"] = pd.DataFrame(
            [{"closed_on": talk["closed_on"], "summary": talk["summary"]}]
            if talk["summary"] is not None
            else []
        )
    return tables


def _flat(values: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            out |= _flat(value, f"{prefix}.{key}")
        else:
            out[f"{prefix}.{key}"] = value
    return out


class UnknownRound(LookupError):
    """No such round, or it has no published figures (open, or never answered)."""


def load_source(
    *, session: Session, round_id: int, registry: Registry, policy: Policy, lang: str = "nl"
) -> RoundSource:
    """The published round `round_id`, read from the database."""
    rnd = round_store.get_round(session=session, round_id=round_id)
    if rnd is None:
        raise UnknownRound(f"round {round_id} does not exist")
    community = cstore.get_community(session=session, community_id=rnd.community_id)
    assert community is not None
    data = dashboard.community_data(session=session, community_id=rnd.community_id)
    if round_id not in set(data.publications["round_id"]):
        raise UnknownRound(
            f"round {round_id} ({rnd.period}) has no published figures: a round is published "
            "when it closes"
        )
    comments = dashboard.published_comments(session=session, round_id=round_id)
    record = read_round_record(session, round_id=round_id)
    return RoundSource(
        community={
            "id": community.id,
            "name": community.name,
            "sector": community.sector,
            "region": community.region,
            "phase": community.phase,
        },
        data=data,
        view=round_view(data, round_id),
        instrument=registry.get(rnd.instrument_id, rnd.instrument_version),
        policy=policy,
        lang=lang,
        comments=lambda: comments,
        record=record,
    )


def document(source: RoundSource, audience: Audience | str) -> dict[str, Any]:
    """The round's document as `audience` may see it."""
    return round_document(
        data=source.data,
        view=source.view,
        instrument=source.instrument,
        audience=audience,
        policy=source.policy,
        community=source.community,
        comments=source.comments() if sees(audience, Part.comments) else [],
        record=source.record,
    )


def load_document(
    *,
    session: Session,
    round_id: int,
    audience: Audience | str,
    registry: Registry,
    policy: Policy,
) -> dict[str, Any]:
    """The published round `round_id` as `audience` may see it, read from the database."""
    source = load_source(session=session, round_id=round_id, registry=registry, policy=policy)
    return document(source, audience)


def to_html(doc: Mapping[str, Any]) -> str:
    """The document's tables as one self-contained HTML page (every text escaped)."""
    from lc_health.documents.report import table_html  # (report draws charts: loaded when needed)

    community = html.escape(str(doc["community"]["name"]))
    period = html.escape(str(doc["round"]["period"]))
    body = "".join(
        f"<section><h2>{html.escape(name)}</h2>{table_html(frame)}</section>"
        for name, frame in to_tables(doc).items()
        if len(frame)
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{community} {period}</title></head><body>"
        f"<h1>{community} · {period}</h1>{body}</body></html>\n"
    )
