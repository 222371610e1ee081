"""survey drafts: a personal link's unsent answers, kept server-side per round

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 02:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveydraft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["invitation_id"], ["invitation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invitation_id", "round_id"),
    )
    with op.batch_alter_table("surveydraft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveydraft_round_id"), ["round_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("surveydraft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveydraft_round_id"))
    op.drop_table("surveydraft")
