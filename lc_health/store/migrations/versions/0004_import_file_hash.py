"""import batches keep the SHA-256 of the imported file, so a second import of it is noticed

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("importbatch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_importbatch_content_sha256"), ["content_sha256"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("importbatch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importbatch_content_sha256"))
        batch_op.drop_column("content_sha256")
