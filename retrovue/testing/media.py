"""Small real media files made with PyAV, for tests, benchmarks and the demo station.

Every video frame carries a machine-readable code: the top band encodes ``tag`` (8 bits) and the
band below the frame number (16 bits), as black and white blocks that survive scaling and lossy
encoding. :func:`read_frame_code` decodes them again, so a test can tell which file and which frame
a decoded picture came from. Audio is a sine tone whose frequency is given per track.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

TAG_BITS = 8
FRAME_BITS = 16
CODE_BANDS = 2
BAND_FRACTION = 0.125  # each code band is 1/8 of the picture height
DEFAULT_AMPLITUDE = 8000


@dataclass(frozen=True)
class AudioSpec:
    codec: str = "aac"
    sample_rate: int = 48000
    layout: str = "stereo"
    language: str | None = None
    tone_hz: float = 440.0
    peak_dbfs: float | None = None  # the tone's peak level; None: 8000/32768 (about -12 dBFS)
    silent: bool = False  # digital silence instead of the tone

    @property
    def amplitude(self) -> int:
        if self.silent:
            return 0
        if self.peak_dbfs is None:
            return DEFAULT_AMPLITUDE
        return min(32767, round(32767 * 10 ** (self.peak_dbfs / 20)))


@dataclass(frozen=True)
class ChapterSpec:
    start_s: float
    end_s: float
    title: str


@dataclass(frozen=True)
class MediaSpec:
    duration_s: float = 2.0
    width: int = 320
    height: int = 240
    fps: Fraction = Fraction(25)
    video_codec: str | None = "h264"
    pix_fmt: str = "yuv420p"
    gop: int = 25
    max_b_frames: int = 0
    interlaced: bool = False
    sample_aspect_ratio: Fraction | None = None
    audio: Sequence[AudioSpec] = (AudioSpec(),)
    chapters: Sequence[ChapterSpec] = ()
    tag: int = 1
    title: str | None = None
    extra_options: dict[str, str] = field(default_factory=dict)


def _video_stream(container: Any, spec: MediaSpec) -> Any:
    stream = container.add_stream(spec.video_codec, rate=spec.fps)
    stream.width = spec.width
    stream.height = spec.height
    stream.pix_fmt = spec.pix_fmt
    ctx = stream.codec_context
    ctx.gop_size = spec.gop
    ctx.max_b_frames = spec.max_b_frames
    options = dict(spec.extra_options)
    if spec.video_codec in ("libx264", "h264"):
        options.setdefault("preset", "ultrafast" if spec.max_b_frames == 0 else "veryfast")
        options.setdefault("bf", str(spec.max_b_frames))
        if spec.interlaced:
            options.setdefault("x264-params", "interlaced=1:tff=1")
    if spec.interlaced and spec.video_codec in ("mpeg2video", "mpeg4"):
        options.setdefault("flags", "+ildct+ilme")
        options.setdefault("top", "1")
    if spec.sample_aspect_ratio is not None:
        ctx.sample_aspect_ratio = spec.sample_aspect_ratio
    ctx.options = options
    return stream


def _audio_stream(container: Any, audio: AudioSpec) -> Any:
    stream = container.add_stream(audio.codec, rate=audio.sample_rate)
    stream.layout = audio.layout
    if audio.language:
        stream.metadata["language"] = audio.language
    return stream


def _code_rows(spec: MediaSpec, value: int, bits: int) -> bytes:
    """One luma row: ``bits`` blocks, white for 1 and black for 0, most significant first."""
    row = bytearray(spec.width)
    for x in range(spec.width):
        bit = bits - 1 - (x * bits // spec.width)
        row[x] = 235 if (value >> bit) & 1 else 16
    return bytes(row)


def _luma_plane(spec: MediaSpec, frame_index: int) -> bytes:
    band_h = max(2, int(spec.height * BAND_FRACTION))
    tag_row = _code_rows(spec, spec.tag, TAG_BITS)
    frame_row = _code_rows(spec, frame_index % (1 << FRAME_BITS), FRAME_BITS)
    grey = (frame_index * 3) % 160 + 48
    body = bytes([grey]) * spec.width
    rows = [tag_row] * band_h + [frame_row] * band_h + [body] * (spec.height - 2 * band_h)
    return b"".join(rows)


def _video_frame(spec: MediaSpec, frame_index: int) -> av.VideoFrame:
    frame = av.VideoFrame(spec.width, spec.height, "yuv420p")
    luma = _luma_plane(spec, frame_index)
    _fill_plane(frame.planes[0], luma, spec.width, spec.height)
    chroma_w, chroma_h = (spec.width + 1) // 2, (spec.height + 1) // 2
    for plane in frame.planes[1:]:
        _fill_plane(plane, bytes([128]) * (chroma_w * chroma_h), chroma_w, chroma_h)
    if spec.pix_fmt != "yuv420p":
        frame = frame.reformat(format=spec.pix_fmt)
    return frame


def _fill_plane(plane: Any, data: bytes, width: int, height: int) -> None:
    stride = plane.line_size
    if stride == width:
        plane.update(data)
        return
    padded = bytearray(stride * height)
    for y in range(height):
        padded[y * stride : y * stride + width] = data[y * width : (y + 1) * width]
    plane.update(bytes(padded))


def _audio_frames(audio: AudioSpec, duration_s: float) -> list[av.AudioFrame]:
    channels = av.AudioLayout(audio.layout).nb_channels
    total = round(duration_s * audio.sample_rate)
    frames = []
    chunk = 1024
    amplitude = audio.amplitude
    for start in range(0, total, chunk):
        count = min(chunk, total - start)
        samples = [
            int(amplitude * math.sin(2 * math.pi * audio.tone_hz * (start + i) / audio.sample_rate))
            for i in range(count)
        ]
        interleaved = struct.pack(
            f"<{count * channels}h", *(s for s in samples for _ in range(channels))
        )
        frame = av.AudioFrame(format="s16", layout=audio.layout, samples=count)
        frame.planes[0].update(interleaved + bytes(frame.planes[0].buffer_size - len(interleaved)))
        frame.sample_rate = audio.sample_rate
        frame.pts = start
        frame.time_base = Fraction(1, audio.sample_rate)
        frames.append(frame)
    return frames


def _encode_audio(container: Any, stream: Any, audio: AudioSpec, duration_s: float) -> None:
    resampler = av.AudioResampler(
        format=stream.codec_context.format.name if stream.codec_context.format else "fltp",
        layout=audio.layout,
        rate=audio.sample_rate,
        frame_size=stream.codec_context.frame_size or None,
    )
    for frame in _audio_frames(audio, duration_s):
        for out in resampler.resample(frame):
            container.mux(stream.encode(out))
    for out in resampler.resample(None):
        container.mux(stream.encode(out))
    container.mux(stream.encode(None))


def make_media(path: Path, spec: MediaSpec | None = None) -> Path:
    """Write ``path`` (the container follows the extension) from ``spec``; return the path."""
    spec = spec or MediaSpec()
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        if spec.title:
            container.metadata["title"] = spec.title
        video = _video_stream(container, spec) if spec.video_codec else None
        audio_streams = [(_audio_stream(container, a), a) for a in spec.audio]
        if spec.chapters:
            container.set_chapters(
                [
                    {
                        "id": index + 1,
                        "start": int(ch.start_s * 1000),
                        "end": int(ch.end_s * 1000),
                        "time_base": Fraction(1, 1000),
                        "metadata": {"title": ch.title},
                    }
                    for index, ch in enumerate(spec.chapters)
                ]
            )
        if video is not None:
            frame_count = round(spec.duration_s * spec.fps)
            for index in range(frame_count):
                frame = _video_frame(spec, index)
                frame.pts = index
                frame.time_base = 1 / spec.fps
                container.mux(video.encode(frame))
            container.mux(video.encode(None))
        for stream, audio in audio_streams:
            _encode_audio(container, stream, audio, spec.duration_s)
    return path


def read_frame_code(frame: av.VideoFrame) -> tuple[int, int]:
    """Return ``(tag, frame_index)`` read back from a decoded frame made by :func:`make_media`.

    The frame may have been scaled or padded vertically/horizontally only if the code bands stay in
    the top quarter of the picture; pass the picture area (crop letterboxing) when in doubt.
    """
    gray = frame.reformat(format="gray")
    plane = gray.planes[0]
    width, height, stride = gray.width, gray.height, plane.line_size
    data = bytes(plane)
    band_h = max(2, int(height * BAND_FRACTION))

    def read(bits: int, row: int) -> int:
        value = 0
        for bit in range(bits):
            x = int((bit + 0.5) * width / bits)
            value = (value << 1) | (1 if data[row * stride + x] > 125 else 0)
        return value

    return read(TAG_BITS, band_h // 2), read(FRAME_BITS, band_h + band_h // 2)


def write_corrupt_files(folder: Path) -> dict[str, Path]:
    """Bad inputs every importer and producer must survive: empty, text, truncated."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.mkv"
    empty.write_bytes(b"")
    text = folder / "notes.mkv"
    text.write_text("this is not a video\n" * 20)
    good = make_media(folder / "whole.mp4", MediaSpec(duration_s=2.0))
    truncated = folder / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    good.unlink()
    return {"empty": empty, "text": text, "truncated": truncated}
