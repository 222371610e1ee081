"""round schedules, the notifications they sent, and the lease of the process running them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 02:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roundschedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cadence", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("open_day", sa.Integer(), nullable=False),
        sa.Column("open_days", sa.Integer(), nullable=False),
        sa.Column("reminders", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("active_since", sa.Date(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope"),
    )
    with op.batch_alter_table("roundschedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roundschedule_community_id"), ["community_id"], unique=False
        )
    op.create_table(
        "scheduleevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "kind", "day"),
    )
    with op.batch_alter_table("scheduleevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheduleevent_round_id"), ["round_id"], unique=False)
    op.create_table(
        "schedulelease",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("schedulelease")
    with op.batch_alter_table("scheduleevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduleevent_round_id"))
    op.drop_table("scheduleevent")
    with op.batch_alter_table("roundschedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roundschedule_community_id"))
    op.drop_table("roundschedule")
