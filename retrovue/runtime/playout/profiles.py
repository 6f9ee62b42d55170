"""Output profiles: what every channel's stream looks like, whatever its sources are."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from retrovue.errors import StreamError

AUDIO_RATE_HZ = 48000
AUDIO_FRAME_SAMPLES = 1024  # AAC
TS_CLOCK_HZ = 90000


@dataclass(frozen=True)
class CodecParameters:
    video_codec: str
    width: int
    height: int
    pix_fmt: str | None
    frame_rate: Fraction | None
    audio_codec: str | None
    sample_rate: int | None
    channels: int | None
    field_order: int = 0  # FFmpeg's AVFieldOrder: 0 unknown, 1 progressive, more: interlaced
    reorder_depth: int = 0  # frames a picture may wait for later ones (B-frames)
    audio_profile: str | None = None
    audio_layout: str | None = None


@dataclass(frozen=True)
class OutputProfile:
    """H.264 + AAC stereo 48 kHz, closed GOPs of exactly ``gop_s`` seconds.

    ``fps`` must be a whole number dividing 48000 so that one video frame holds a whole number of
    audio samples: audio then locks to video exactly at every boundary.
    """

    name: str
    width: int
    height: int
    fps: int = 30
    gop_s: int = 2
    video_bitrate: int = 3_000_000
    audio_bitrate: int = 128_000

    def __post_init__(self) -> None:
        if AUDIO_RATE_HZ % self.fps:
            raise StreamError(f"profile {self.name}: fps {self.fps} does not divide 48000")
        if self.width % 2 or self.height % 2:
            raise StreamError(f"profile {self.name}: width and height must be even")

    @property
    def frame_rate(self) -> Fraction:
        return Fraction(self.fps)

    @property
    def gop_frames(self) -> int:
        return self.fps * self.gop_s

    @property
    def samples_per_frame(self) -> int:
        return AUDIO_RATE_HZ // self.fps

    @property
    def frame_ticks(self) -> int:
        """One video frame in 90 kHz ticks."""
        return TS_CLOCK_HZ // self.fps


PROFILES: dict[str, OutputProfile] = {
    "480p": OutputProfile("480p", 854, 480, video_bitrate=1_500_000),
    "720p": OutputProfile("720p", 1280, 720, video_bitrate=3_000_000),
    "1080p": OutputProfile("1080p", 1920, 1080, video_bitrate=6_000_000),
}
COPY = "copy"
COPY_FALLBACK = "720p"


@dataclass(frozen=True, kw_only=True)
class CopyProfile(OutputProfile):
    """Stream copy of files that all share ``parameters`` (checked by ``runtime.copy.check``).

    ``width`` and ``height`` are the files'; ``fps`` is only a whole-number approximation for
    readers of a profile: the copy producer keeps the files' exact rate
    (``parameters.frame_rate``). Slates are encoded at these parameters.
    """

    parameters: CodecParameters


def copy_profile(parameters: CodecParameters) -> CopyProfile:
    rate = parameters.frame_rate or Fraction(30)
    nominal = max(1, round(rate))
    fps = nominal if AUDIO_RATE_HZ % nominal == 0 else 30
    return CopyProfile(COPY, parameters.width, parameters.height, fps=fps, parameters=parameters)


def profile_named(name: str) -> OutputProfile:
    try:
        return PROFILES[name]
    except KeyError:
        raise StreamError(
            f"unknown profile {name!r}: use one of {', '.join([*PROFILES, COPY])}"
        ) from None
