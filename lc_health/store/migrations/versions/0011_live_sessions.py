"""live sessions: a room scoring the twelve factors on phones

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 05:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "livesession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revealed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("published_count", sa.Integer(), nullable=False),
        sa.Column("published", sa.Text(), nullable=False),
        sa.Column("factor_order", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("livesession", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_livesession_community_id"), ["community_id"], unique=False
        )
    op.create_table(
        "livesheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("phone_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("published_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["livesession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "phone_key"),
    )
    with op.batch_alter_table("livesheet", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_livesheet_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("livesheet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_livesheet_session_id"))
    op.drop_table("livesheet")
    with op.batch_alter_table("livesession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_livesession_community_id"))
    op.drop_table("livesession")
