"""captions: channel.captions (off, a language, or NULL: automatic), channel.burn_subtitles (the
language of image subtitles burnt into the picture, NULL: none) and library_asset.subtitle_files
(sidecar subtitle files found next to the media file)

Revision ID: 0007_captions
Revises: 0006_asrun_aired_until
Create Date: 2026-12-06 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007_captions'
down_revision: str | None = '0006_asrun_aired_until'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('broadcast_channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('captions', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('burn_subtitles', sa.String(length=20), nullable=True))
    with op.batch_alter_table('library_asset', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('subtitle_files', sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('library_asset', schema=None) as batch_op:
        batch_op.drop_column('subtitle_files')
    with op.batch_alter_table('broadcast_channel', schema=None) as batch_op:
        batch_op.drop_column('burn_subtitles')
        batch_op.drop_column('captions')
