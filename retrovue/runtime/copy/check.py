"""The ``copy`` profile's precondition: every asset the channel will play has one codec setup.

The TS muxer configures its H.264 Annex B conversion and AAC headers once, from the first
programme; a later programme with other parameters is corrupted silently. So copy is allowed only
when every file matches one set of parameters; otherwise the channel is normalised (with a warning).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import av

from retrovue.runtime.playout.profiles import CodecParameters

log = logging.getLogger(__name__)


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
            field_order=ctx.field_order,
            reorder_depth=ctx.reorder_depth,
            audio_profile=audio.codec_context.profile if audio else None,
            audio_layout=audio.codec_context.layout.name if audio else None,
        )


PROGRESSIVE = 1


def copy_refusal(params: CodecParameters) -> str | None:
    """Why the runtime cannot stream-copy files of ``params`` (one line), or None when it can:
    progressive H.264 yuv420p at a known frame rate with AAC-LC audio."""
    if params.video_codec != "h264" or params.pix_fmt != "yuv420p":
        return f"video is {params.video_codec} {params.pix_fmt}, copy needs H.264 yuv420p"
    if params.field_order > PROGRESSIVE:
        return "video is interlaced"
    if not params.frame_rate or params.width % 2 or params.height % 2:
        return "video has no constant frame rate or an odd size"
    if params.audio_codec is None:
        return "no audio"
    if params.audio_codec != "aac" or params.audio_profile != "LC" or not params.sample_rate:
        return f"audio is {params.audio_codec} {params.audio_profile}, copy needs AAC-LC"
    return None


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
    refusal = copy_refusal(first)
    if refusal is not None:
        return CopyVerdict(False, f"the files share one codec setup, but {refusal}", first)
    return CopyVerdict(True, "all files share one codec setup", first)
