"""The fixed vocabularies stored in the database: account roles, response sources and action
states. They live in the domain so that schemas, demo data and every room can use them without
reaching into the store's table definitions."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    lead = "lead"
    policy = "policy"


class Source(StrEnum):
    web = "web"
    paper = "paper"
    imported = "import"
    live = "live"  # a phone's sheet in a live session tied to the round


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"
