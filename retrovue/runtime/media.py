"""What both engines do alike with a media file: its failure and declared length, the audio
track they pick and the seek margins."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import av

log = logging.getLogger(__name__)

SEEK_MIN_S = 0.5  # positions before this are played from the start (no seek)
SEEK_MARGINS_S = (0.0, 1.0, 3.0, 10.0, 30.0, float("inf"))  # tried in turn when a seek overshoots


def pick_audio_stream(container: Any, language: str | None) -> Any | None:
    """The track in the preferred language, else the default-flagged one, else the first."""
    tracks = list(container.streams.audio)
    if not tracks:
        return None
    if language:
        wanted = language.lower()
        for track in tracks:
            if str(track.metadata.get("language", "")).lower() == wanted:
                return track
    for track in tracks:
        if track.disposition & av.stream.Disposition.default:
            return track
    return tracks[0]


class MediaFile:
    """A file an engine plays: the open container, why it failed (once failed, it is at its
    end) and the duration its header declares. The engines' sources extend it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.failed: str | None = None
        self.eof = False
        self._container: Any = None

    def fail(self, reason: str) -> None:
        if self.failed is None:
            self.failed = reason
            log.warning("source failed: %s", reason)
        self.eof = True

    @property
    def declared_s(self) -> float | None:
        """The file's duration as its header declares it (None when unknown or closed)."""
        duration = getattr(self._container, "duration", None)
        return None if duration is None else float(duration) / 1_000_000

    def close(self) -> None:
        if self._container is not None:
            with contextlib.suppress(av.FFmpegError):
                self._container.close()
            self._container = None
