"""What both engines do alike when they open a media file: the audio track and the seek margins."""

from __future__ import annotations

from typing import Any

import av

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
