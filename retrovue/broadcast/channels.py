"""Channels, read side: lookups and the plain view the CLI and other services render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from retrovue.broadcast.layout import ChannelGrid
from retrovue.broadcast.timeparse import format_hhmm
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel
from retrovue.errors import NotFoundError


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    number: str
    name: str
    call_sign: str | None
    timezone: str
    day_start_minutes: int
    grid_minutes: int
    grid_offset_minutes: int
    profile: str
    logo: str | None
    mode: str
    audio_language: str | None
    enabled: bool
    created_utc: datetime
    updated_utc: datetime
    bug: Mapping[str, Any] = field(default_factory=dict)
    loudness_target_lufs: float = -24.0
    captions: str | None = None  # None: automatic; "off"; or a language code
    burn_subtitles: str | None = None  # image subtitles burnt in: None none, or a language

    @classmethod
    def of(cls, row: Channel) -> ChannelInfo:
        return cls(
            id=row.id,
            number=row.number,
            name=row.name,
            call_sign=row.call_sign,
            timezone=row.timezone,
            day_start_minutes=row.day_start_minutes,
            grid_minutes=row.grid_minutes,
            grid_offset_minutes=row.grid_offset_minutes,
            profile=row.profile,
            logo=row.logo,
            mode=row.mode,
            audio_language=row.audio_language,
            enabled=row.enabled,
            created_utc=row.created_utc,
            updated_utc=row.updated_utc,
            bug=dict(row.bug or {}),
            loudness_target_lufs=row.loudness_target_lufs,
            captions=row.captions,
            burn_subtitles=row.burn_subtitles,
        )

    @property
    def day_start(self) -> str:
        return format_hhmm(self.day_start_minutes)

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "name": self.name,
            "call_sign": self.call_sign,
            "timezone": self.timezone,
            "day_start": self.day_start,
            "day_start_minutes": self.day_start_minutes,
            "grid_minutes": self.grid_minutes,
            "grid_offset_minutes": self.grid_offset_minutes,
            "profile": self.profile,
            "logo": self.logo,
            "mode": self.mode,
            "audio_language": self.audio_language,
            "enabled": self.enabled,
            "created_utc": self.created_utc,
            "updated_utc": self.updated_utc,
            "bug": dict(self.bug),
            "loudness_target_lufs": self.loudness_target_lufs,
            "captions": self.captions or "auto",
            "burn_subtitles": self.burn_subtitles or "off",
        }


def channel_grid(row: Channel) -> ChannelGrid:
    return ChannelGrid(row.number, row.day_start_minutes, row.grid_minutes, row.grid_offset_minutes)


def find_channel(session: Session, number: str) -> Channel | None:
    return session.scalars(select(Channel).where(Channel.number == number)).one_or_none()


def get_channel(session: Session, number: str) -> Channel:
    """The channel with guide number ``number``, or a one-line NotFoundError."""
    row = find_channel(session, number)
    if row is None:
        raise NotFoundError(f"no channel {number!r} (see: retrovue channel list)")
    return row


def number_sort_key(number: str) -> tuple[int, int]:
    major, _, minor = number.partition(".")
    return (int(major) if major.isdigit() else 0, int(minor) if minor.isdigit() else -1)


def list_channels(session: Session) -> list[ChannelInfo]:
    rows = session.scalars(select(Channel)).all()
    return sorted((ChannelInfo.of(row) for row in rows), key=lambda c: number_sort_key(c.number))


def read_channels(database: Database) -> list[ChannelInfo]:
    """Every channel, by guide number (one read transaction)."""
    with database.transaction() as session:
        return list_channels(session)


def read_channel(database: Database, number: str) -> ChannelInfo:
    with database.transaction() as session:
        return ChannelInfo.of(get_channel(session, number))
