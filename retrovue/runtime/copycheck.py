"""The ``copy`` profile's precondition: every asset the channel will play has one codec setup.

The TS muxer configures its H.264 Annex B conversion and AAC headers once, from the first
programme; a later programme with other parameters is corrupted silently. So copy is allowed only
when every file matches one set of parameters; otherwise the channel is normalised (with a warning).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import av

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class CopyVerdict:
    ok: bool
    reason: str
    parameters: CodecParameters | None = None


def codec_parameters(path: str) -> CodecParameters:
    """Probe ``path`` (raises ``av.FFmpegError`` or ``OSError`` when it cannot be read)."""
    with av.open(path) as container:
        if not container.streams.video:
            raise ValueError(f"{path}: no video stream")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        ctx = video.codec_context
        return CodecParameters(
            video_codec=ctx.name,
            width=ctx.width,
            height=ctx.height,
            pix_fmt=ctx.pix_fmt,
            frame_rate=video.average_rate,
            audio_codec=audio.codec_context.name if audio else None,
            sample_rate=audio.codec_context.sample_rate if audio else None,
            channels=audio.codec_context.channels if audio else None,
        )


def check_copy(paths: Iterable[str]) -> CopyVerdict:
    """Whether every file in ``paths`` can be stream-copied into one continuous TS."""
    first: CodecParameters | None = None
    first_path = ""
    for path in dict.fromkeys(paths):
        try:
            params = codec_parameters(path)
        except (OSError, ValueError, av.FFmpegError) as err:
            return CopyVerdict(False, f"{path} cannot be probed ({err})")
        if first is None:
            first, first_path = params, path
        elif params != first:
            return CopyVerdict(False, f"{path} differs from {first_path}: {params} vs {first}")
    if first is None:
        return CopyVerdict(False, "no files to check")
    return CopyVerdict(True, "all files share one codec setup", first)
