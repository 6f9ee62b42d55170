"""library_asset.loudness: EBU R128 integrated loudness and true peak measured at ingest

Revision ID: 0005_asset_loudness
Revises: 0004_catalog_breaks
Create Date: 2026-12-04 19:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_asset_loudness'
down_revision: str | None = '0004_catalog_breaks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('library_asset', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('loudness', sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('library_asset', schema=None) as batch_op:
        batch_op.drop_column('loudness')
