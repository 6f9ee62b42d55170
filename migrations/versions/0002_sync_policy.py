"""Jellyfin and Emby source kinds; per-source sync policy and last sync result

Revision ID: 0002_sync_policy
Revises: 0001_v1
Create Date: 2026-12-04 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_sync_policy"
down_revision: str | None = "0001_v1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('filesystem', 'plex')"
NEW_KINDS = "kind IN ('filesystem', 'plex', 'jellyfin', 'emby')"
RESULTS = "last_sync_result IS NULL OR last_sync_result IN ('ok', 'failed', 'interrupted')"


def upgrade() -> None:
    with op.batch_alter_table("library_source", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sync_every_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sync_at", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("sync_timezone", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("last_sync_started_utc", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("last_sync_result", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("last_sync_message", sa.Text(), nullable=True))
        batch_op.drop_constraint(op.f("ck_library_source_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_library_source_kind"), NEW_KINDS)
        batch_op.create_check_constraint(
            op.f("ck_library_source_sync_every_positive"),
            "sync_every_s IS NULL OR sync_every_s > 0",
        )
        batch_op.create_check_constraint(
            op.f("ck_library_source_sync_one_policy"), "sync_every_s IS NULL OR sync_at IS NULL"
        )
        batch_op.create_check_constraint(op.f("ck_library_source_last_sync_result"), RESULTS)


def downgrade() -> None:
    op.execute("DELETE FROM library_source WHERE kind IN ('jellyfin', 'emby')")
    with op.batch_alter_table("library_source", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_library_source_last_sync_result"), type_="check")
        batch_op.drop_constraint(op.f("ck_library_source_sync_one_policy"), type_="check")
        batch_op.drop_constraint(op.f("ck_library_source_sync_every_positive"), type_="check")
        batch_op.drop_constraint(op.f("ck_library_source_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_library_source_kind"), OLD_KINDS)
        batch_op.drop_column("last_sync_message")
        batch_op.drop_column("last_sync_result")
        batch_op.drop_column("last_sync_started_utc")
        batch_op.drop_column("sync_timezone")
        batch_op.drop_column("sync_at")
        batch_op.drop_column("sync_every_s")
