"""Which channels exist and what they play: the runtime's read-only view of the configuration.

``DatabaseDirectory`` reads a channel row and answers with its :class:`ChannelSetup` (profile,
preferred audio language, time zone, and a timeline backed by the scheduler's playlog query).
``StaticDirectory`` holds setups in memory (tests, benchmarks).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy.exc import SQLAlchemyError

from retrovue.broadcast.channels import get_channel
from retrovue.clock import Clock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.errors import NotFoundError, ScheduleError, StreamError
from retrovue.library.subtitles import CAPTIONS_OFF, choose_burn, choose_caption
from retrovue.runtime.copy.check import check_copy
from retrovue.runtime.playout.captions import CaptionTrack
from retrovue.runtime.playout.channel import BugSpec, ChannelInfo
from retrovue.runtime.playout.loudness import loudness_gain_db
from retrovue.runtime.playout.profiles import (
    COPY,
    COPY_FALLBACK,
    OutputProfile,
    copy_profile,
    profile_named,
)
from retrovue.runtime.playout.timeline import ItemKind, Timeline, TimelineItem, fill_gaps
from retrovue.scheduler.query import events_from

log = logging.getLogger(__name__)
COPY_LOOKAHEAD_EVENTS = 200
BREAK_FADE_MS = 500  # the sound of a programme fades out into a break and back in after it


@dataclass(frozen=True)
class ChannelSetup:
    info: ChannelInfo
    timeline: Timeline
    channel_id: int | None = None  # the database row (as-run log, director modes)


class ChannelDirectory(Protocol):
    def lookup(self, channel_number: str) -> ChannelSetup:
        """The channel's setup; NotFoundError when there is no such (enabled) channel."""
        ...


class StaticDirectory:
    def __init__(self, setups: Mapping[str, ChannelSetup]) -> None:
        self._setups = dict(setups)

    def lookup(self, channel_number: str) -> ChannelSetup:
        try:
            return self._setups[channel_number]
        except KeyError:
            raise NotFoundError(f"no channel {channel_number!r}") from None


def resolve_profile(
    channel_number: str, name: str, upcoming_paths: Callable[[], Iterable[str]]
) -> OutputProfile:
    """The profile to play with. ``copy`` is checked against the upcoming files: a
    :class:`CopyProfile` when they allow stream copy, else normalised with a warning."""
    if name != COPY:
        return profile_named(name)
    verdict = check_copy(upcoming_paths())
    if verdict.ok and verdict.parameters is not None:
        log.info("channel %s: stream copy (%s)", channel_number, verdict.reason)
        return copy_profile(verdict.parameters)
    log.warning(
        "channel %s: copy refused (%s); normalising to %s",
        channel_number,
        verdict.reason,
        COPY_FALLBACK,
    )
    return profile_named(COPY_FALLBACK)


class PlaylogTimeline:
    """The scheduler's playlog for one channel, read through ``scheduler.query.events_from``;
    each item gets the gain that brings its measured loudness to the channel's target."""

    def __init__(
        self,
        database: Database,
        channel_id: int,
        loudness_target_lufs: float = -24.0,
        captions: CaptionChoice | None = None,
    ) -> None:
        self._database = database
        self._channel_id = channel_id
        self._target_lufs = loudness_target_lufs
        self._captions = captions

    def items_from(self, at_utc: datetime, count: int) -> list[TimelineItem]:
        try:
            with self._database.transaction() as session:
                events = events_from(session, self._channel_id, at_utc, count)
        except SQLAlchemyError as err:
            raise ScheduleError(
                f"channel {self._channel_id}: cannot read the playlog: {err}"
            ) from err
        items = [
            TimelineItem(
                start_utc=event.start_utc,
                end_utc=event.end_utc,
                kind=cast(ItemKind, event.kind),
                title=_title(event.title, event.episode_title),
                file_path=event.file_path,
                asset_offset_ms=event.asset_offset_ms - event.offset_ms,
                event_id=event.event_id,
                catalog_asset_id=event.catalog_asset_id,
                fade_in_ms=BREAK_FADE_MS if event.fade_in else 0,
                fade_out_ms=BREAK_FADE_MS if event.fade_out else 0,
                loudness_gain_db=loudness_gain_db(
                    self._target_lufs, event.integrated_lufs, event.true_peak_dbtp
                ),
                captions=self._captions.track(event.caption_sources) if self._captions else None,
                burn_stream=self._captions.burn(event.subtitle_tracks) if self._captions else None,
            )
            for event in events
        ]
        return fill_gaps(items, at_utc)[:count]


@dataclass(frozen=True)
class CaptionChoice:
    """A channel's caption setting (None: automatic) and audio language, applied per item."""

    setting: str | None
    audio_language: str | None
    burn_language: str | None = None

    @classmethod
    def of(cls, info: ChannelInfo) -> CaptionChoice:
        setting = info.caption_language if info.captions else CAPTIONS_OFF
        return cls(setting, info.audio_language, info.burn_language)

    def burn(self, subtitle_tracks: Sequence[Mapping[str, Any]]) -> int | None:
        return choose_burn(subtitle_tracks, self.burn_language)

    def track(self, sources: Sequence[Mapping[str, Any]]) -> CaptionTrack | None:
        chosen = choose_caption(sources, self.setting, self.audio_language)
        if chosen is None:
            return None
        return CaptionTrack(
            kind=chosen["kind"],
            path=chosen.get("path"),
            stream_index=chosen.get("index"),
            language=chosen.get("language"),
        )


def bug_spec(settings: dict[str, Any], text: str) -> BugSpec | None:
    """The channel's bug settings (``broadcast.look``) as the producer takes them."""
    image = settings.get("image")
    if not image:
        return None
    return BugSpec(
        image_path=None if image == "callsign" else str(image),
        text=text,
        position=str(settings.get("position", "bottom-right")),
        size_pct=int(settings.get("size_pct", 10)),
        opacity=float(settings.get("opacity", 0.7)),
        in_breaks=bool(settings.get("in_breaks", False)),
        margin_pct=int(settings.get("margin_pct", 4)),
    )


def _title(title: str, episode_title: str | None) -> str:
    return f"{title}: {episode_title}" if episode_title else title


class DatabaseDirectory:
    def __init__(self, database: Database, settings: Settings, clock: Clock) -> None:
        self._database = database
        self._settings = settings
        self._clock = clock

    def lookup(self, channel_number: str) -> ChannelSetup:
        with self._database.transaction() as session:
            channel = get_channel(session, channel_number)
            if not channel.enabled:
                raise StreamError(f"channel {channel_number} is disabled")
            channel_id, name, profile_name = channel.id, channel.name, channel.profile
            language, zone = channel.audio_language, channel.timezone
            bug = bug_spec(dict(channel.bug or {}), channel.call_sign or channel.number)
            loudness_target_lufs = channel.loudness_target_lufs
            captions, burn = channel.captions, channel.burn_subtitles

        def upcoming_paths() -> list[str]:
            with self._database.transaction() as session:
                events = events_from(
                    session, channel_id, self._clock.now_utc(), COPY_LOOKAHEAD_EVENTS
                )
            return [e.file_path for e in events if e.file_path]

        info = ChannelInfo(
            number=channel_number,
            name=name,
            profile=resolve_profile(channel_number, profile_name, upcoming_paths),
            audio_language=language,
            timezone=zone,
            x264_preset=self._settings.x264_preset,
            bug=bug,
            loudness_target_lufs=loudness_target_lufs,
            captions=captions != CAPTIONS_OFF,
            caption_language=None if captions == CAPTIONS_OFF else captions,
            burn_language=burn,
        )
        timeline = PlaylogTimeline(
            self._database, channel_id, loudness_target_lufs, CaptionChoice.of(info)
        )
        return ChannelSetup(info, timeline, channel_id)
