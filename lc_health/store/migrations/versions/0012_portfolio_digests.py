"""portfolio digests: each period's published figures packed for the portfolio pages, and an
index of the active personal links

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTS = ("rounds", "trends", "scores", "forces")


def upgrade() -> None:
    op.create_table(
        "portfoliodigest",
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("part", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("period", "part"),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitation_personal_active",
            ["community_id"],
            unique=False,
            sqlite_where=sa.text("round_id IS NULL AND revoked_at IS NULL"),
            postgresql_where=sa.text("round_id IS NULL AND revoked_at IS NULL"),
        )
    # Every period with a publication is stale until first read or rebuilt (no data here: the
    # digests are built lazily, or by `rebuild_portfolio_digests`).
    for part in PARTS:
        op.execute(
            "INSERT INTO portfoliodigest (period, part, format, generation)"
            f" SELECT DISTINCT period, '{part}', 0, 0 FROM portfolioround"
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_invitation_personal_active")
    op.drop_table("portfoliodigest")
