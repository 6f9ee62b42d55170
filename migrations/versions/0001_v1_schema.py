"""v1 schema of both domains

Revision ID: 0001_v1
Revises: 
Create Date: 2026-11-22 03:36:28.812546
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0001_v1'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('broadcast_channel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('call_sign', sa.String(length=50), nullable=True),
    sa.Column('logo', sa.Text(), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('day_start_minutes', sa.Integer(), nullable=False),
    sa.Column('grid_minutes', sa.Integer(), nullable=False),
    sa.Column('grid_offset_minutes', sa.Integer(), nullable=False),
    sa.Column('profile', sa.String(length=10), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('audio_language', sa.String(length=10), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('normal', 'guide')", name=op.f('ck_broadcast_channel_mode')),
    sa.CheckConstraint("profile IN ('480p', '720p', '1080p', 'copy')", name=op.f('ck_broadcast_channel_profile')),
    sa.CheckConstraint('day_start_minutes >= 0 AND day_start_minutes < 1440', name=op.f('ck_broadcast_channel_day_start_range')),
    sa.CheckConstraint('grid_minutes > 0 AND grid_minutes <= 1440', name=op.f('ck_broadcast_channel_grid_range')),
    sa.CheckConstraint('grid_offset_minutes >= 0 AND grid_offset_minutes < grid_minutes', name=op.f('ck_broadcast_channel_grid_offset_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_channel')),
    sa.UniqueConstraint('number', name=op.f('uq_broadcast_channel_number'))
    )
    op.create_table('broadcast_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_template')),
    sa.UniqueConstraint('name', name=op.f('uq_broadcast_template_name'))
    )
    op.create_table('library_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('is_filler', sa.Boolean(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('last_synced_utc', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('filesystem', 'plex')", name=op.f('ck_library_source_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_source')),
    sa.UniqueConstraint('name', name=op.f('uq_library_source_name'))
    )
    op.create_table('station_setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_station_setting'))
    )
    op.create_table('broadcast_director_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('requested_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cleared_utc', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mode IN ('normal', 'emergency')", name=op.f('ck_broadcast_director_request_mode')),
    sa.ForeignKeyConstraint(['channel_id'], ['broadcast_channel.id'], name=op.f('fk_broadcast_director_request_channel_id_broadcast_channel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_director_request'))
    )
    with op.batch_alter_table('broadcast_director_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_director_request_channel_id'), ['channel_id'], unique=False)

    op.create_table('broadcast_schedule_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('selector_kind', sa.String(length=10), nullable=False),
    sa.Column('selector', sa.String(length=20), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('created_utc', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(selector_kind = 'date' AND date IS NOT NULL AND weekday IS NULL) OR (selector_kind = 'weekday' AND weekday IS NOT NULL AND date IS NULL) OR (selector_kind = 'default' AND date IS NULL AND weekday IS NULL)", name=op.f('ck_broadcast_schedule_day_exactly_one_selector')),
    sa.CheckConstraint("selector_kind IN ('date', 'weekday', 'default')", name=op.f('ck_broadcast_schedule_day_selector_kind')),
    sa.CheckConstraint('weekday IS NULL OR (weekday >= 0 AND weekday <= 6)', name=op.f('ck_broadcast_schedule_day_weekday')),
    sa.ForeignKeyConstraint(['channel_id'], ['broadcast_channel.id'], name=op.f('fk_broadcast_schedule_day_channel_id_broadcast_channel'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['broadcast_template.id'], name=op.f('fk_broadcast_schedule_day_template_id_broadcast_template'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_schedule_day')),
    sa.UniqueConstraint('channel_id', 'selector', name=op.f('uq_broadcast_schedule_day_channel_id_selector'))
    )
    with op.batch_alter_table('broadcast_schedule_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_schedule_day_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_schedule_day_template_id'), ['template_id'], unique=False)

    op.create_table('broadcast_sequence_cursor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('cursor_key', sa.String(length=500), nullable=False),
    sa.Column('broadcast_day', sa.Date(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['broadcast_channel.id'], name=op.f('fk_broadcast_sequence_cursor_channel_id_broadcast_channel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_sequence_cursor')),
    sa.UniqueConstraint('channel_id', 'cursor_key', 'broadcast_day', name=op.f('uq_broadcast_sequence_cursor_channel_id_cursor_key_broadcast_day'))
    )
    with op.batch_alter_table('broadcast_sequence_cursor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_sequence_cursor_channel_id'), ['channel_id'], unique=False)

    op.create_table('broadcast_template_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('start_minutes', sa.Integer(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('rule_json', sa.JSON(), nullable=False),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 1440', name=op.f('ck_broadcast_template_block_duration_range')),
    sa.CheckConstraint('start_minutes >= 0 AND start_minutes < 1440', name=op.f('ck_broadcast_template_block_start_range')),
    sa.ForeignKeyConstraint(['template_id'], ['broadcast_template.id'], name=op.f('fk_broadcast_template_block_template_id_broadcast_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_template_block')),
    sa.UniqueConstraint('template_id', 'start_minutes', name=op.f('uq_broadcast_template_block_template_id_start_minutes'))
    )
    with op.batch_alter_table('broadcast_template_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_template_block_template_id'), ['template_id'], unique=False)

    op.create_table('library_asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('external_key', sa.String(length=1000), nullable=False),
    sa.Column('file_path', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('series_title', sa.String(length=500), nullable=True),
    sa.Column('season', sa.Integer(), nullable=True),
    sa.Column('episode', sa.Integer(), nullable=True),
    sa.Column('episode_end', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('aired_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('genres', sa.JSON(), nullable=False),
    sa.Column('content_rating', sa.String(length=50), nullable=True),
    sa.Column('artwork_url', sa.Text(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('duration_ms', sa.BigInteger(), nullable=True),
    sa.Column('container', sa.String(length=100), nullable=True),
    sa.Column('video_codec', sa.String(length=50), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('sample_aspect_ratio', sa.String(length=20), nullable=True),
    sa.Column('frame_rate', sa.Float(), nullable=True),
    sa.Column('interlaced', sa.Boolean(), nullable=True),
    sa.Column('audio_tracks', sa.JSON(), nullable=False),
    sa.Column('subtitle_tracks', sa.JSON(), nullable=False),
    sa.Column('video_details', sa.JSON(), nullable=False),
    sa.Column('file_size', sa.BigInteger(), nullable=True),
    sa.Column('file_mtime_ns', sa.BigInteger(), nullable=True),
    sa.Column('probed_utc', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_state', sa.String(length=20), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('playable', sa.Boolean(), nullable=False),
    sa.Column('unplayable_reason', sa.Text(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('created_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('episode', 'movie', 'filler', 'other')", name=op.f('ck_library_asset_kind')),
    sa.CheckConstraint("review_state IN ('pending', 'approved', 'rejected', 'failed')", name=op.f('ck_library_asset_review_state')),
    sa.CheckConstraint('duration_ms IS NULL OR duration_ms >= 0', name=op.f('ck_library_asset_duration_non_negative')),
    sa.CheckConstraint('episode IS NULL OR episode >= 0', name=op.f('ck_library_asset_episode_non_negative')),
    sa.CheckConstraint('file_size IS NULL OR file_size >= 0', name=op.f('ck_library_asset_file_size_non_negative')),
    sa.CheckConstraint('season IS NULL OR season >= 0', name=op.f('ck_library_asset_season_non_negative')),
    sa.ForeignKeyConstraint(['source_id'], ['library_source.id'], name=op.f('fk_library_asset_source_id_library_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_asset')),
    sa.UniqueConstraint('source_id', 'external_key', name=op.f('uq_library_asset_source_id_external_key'))
    )
    with op.batch_alter_table('library_asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_asset_review_state'), ['review_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_asset_series_title'), ['series_title'], unique=False)
        batch_op.create_index(batch_op.f('ix_library_asset_source_id'), ['source_id'], unique=False)

    op.create_table('library_path_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('from_prefix', sa.Text(), nullable=False),
    sa.Column('to_prefix', sa.Text(), nullable=False),
    sa.CheckConstraint('position >= 0', name=op.f('ck_library_path_mapping_position_non_negative')),
    sa.ForeignKeyConstraint(['source_id'], ['library_source.id'], name=op.f('fk_library_path_mapping_source_id_library_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_path_mapping')),
    sa.UniqueConstraint('source_id', 'from_prefix', name=op.f('uq_library_path_mapping_source_id_from_prefix'))
    )
    with op.batch_alter_table('library_path_mapping', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_path_mapping_source_id'), ['source_id'], unique=False)

    op.create_table('catalog_asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_ingest_asset_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('guide_title', sa.String(length=1000), nullable=False),
    sa.Column('series_title', sa.String(length=500), nullable=True),
    sa.Column('season', sa.Integer(), nullable=True),
    sa.Column('episode', sa.Integer(), nullable=True),
    sa.Column('episode_title', sa.String(length=1000), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('aired_date', sa.Date(), nullable=True),
    sa.Column('genres', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('content_rating', sa.String(length=50), nullable=True),
    sa.Column('artwork_url', sa.Text(), nullable=True),
    sa.Column('duration_ms', sa.BigInteger(), nullable=False),
    sa.Column('file_path', sa.Text(), nullable=False),
    sa.Column('media_info', sa.JSON(), nullable=False),
    sa.Column('canonical', sa.Boolean(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('created_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_utc', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('episode', 'movie', 'filler', 'other')", name=op.f('ck_catalog_asset_kind')),
    sa.CheckConstraint('duration_ms > 0', name=op.f('ck_catalog_asset_duration_positive')),
    sa.CheckConstraint('episode IS NULL OR episode >= 0', name=op.f('ck_catalog_asset_episode_non_negative')),
    sa.CheckConstraint('season IS NULL OR season >= 0', name=op.f('ck_catalog_asset_season_non_negative')),
    sa.ForeignKeyConstraint(['source_ingest_asset_id'], ['library_asset.id'], name=op.f('fk_catalog_asset_source_ingest_asset_id_library_asset'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_asset')),
    sa.UniqueConstraint('source_ingest_asset_id', name=op.f('uq_catalog_asset_source_ingest_asset_id'))
    )
    with op.batch_alter_table('catalog_asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_asset_canonical'), ['canonical'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalog_asset_series_title'), ['series_title'], unique=False)

    op.create_table('library_marker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('start_ms', sa.BigInteger(), nullable=False),
    sa.Column('end_ms', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.CheckConstraint("kind IN ('chapter', 'intro', 'credits', 'ad_break')", name=op.f('ck_library_marker_kind')),
    sa.CheckConstraint('end_ms >= start_ms', name=op.f('ck_library_marker_end_after_start')),
    sa.CheckConstraint('start_ms >= 0', name=op.f('ck_library_marker_start_non_negative')),
    sa.ForeignKeyConstraint(['asset_id'], ['library_asset.id'], name=op.f('fk_library_marker_asset_id_library_asset'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_marker'))
    )
    with op.batch_alter_table('library_marker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_marker_asset_id'), ['asset_id'], unique=False)

    op.create_table('broadcast_playlog_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('broadcast_day', sa.Date(), nullable=False),
    sa.Column('start_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('catalog_asset_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('offset_ms', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('episode_title', sa.String(length=1000), nullable=True),
    sa.Column('series_title', sa.String(length=500), nullable=True),
    sa.Column('season', sa.Integer(), nullable=True),
    sa.Column('episode', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('block_name', sa.String(length=200), nullable=True),
    sa.Column('guide_json', sa.JSON(), nullable=False),
    sa.Column('built_utc', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('programme', 'filler', 'slate')", name=op.f('ck_broadcast_playlog_event_kind')),
    sa.CheckConstraint('end_utc > start_utc', name=op.f('ck_broadcast_playlog_event_end_after_start')),
    sa.CheckConstraint('offset_ms >= 0', name=op.f('ck_broadcast_playlog_event_offset_non_negative')),
    sa.ForeignKeyConstraint(['catalog_asset_id'], ['catalog_asset.id'], name=op.f('fk_broadcast_playlog_event_catalog_asset_id_catalog_asset'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['channel_id'], ['broadcast_channel.id'], name=op.f('fk_broadcast_playlog_event_channel_id_broadcast_channel'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_playlog_event')),
    sa.UniqueConstraint('channel_id', 'start_utc', name=op.f('uq_broadcast_playlog_event_channel_id_start_utc'))
    )
    with op.batch_alter_table('broadcast_playlog_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_playlog_event_broadcast_day'), ['broadcast_day'], unique=False)
        batch_op.create_index('ix_broadcast_playlog_event_channel_kind_start', ['channel_id', 'kind', 'start_utc'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_playlog_event_catalog_asset_id'), ['catalog_asset_id'], unique=False)

    op.create_table('broadcast_asrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('playlog_event_id', sa.Integer(), nullable=True),
    sa.Column('catalog_asset_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('planned_start_utc', sa.DateTime(timezone=True), nullable=True),
    sa.Column('planned_end_utc', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_start_utc', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actual_end_utc', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offset_ms', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('programme', 'filler', 'slate')", name=op.f('ck_broadcast_asrun_kind')),
    sa.CheckConstraint("status IN ('playing', 'aired', 'failed', 'cut')", name=op.f('ck_broadcast_asrun_status')),
    sa.CheckConstraint('offset_ms >= 0', name=op.f('ck_broadcast_asrun_offset_non_negative')),
    sa.ForeignKeyConstraint(['catalog_asset_id'], ['catalog_asset.id'], name=op.f('fk_broadcast_asrun_catalog_asset_id_catalog_asset'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['channel_id'], ['broadcast_channel.id'], name=op.f('fk_broadcast_asrun_channel_id_broadcast_channel'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['playlog_event_id'], ['broadcast_playlog_event.id'], name=op.f('fk_broadcast_asrun_playlog_event_id_broadcast_playlog_event'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_asrun'))
    )
    with op.batch_alter_table('broadcast_asrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_broadcast_asrun_actual_start_utc'), ['actual_start_utc'], unique=False)
        batch_op.create_index(batch_op.f('ix_broadcast_asrun_channel_id'), ['channel_id'], unique=False)
        batch_op.create_index('ix_broadcast_asrun_channel_asset', ['channel_id', 'catalog_asset_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('broadcast_asrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_asrun_channel_id'))
        batch_op.drop_index('ix_broadcast_asrun_channel_asset')
        batch_op.drop_index(batch_op.f('ix_broadcast_asrun_actual_start_utc'))

    op.drop_table('broadcast_asrun')
    with op.batch_alter_table('broadcast_playlog_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_playlog_event_catalog_asset_id'))
        batch_op.drop_index(batch_op.f('ix_broadcast_playlog_event_broadcast_day'))
        batch_op.drop_index('ix_broadcast_playlog_event_channel_kind_start')

    op.drop_table('broadcast_playlog_event')
    with op.batch_alter_table('library_marker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_marker_asset_id'))

    op.drop_table('library_marker')
    with op.batch_alter_table('catalog_asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_asset_series_title'))
        batch_op.drop_index(batch_op.f('ix_catalog_asset_canonical'))

    op.drop_table('catalog_asset')
    with op.batch_alter_table('library_path_mapping', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_path_mapping_source_id'))

    op.drop_table('library_path_mapping')
    with op.batch_alter_table('library_asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_asset_source_id'))
        batch_op.drop_index(batch_op.f('ix_library_asset_series_title'))
        batch_op.drop_index(batch_op.f('ix_library_asset_review_state'))

    op.drop_table('library_asset')
    with op.batch_alter_table('broadcast_template_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_template_block_template_id'))

    op.drop_table('broadcast_template_block')
    with op.batch_alter_table('broadcast_sequence_cursor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_sequence_cursor_channel_id'))

    op.drop_table('broadcast_sequence_cursor')
    with op.batch_alter_table('broadcast_schedule_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_schedule_day_template_id'))
        batch_op.drop_index(batch_op.f('ix_broadcast_schedule_day_channel_id'))

    op.drop_table('broadcast_schedule_day')
    with op.batch_alter_table('broadcast_director_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_broadcast_director_request_channel_id'))

    op.drop_table('broadcast_director_request')
    op.drop_table('station_setting')
    op.drop_table('library_source')
    op.drop_table('broadcast_template')
    op.drop_table('broadcast_channel')
    
