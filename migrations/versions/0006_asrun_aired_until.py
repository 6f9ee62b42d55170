"""as-run heartbeat: the last instant a playing row is known to have aired

Revision ID: 0006_asrun_aired_until
Revises: 0005_asset_loudness
Create Date: 2026-12-04 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_asrun_aired_until"
down_revision: str | None = "0005_asset_loudness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcast_asrun", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aired_until_utc", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcast_asrun", schema=None) as batch_op:
        batch_op.drop_column("aired_until_utc")
