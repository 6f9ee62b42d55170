"""Library domain: sources, path mappings, ingested assets and their markers."""

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
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from retrovue.db.models.base import Base, JSONType, UTCDateTime

SOURCE_KINDS = ("filesystem", "plex", "jellyfin", "emby")
SYNC_RESULTS = ("ok", "failed", "interrupted")
ASSET_KINDS = ("episode", "movie", "filler", "other")
REVIEW_STATES = ("pending", "approved", "rejected", "failed")
MARKER_KINDS = ("chapter", "intro", "credits", "ad_break")


def in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Source(Base):
    __tablename__ = "library_source"
    __table_args__ = (
        CheckConstraint(in_list("kind", SOURCE_KINDS), name="kind"),
        CheckConstraint("sync_every_s IS NULL OR sync_every_s > 0", name="sync_every_positive"),
        CheckConstraint("sync_every_s IS NULL OR sync_at IS NULL", name="sync_one_policy"),
        CheckConstraint(
            f"last_sync_result IS NULL OR {in_list('last_sync_result', SYNC_RESULTS)}",
            name="last_sync_result",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    is_filler: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    last_synced_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # sync policy: every N seconds, daily at HH:MM in a time zone, or neither (manual)
    sync_every_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sync_at: Mapped[str | None] = mapped_column(String(5), nullable=True)
    sync_timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the last sync attempt (manual or scheduled) and how it ended
    last_sync_started_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sync_result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    last_sync_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)

    path_mappings: Mapped[list[PathMapping]] = relationship(
        back_populates="source", cascade="all, delete-orphan", order_by="PathMapping.position"
    )


class PathMapping(Base):
    __tablename__ = "library_path_mapping"
    __table_args__ = (
        UniqueConstraint("source_id", "from_prefix"),
        CheckConstraint("position >= 0", name="position_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("library_source.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    from_prefix: Mapped[str] = mapped_column(Text)
    to_prefix: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="path_mappings")


class LibraryAsset(Base):
    __tablename__ = "library_asset"
    __table_args__ = (
        UniqueConstraint("source_id", "external_key"),
        CheckConstraint(in_list("kind", ASSET_KINDS), name="kind"),
        CheckConstraint(in_list("review_state", REVIEW_STATES), name="review_state"),
        CheckConstraint("duration_ms IS NULL OR duration_ms >= 0", name="duration_non_negative"),
        CheckConstraint("file_size IS NULL OR file_size >= 0", name="file_size_non_negative"),
        CheckConstraint("season IS NULL OR season >= 0", name="season_non_negative"),
        CheckConstraint("episode IS NULL OR episode >= 0", name="episode_non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("library_source.id", ondelete="CASCADE"), index=True
    )
    external_key: Mapped[str] = mapped_column(String(1000))
    file_path: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    # descriptive metadata
    series_title: Mapped[str | None] = mapped_column(String(500), nullable=True, index=True)
    season: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode: Mapped[int | None] = mapped_column(Integer, nullable=True)
    episode_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    title: Mapped[str] = mapped_column(String(1000), default="")
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    aired_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    genres: Mapped[list[str]] = mapped_column(JSONType, default=list)
    content_rating: Mapped[str | None] = mapped_column(String(50), nullable=True)
    artwork_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # technical probe data
    duration_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    container: Mapped[str | None] = mapped_column(String(100), nullable=True)
    video_codec: Mapped[str | None] = mapped_column(String(50), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sample_aspect_ratio: Mapped[str | None] = mapped_column(String(20), nullable=True)
    frame_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    interlaced: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    audio_tracks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    subtitle_tracks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # sidecar subtitle files: {"path", "format", "language", "forced"} (library.subtitles)
    subtitle_files: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, default=list, server_default=text("'[]'")
    )
    # more video facts for the runtime: pix_fmt, exact frame rate, field order, profile, bit rate
    video_details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # EBU R128 of the default audio track: {} never measured; {"integrated_lufs", "true_peak_dbtp",
    # "track"}; or {"error": why it cannot be measured, "track"} (it then airs at unity gain)
    loudness: Mapped[dict[str, Any]] = mapped_column(
        JSONType, default=dict, server_default=text("'{}'")
    )
    # change detection
    file_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    file_mtime_ns: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    probed_utc: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # review and lifecycle
    review_state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    review_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    playable: Mapped[bool] = mapped_column(Boolean, default=True)
    unplayable_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_utc: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_utc: Mapped[datetime] = mapped_column(UTCDateTime)

    markers: Mapped[list[Marker]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="Marker.start_ms"
    )


class Marker(Base):
    __tablename__ = "library_marker"
    __table_args__ = (
        CheckConstraint(in_list("kind", MARKER_KINDS), name="kind"),
        CheckConstraint("start_ms >= 0", name="start_non_negative"),
        CheckConstraint("end_ms >= start_ms", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        ForeignKey("library_asset.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)

    asset: Mapped[LibraryAsset] = relationship(back_populates="markers")
