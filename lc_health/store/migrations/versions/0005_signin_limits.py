"""sign-in limits per address and client; hand-over codes bound to a browser

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signinlimit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("signinlimit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signinlimit_updated_at"), ["updated_at"], unique=False)
    with op.batch_alter_table("signinsession", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("browser_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("signinsession", schema=None) as batch_op:
        batch_op.drop_column("browser_hash")
    with op.batch_alter_table("signinlimit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signinlimit_updated_at"))
    op.drop_table("signinlimit")
