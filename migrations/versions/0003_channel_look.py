"""broadcast_channel.bug and loudness_target_lufs: a channel's look and sound

Revision ID: 0003_channel_look
Revises: 0002_sync_policy
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003_channel_look'
down_revision: str | None = '0002_sync_policy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('broadcast_channel', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('bug', sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                'loudness_target_lufs', sa.Float(), server_default=sa.text('-24.0'),
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('broadcast_channel', schema=None) as batch_op:
        batch_op.drop_column('loudness_target_lufs')
        batch_op.drop_column('bug')
