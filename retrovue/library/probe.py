"""Probe media files with PyAV, in-process: the technical facts the scheduler and runtime need.

:func:`probe_file` opens the container once (no subprocess), reads the stream parameters and the
chapters, and closes it. Anything that is not playable media (empty, text, truncated, no streams,
no duration) raises :class:`ProbeError` with a one-line reason.

A file can also lie about its length: a partial download of a Matroska or MP4 file keeps the header
that names the full duration while its packets stop early. The probe seeks to the last seconds the
header claims and reads the packets there (:func:`content_end_ms`); content that ends more than
:data:`LENGTH_TOLERANCE_MS` (or 2 %) short of the claim is refused, and the reason says how long the
file really is and what its header claims.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from retrovue.errors import ProbeError

# FFmpeg's AVFieldOrder, as PyAV reports it on the codec context
FIELD_ORDERS = {0: "unknown", 1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}
_OPEN_OPTIONS = {"probesize": "5000000", "analyzeduration": "5000000"}
LENGTH_TOLERANCE_MS = 1500  # content may end this much (or 2 %) before the claimed duration
TAIL_WINDOW_MS = 5000  # how far before the claimed end the length check seeks
CAPTION_CODECS = ("h264", "mpeg2video")  # whose decoders export A/53 captions
CAPTION_PROBE_PACKETS = 30  # video packets looked into for them
A53_MARKER = b"GA94\x03"  # ATSC user data identifier + cc_data type


class MediaProbeError(ProbeError):
    """A file is not playable media; ``reason`` is the message without the file name."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class AudioTrack:
    index: int
    codec: str
    channels: int
    sample_rate: int
    language: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "codec": self.codec,
            "channels": self.channels,
            "sample_rate": self.sample_rate,
            "language": self.language,
        }


@dataclass(frozen=True)
class SubtitleTrack:
    index: int
    codec: str
    language: str | None
    forced: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index, "codec": self.codec, "language": self.language,
            "forced": self.forced,
        }  # fmt: skip


@dataclass(frozen=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str | None


@dataclass(frozen=True)
class ProbeResult:
    duration_ms: int
    container: str
    video_codec: str | None
    width: int | None
    height: int | None
    sample_aspect_ratio: str | None  # "4:3"; None when unknown
    frame_rate: float | None
    field_order: str | None  # progressive, tt, bb, tb, bt, unknown
    interlaced: bool | None
    audio_tracks: tuple[AudioTrack, ...]
    subtitle_tracks: tuple[SubtitleTrack, ...]
    chapters: tuple[Chapter, ...]
    file_size: int
    pix_fmt: str | None = None
    frame_rate_exact: str | None = None  # "30000/1001": exact, for comparisons
    video_profile: str | None = None
    bit_rate: int | None = None  # container bit rate, bits per second
    closed_captions: bool = False  # CEA-608/708 in the pictures (A/53 side data)

    def video_details(self) -> dict[str, Any]:
        return {
            "pix_fmt": self.pix_fmt,
            "frame_rate": self.frame_rate_exact,
            "field_order": self.field_order,
            "profile": self.video_profile,
            "bit_rate": self.bit_rate,
            "closed_captions": self.closed_captions,
        }


def probe_file(path: Path, *, check_length: bool = True) -> ProbeResult:
    """Probe ``path``; raise :class:`ProbeError` naming the reason when it is not playable media.

    ``check_length=False`` skips the read of the last packets (benchmarks measure its cost)."""
    size = _file_size(path)
    try:
        container = av.open(str(path), options=_OPEN_OPTIONS)
    except av.FFmpegError as err:
        raise MediaProbeError(path, f"not readable media ({_ffmpeg_reason(err)})") from err
    try:
        result = _describe(container, path, size)
        if result.video_codec in CAPTION_CODECS:
            result = replace(result, closed_captions=has_closed_captions(container))
        if check_length:
            _check_length(container, path, result.duration_ms)
        return result
    except av.FFmpegError as err:
        raise MediaProbeError(path, f"probe failed ({_ffmpeg_reason(err)})") from err
    finally:
        container.close()


def has_closed_captions(container: Any) -> bool:
    """Whether the first video packets carry ATSC A/53 caption data: the ``GA94`` user data
    (type 3) that H.264 SEI and MPEG-2 picture user data hold it in, found in the packet bytes
    without decoding (it is never compressed, and no emulation-prevention byte can split it).
    Captioned broadcasts carry it in every picture."""
    video = container.streams.video[0]
    try:
        for index, packet in enumerate(container.demux(video)):
            if A53_MARKER in bytes(packet):
                return True
            if index + 1 >= CAPTION_PROBE_PACKETS:
                break
    except av.FFmpegError:
        return False
    finally:
        with contextlib.suppress(av.FFmpegError, OSError):
            container.seek(0)
    return False


def _file_size(path: Path) -> int:
    try:
        stat = os.stat(path)
    except OSError as err:
        raise MediaProbeError(path, f"cannot read ({err.strerror})") from err
    if stat.st_size == 0:
        raise MediaProbeError(path, "empty file (0 bytes)")
    return stat.st_size


def _ffmpeg_reason(err: Exception) -> str:
    text = getattr(err, "strerror", None) or str(err)
    return str(text).splitlines()[0].strip() or type(err).__name__


def _describe(container: Any, path: Path, size: int) -> ProbeResult:
    video = container.streams.video[0] if container.streams.video else None
    audio = tuple(_audio_track(s) for s in container.streams.audio)
    if video is None and not audio:
        raise MediaProbeError(path, "no video or audio streams")
    duration_ms = _duration_ms(container, video)
    if duration_ms <= 0:
        raise MediaProbeError(path, "no duration (truncated or still being written?)")
    field_order = _field_order(video)
    return ProbeResult(
        duration_ms=duration_ms,
        container=str(container.format.name),
        video_codec=video.codec_context.name if video is not None else None,
        width=video.codec_context.width or None if video is not None else None,
        height=video.codec_context.height or None if video is not None else None,
        sample_aspect_ratio=_sar(video),
        frame_rate=_frame_rate(video),
        field_order=field_order,
        interlaced=None if field_order in (None, "unknown") else field_order != "progressive",
        audio_tracks=audio,
        subtitle_tracks=tuple(_subtitle_track(s) for s in container.streams.subtitles),
        chapters=_chapters(container, duration_ms),
        file_size=size,
        pix_fmt=_pix_fmt(video),
        frame_rate_exact=_exact_rate(video),
        video_profile=_profile(video),
        bit_rate=int(container.bit_rate) if container.bit_rate else None,
    )


def _duration_ms(container: Any, video: Any) -> int:
    if container.duration is not None and container.duration > 0:
        return int(container.duration * 1000 // av.time_base)
    if video is not None and video.duration and video.time_base:
        return int(video.duration * video.time_base * 1000)
    return 0


def _check_length(container: Any, path: Path, claimed_ms: int) -> None:
    real_ms = content_end_ms(container, claimed_ms)
    if real_ms is None:
        return
    if claimed_ms - real_ms > max(LENGTH_TOLERANCE_MS, claimed_ms // 50):
        raise MediaProbeError(
            path,
            f"truncated: the content lasts {clock_text(real_ms)} but the header claims "
            f"{clock_text(claimed_ms)} (a partial download?)",
        )


def content_end_ms(container: Any, claimed_ms: int) -> int | None:
    """Where the audio and video packets really end (ms from the start), read from the tail.

    Seeks to :data:`TAIL_WINDOW_MS` before the claimed end (landing on the keyframe before it)
    and demuxes to the end of the data; None when the container cannot seek at all. A truncated
    file ends in a damaged packet: reading stops there.
    """
    streams = [*container.streams.video[:1], *container.streams.audio]
    start_ms = int(container.start_time * 1000 // av.time_base) if container.start_time else 0
    target = max(0, (start_ms + claimed_ms - TAIL_WINDOW_MS) * av.time_base // 1000)
    end_ms = _packets_end_ms(container, streams, target)
    if end_ms == 0 and target > 0:  # the seek went past the data: read it from the start
        end_ms = _packets_end_ms(container, streams, 0)
    return None if end_ms is None else max(0, int(end_ms) - start_ms)


def _packets_end_ms(container: Any, streams: list[Any], target: int) -> float | None:
    try:
        container.seek(target, backward=True, any_frame=False)
    except (av.FFmpegError, OSError):
        return None
    end_ms = 0.0
    try:
        for packet in container.demux(streams):
            if packet.pts is not None and packet.time_base is not None:
                end = (packet.pts + (packet.duration or 0)) * packet.time_base
                end_ms = max(end_ms, float(end) * 1000)
    except av.FFmpegError:
        pass  # the damaged tail of a truncated file: the packets before it count
    return end_ms


def clock_text(duration_ms: int) -> str:
    """``1:02:03.4`` or ``2:03.4``: a length as an operator reads it."""
    minutes, tenths = divmod(duration_ms // 100, 600)
    hours, minutes = divmod(minutes, 60)
    seconds = f"{tenths // 10:02d}.{tenths % 10}"
    return f"{hours}:{minutes:02d}:{seconds}" if hours else f"{minutes}:{seconds}"


def _sar(video: Any) -> str | None:
    if video is None:
        return None
    sar = video.codec_context.sample_aspect_ratio or video.sample_aspect_ratio
    if not sar or sar.numerator <= 0:
        return None
    return f"{sar.numerator}:{sar.denominator}"


def _frame_rate(video: Any) -> float | None:
    if video is None:
        return None
    rate = video.average_rate or video.guessed_rate or video.base_rate
    if not rate or rate <= 0:
        return None
    return round(float(Fraction(rate)), 3)


def _exact_rate(video: Any) -> str | None:
    if video is None:
        return None
    rate = video.average_rate or video.guessed_rate or video.base_rate
    if not rate or rate <= 0:
        return None
    exact = Fraction(rate)
    return f"{exact.numerator}/{exact.denominator}"


def _profile(video: Any) -> str | None:
    profile = video.codec_context.profile if video is not None else None
    return str(profile) if profile else None


def _pix_fmt(video: Any) -> str | None:
    if video is None:
        return None
    name = video.codec_context.pix_fmt
    return str(name) if name else None


def _field_order(video: Any) -> str | None:
    if video is None:
        return None
    return FIELD_ORDERS.get(int(video.codec_context.field_order or 0), "unknown")


def _language(stream: Any) -> str | None:
    language = stream.metadata.get("language")
    if not language or language == "und":
        return None
    return str(language)


def _audio_track(stream: Any) -> AudioTrack:
    ctx = stream.codec_context
    channels = ctx.layout.nb_channels if ctx.layout is not None else getattr(ctx, "channels", 0)
    return AudioTrack(
        index=int(stream.index),
        codec=str(ctx.name),
        channels=int(channels or 0),
        sample_rate=int(ctx.sample_rate or 0),
        language=_language(stream),
    )


def _subtitle_track(stream: Any) -> SubtitleTrack:
    return SubtitleTrack(
        index=int(stream.index),
        codec=str(stream.codec_context.name),
        language=_language(stream),
        forced=bool(stream.disposition & av.stream.Disposition.forced),
    )


def _chapters(container: Any, duration_ms: int) -> tuple[Chapter, ...]:
    chapters = []
    for raw in container.chapters():
        base = raw["time_base"]
        start_ms = max(0, int(raw["start"] * base * 1000))
        end_ms = min(duration_ms, max(start_ms, int(raw["end"] * base * 1000)))
        title = raw.get("metadata", {}).get("title") or None
        chapters.append(Chapter(start_ms=start_ms, end_ms=end_ms, title=title))
    return tuple(chapters)
