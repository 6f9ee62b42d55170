"""Broadcast domain: channels, templates, blocks, schedule days, the catalog, playlogs, as-run."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retrovue.db.models.base import Base, JSONType, UTCDateTime
from retrovue.db.models.library import ASSET_KINDS, in_list

PROFILES = ("480p", "720p", "1080p", "copy")
CHANNEL_MODES = ("normal", "guide")
SELECTOR_KINDS = ("date", "weekday", "default")
EVENT_KINDS = ("programme", "filler", "slate")
ASRUN_STATUSES = ("playing", "aired", "failed", "cut")
DIRECTOR_MODES = ("normal", "emergency")


class Channel(Base):
    __tablename__ = "broadcast_channel"
    __table_args__ = (
        CheckConstraint(in_list("profile", PROFILES), name="profile"),
        CheckConstraint(in_list("mode", CHANNEL_MODES), name="mode"),
        CheckConstraint(
            "day_start_minutes >= 0 AND day_start_minutes < 1440", name="day_start_range"
        ),
        CheckConstraint("grid_minutes > 0 AND grid_minutes <= 1440", name="grid_range"),
        CheckConstraint(
            "grid_offset_minutes >= 0 AND grid_offset_minutes < grid_minutes",
            name="grid_offset_range",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    call_sign: Mapped[str | None] = mapped_column(String(50), nullable=True)
    logo: Mapped[str | None] = mapped_column(Text, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64))
    day_start_minutes: Mapped[int] = mapped_column(Integer, default=360)
    grid_minutes: Mapped[int] = mapped_column(Integer, default=30)
    grid_offset_minutes: Mapped[int] = mapped_column(Integer, default=0)
    profile: Mapped[str] = mapped_column(String(10), default="720p")
    mode: Mapped[str] = mapped_column(String(10), default="normal")
    audio_language: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # the station bug: {} none; {"image": "callsign" | PATH, "position", "size_pct", "opacity",
    # "in_breaks"} (retrovue.broadcast.look)
    bug: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict, server_default=text("'{}'"))
    loudness_target_lufs: Mapped[float] = mapped_column(
        Float, default=-24.0, server_default=text("-24.0")
    )
    # CEA-608 captions: None automatic (audio language, English, first), "off", or a language
    captions: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # image subtitles (PGS) burnt into the picture: None none, or their language
    burn_subtitles: Mapped[str | None] = mapped_column(String(20), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)


class Template(Base):
    __tablename__ = "broadcast_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)

    blocks: Mapped[list[TemplateBlock]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="TemplateBlock.start_minutes",
    )


class TemplateBlock(Base):
    """A block of a template: local start time (minutes after local midnight) and duration."""

    __tablename__ = "broadcast_template_block"
    __table_args__ = (
        UniqueConstraint("template_id", "start_minutes"),
        CheckConstraint("start_minutes >= 0 AND start_minutes < 1440", name="start_range"),
        CheckConstraint("duration_minutes > 0 AND duration_minutes <= 1440", name="duration_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_template.id", ondelete="CASCADE"), index=True
    )
    start_minutes: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    rule_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    template: Mapped[Template] = relationship(back_populates="blocks")


class ScheduleDay(Base):
    """Which template a channel uses: for one date, for a weekday, or by default.

    ``selector`` is the natural key per channel: ``2026-01-05``, ``mon`` or ``default``.
    """

    __tablename__ = "broadcast_schedule_day"
    __table_args__ = (
        UniqueConstraint("channel_id", "selector"),
        CheckConstraint(in_list("selector_kind", SELECTOR_KINDS), name="selector_kind"),
        CheckConstraint(
            "(selector_kind = 'date' AND date IS NOT NULL AND weekday IS NULL)"
            " OR (selector_kind = 'weekday' AND weekday IS NOT NULL AND date IS NULL)"
            " OR (selector_kind = 'default' AND date IS NULL AND weekday IS NULL)",
            name="exactly_one_selector",
        ),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_channel.id", ondelete="CASCADE"), index=True
    )
    template_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_template.id", ondelete="RESTRICT"), index=True
    )
    selector_kind: Mapped[str] = mapped_column(String(10))
    selector: Mapped[str] = mapped_column(String(20))
    date: Mapped[date | None] = mapped_column(Date, nullable=True)
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime)

    template: Mapped[Template] = relationship()
    channel: Mapped[Channel] = relationship()


class CatalogAsset(Base):
    """An asset cleared (or once cleared) to air. Only ``canonical`` and ``available`` ones air."""

    __tablename__ = "catalog_asset"
    __table_args__ = (
        CheckConstraint(in_list("kind", ASSET_KINDS), name="kind"),
        CheckConstraint("duration_ms > 0", name="duration_positive"),
        CheckConstraint("season IS NULL OR season >= 0", name="season_non_negative"),
        CheckConstraint("episode IS NULL OR episode >= 0", name="episode_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_ingest_asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("library_asset.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    guide_title: Mapped[str] = mapped_column(String(1000))
    series_title: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    season: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode_title: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    aired_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    genres: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    content_rating: Mapped[str | None] = mapped_column(String(50), nullable=True)
    artwork_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    file_path: Mapped[str] = mapped_column(Text)
    media_info: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # where a programme may stop for a break: {"points_ms": [...], "avoid_ms": [[start, end]],
    # "source": "chapters" | "markers" | "operator"}; {} = nothing known
    # (retrovue.broadcast.breakpoints)
    breaks: Mapped[dict[str, Any]] = mapped_column(
        JSONType, default=dict, server_default=text("'{}'")
    )
    canonical: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    available: Mapped[bool] = mapped_column(Boolean, default=True)
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)


class PlaylogEvent(Base):
    """One thing planned to air on a channel: a programme, a filler or a slate."""

    __tablename__ = "broadcast_playlog_event"
    __table_args__ = (
        UniqueConstraint("channel_id", "start_utc"),
        # the guide folds filler into programmes by channel and kind in time order
        Index("ix_broadcast_playlog_event_channel_kind_start", "channel_id", "kind", "start_utc"),
        CheckConstraint(in_list("kind", EVENT_KINDS), name="kind"),
        CheckConstraint("end_utc > start_utc", name="end_after_start"),
        CheckConstraint("offset_ms >= 0", name="offset_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("broadcast_channel.id", ondelete="CASCADE"))
    broadcast_day: Mapped[date] = mapped_column(Date, index=True)
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    end_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    catalog_asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_asset.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    offset_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    # guide snapshot, so the guide stays right even if the catalog changes later
    title: Mapped[str] = mapped_column(String(1000))
    episode_title: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    series_title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    season: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    block_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    guide_json: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    built_utc: Mapped[datetime] = mapped_column(UTCDateTime)


class SequenceCursor(Base):
    """Ordering state of one rule on one channel as it stands after ``broadcast_day``."""

    __tablename__ = "broadcast_sequence_cursor"
    __table_args__ = (UniqueConstraint("channel_id", "cursor_key", "broadcast_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_channel.id", ondelete="CASCADE"), index=True
    )
    cursor_key: Mapped[str] = mapped_column(String(500))
    broadcast_day: Mapped[date] = mapped_column(Date)
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)


class AsRun(Base):
    """What actually aired (written by the runtime only)."""

    __tablename__ = "broadcast_asrun"
    __table_args__ = (
        CheckConstraint(in_list("status", ASRUN_STATUSES), name="status"),
        # first airing of an asset on a channel (the guide's <new/>)
        Index("ix_broadcast_asrun_channel_asset", "channel_id", "catalog_asset_id"),
        CheckConstraint(in_list("kind", EVENT_KINDS), name="kind"),
        CheckConstraint("offset_ms >= 0", name="offset_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("broadcast_channel.id", ondelete="CASCADE"), index=True
    )
    playlog_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_playlog_event.id", ondelete="SET NULL"), nullable=True
    )
    catalog_asset_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_asset.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(1000))
    planned_start_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    planned_end_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    actual_start_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actual_end_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # while 'playing': the last instant known to have aired (the server's heartbeat); a row a
    # crash left playing is closed there at the next start
    aired_until_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    offset_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class DirectorRequest(Base):
    """An operator's program-director request; ``channel_id`` NULL means the whole station."""

    __tablename__ = "broadcast_director_request"
    __table_args__ = (CheckConstraint(in_list("mode", DIRECTOR_MODES), name="mode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_channel.id", ondelete="CASCADE"), nullable=True, index=True
    )
    mode: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    requested_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StationSetting(Base):
    """Installation-wide values kept in the database (device identity and the like)."""

    __tablename__ = "station_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)
