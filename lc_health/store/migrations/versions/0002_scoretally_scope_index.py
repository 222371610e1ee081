"""score tallies: an index for reading one scope across every round

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The portfolio's trends read the health index and the layers of every round: with this
    # index the read stays inside it instead of scanning all score tallies.
    op.create_index(
        "ix_scoretally_scope_key",
        "scoretally",
        ["scope", "key", "round_id", "n", "total"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_scoretally_scope_key", table_name="scoretally")
