"""live sessions tied to a round: whether a phone's sheet counts as the round's response

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("livesheet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_round", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("livesheet", schema=None) as batch_op:
        batch_op.drop_column("in_round")
