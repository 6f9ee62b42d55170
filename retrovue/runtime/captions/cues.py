"""A programme's subtitles as timed text: sidecar files through pysubs2 (SubRip, ASS/SSA,
WebVTT), embedded text tracks through FFmpeg's decoders (SubRip, ASS, mov_text, WebVTT).

Styling is dropped (ASS override tags, ``<i>``), line breaks kept; drawings and comments are
left out. Times are milliseconds of the file, as the subtitles give them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import av
import pysubs2

from retrovue.runtime.captions.schedule import Cue
from retrovue.runtime.playout.captions import CaptionTrack

log = logging.getLogger(__name__)

MAX_CUE_MS = 30_000  # a cue without an end (or a runaway one) shows at most this long
_ENCODINGS = ("utf-8-sig", "cp1252")  # cp1252 decodes any byte: the last resort


class CaptionLoadError(Exception):
    """The subtitles of a track could not be read (the programme airs without captions)."""


def load_cues(media_path: str, track: CaptionTrack) -> list[Cue]:
    """The cues of ``track`` (a sidecar file or an embedded stream of ``media_path``)."""
    try:
        if track.kind == "sidecar" and track.path is not None:
            return sidecar_cues(Path(track.path))
        if track.kind == "embedded" and track.stream_index is not None:
            return embedded_cues(media_path, track.stream_index)
    except (OSError, av.FFmpegError, pysubs2.Pysubs2Error, ValueError, UnicodeError) as err:
        raise CaptionLoadError(f"cannot read the captions of {media_path}: {err}") from err
    return []


def sidecar_cues(path: Path) -> list[Cue]:
    raw = path.read_bytes()
    for encoding in _ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    subs = pysubs2.SSAFile.from_string(text, format_=_format_of(path))
    return [
        Cue(event.start, _end(event.start, event.end), event.plaintext)
        for event in subs.events
        if not event.is_comment and not event.is_drawing and event.plaintext.strip()
    ]


def _format_of(path: Path) -> str | None:
    return {".srt": "srt", ".ass": "ass", ".ssa": "ssa", ".vtt": "vtt"}.get(path.suffix.lower())


def _end(start_ms: int, end_ms: int) -> int:
    return end_ms if start_ms < end_ms <= start_ms + MAX_CUE_MS else start_ms + MAX_CUE_MS


def embedded_cues(media_path: str, stream_index: int) -> list[Cue]:
    """Decode every packet of the text subtitle stream ``stream_index`` (the file is read to
    its end, since subtitle packets are interleaved with the pictures)."""
    cues: list[Cue] = []
    with av.open(media_path, "r", timeout=10.0) as container:
        stream = container.streams[stream_index]
        if stream.type != "subtitle":
            raise ValueError(f"stream {stream_index} is not a subtitle stream")
        origin = _origin_s(container)
        for packet in container.demux(stream):
            cue = _packet_cue(stream, packet, origin)
            if cue is not None:
                cues.append(cue)
    return cues


def _origin_s(container: Any) -> float:
    """Positions count from the video stream's start, as the engines' do."""
    video = container.streams.video[0] if container.streams.video else None
    if video is None or video.start_time is None:
        return 0.0
    return float(video.start_time * video.time_base)


def _packet_cue(stream: Any, packet: Any, origin_s: float) -> Cue | None:
    if packet.pts is None or packet.size == 0:
        return None
    subtitles = stream.codec_context.decode2(packet)
    if subtitles is None:
        return None
    texts = [_text(rect) for rect in subtitles]
    text = "\n".join(t for t in texts if t)
    if not text.strip():
        return None
    start_s = float(packet.pts * packet.time_base) - origin_s
    start_ms = round(start_s * 1000) + int(subtitles.start_display_time)
    if packet.duration:
        end_ms = round((start_s + float(packet.duration * packet.time_base)) * 1000)
    else:
        end_ms = round(start_s * 1000) + int(subtitles.end_display_time)
    return Cue(start_ms, _end(start_ms, end_ms), text)


def _text(rect: Any) -> str:
    """The plain text of one decoded subtitle rectangle (FFmpeg gives ASS dialogue)."""
    kind = getattr(rect, "type", b"")
    if kind not in (b"ass", b"text"):
        return ""  # a picture (PGS, VobSub): not text
    raw = rect.dialogue if kind == b"ass" else rect.text
    return str(pysubs2.SSAEvent(text=raw.decode("utf-8", "replace")).plaintext).strip()
