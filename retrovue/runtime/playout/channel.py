"""What a producer is given: the channel it plays and how it paces its output."""

from __future__ import annotations

from dataclasses import dataclass

from retrovue.runtime.playout.profiles import OutputProfile


@dataclass(frozen=True)
class BugSpec:
    """The station bug: an image file, or (``image_path`` None) a plate showing ``text``."""

    image_path: str | None
    text: str
    position: str = "bottom-right"  # top-left, top-right, bottom-left, bottom-right
    size_pct: int = 10  # of the picture's height
    opacity: float = 0.7
    in_breaks: bool = False  # also during breaks (never on slates)
    margin_pct: int = 4  # of the picture's height, from both edges of its corner


@dataclass(frozen=True)
class ChannelInfo:
    number: str
    name: str
    profile: OutputProfile
    audio_language: str | None = None
    timezone: str = "UTC"
    x264_preset: str = "veryfast"
    bug: BugSpec | None = None
    loudness_target_lufs: float = -24.0
    captions: bool = False  # CEA-608 in every picture (each item's track: TimelineItem.captions)
    caption_language: str | None = None  # the track's language; None: automatic
    burn_language: str | None = None  # image subtitles of this language burnt in (None: none)


@dataclass(frozen=True)
class ProducerOptions:
    """Pacing: at tune the output runs ``burst_s`` ahead of the wall clock (the client fills its
    buffer at once); then the lead shrinks by ``lead_decay`` seconds per second (the output runs
    at 0.9x) down to ``lead_s``, so that a change made at the source (an emergency) reaches the
    screen within about ``lead_s`` plus the director's polling. ``preamble``: the engine sends
    the stream's PAT/PMT before anything else (False when the server sent them already, the
    moment the viewer tuned)."""

    burst_s: float = 1.5
    lead_s: float = 0.5
    lead_decay: float = 0.1
    paced: bool = True
    max_frames: int | None = None  # stop (cleanly, encoders drained) after this many frames
    preamble: bool = True
