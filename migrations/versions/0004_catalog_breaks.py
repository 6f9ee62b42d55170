"""catalog_asset.breaks: where a programme may stop for a break

Revision ID: 0004_catalog_breaks
Revises: 0003_channel_look
Create Date: 2026-12-04 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_catalog_breaks'
down_revision: str | None = '0003_channel_look'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('catalog_asset', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('breaks', sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('catalog_asset', schema=None) as batch_op:
        batch_op.drop_column('breaks')
