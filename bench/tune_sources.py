"""Sources shaped like real libraries for ``tune_e2e.py``, made by the ffmpeg CLI and cached.

Each file is just under a minute long (three 20 s segments joined by stream copy, so the GOP
structure of a real rip is kept without encoding 1080p for a minute) and carries the frame code of
:mod:`retrovue.testing.media` drawn over FFmpeg's ``testsrc2`` picture: the top band holds the
source's tag, the band below the frame number within its segment. ``read_frame_code`` on a decoded
picture then tells the programme from the slate, and which frame of the file it is.

- ``h264``: H.264 1080p30, 10 s GOPs, 3 B-frames (a film rip);
- ``hevc``: HEVC 1080p25, 250-frame GOPs (10 s), B-frames (x265's defaults);
- ``mpeg2``: MPEG-2 480i29.97 (coded as interlaced, top field first), 15-frame GOPs, AC-3 (a
  broadcast recording).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

FFMPEG = "ffmpeg"
SEGMENT_S = 20
SEGMENTS = 3
TAG_BITS, FRAME_BITS = 8, 16
BAND_FRACTION = 0.125


@dataclass(frozen=True)
class SourceKind:
    key: str
    series: str
    tag: int
    width: int
    height: int
    rate: str  # frames per second as FFmpeg reads it
    extension: str
    codec_args: tuple[str, ...]
    gop_s: float

    @property
    def duration_s(self) -> float:
        """A little under the channel's 1-minute grid, so every slot airs the file."""
        return SEGMENT_S * SEGMENTS - 0.5


SOURCES = (
    SourceKind(
        "h264", "Tune H264", 11, 1920, 1080, "30", "mkv",
        ("-c:v", "libx264", "-preset", "superfast", "-bf", "3", "-g", "300",
         "-keyint_min", "300", "-sc_threshold", "0", "-b:v", "6M",
         "-c:a", "aac", "-b:a", "160k"),
        10.0,
    ),
    SourceKind(
        "hevc", "Tune HEVC", 12, 1920, 1080, "25", "mkv",
        ("-c:v", "libx265", "-preset", "ultrafast",
         "-x265-params", "keyint=250:min-keyint=250:scenecut=0:bframes=4:log-level=error",
         "-b:v", "4M", "-c:a", "aac", "-b:a", "160k"),
        10.0,
    ),
    SourceKind(
        "mpeg2", "Tune MPEG2", 13, 720, 480, "30000/1001", "ts",
        ("-c:v", "mpeg2video", "-flags", "+ildct+ilme", "-top", "1", "-g", "15", "-bf", "2",
         "-b:v", "6M", "-maxrate", "8M", "-bufsize", "4M", "-c:a", "ac3", "-b:a", "192k"),
        0.5,
    ),
)  # fmt: skip


def code_filter(width: int, height: int, tag: int) -> str:
    """Black bands at the top, white blocks for the 1 bits: the tag, then ``n`` (frame number)."""
    band = int(height * BAND_FRACTION)
    parts = [f"drawbox=x=0:y=0:w={width}:h={2 * band}:color=black:t=fill"]
    tag_w = width // TAG_BITS
    for bit in range(TAG_BITS):
        if (tag >> (TAG_BITS - 1 - bit)) & 1:
            parts.append(f"drawbox=x={bit * tag_w}:y=0:w={tag_w}:h={band}:color=white:t=fill")
    frame_w = width // FRAME_BITS
    for bit in range(FRAME_BITS):
        power = FRAME_BITS - 1 - bit
        enable = f"gte(mod(n\\,{2 ** (power + 1)})\\,{2**power})"
        parts.append(
            f"drawbox=x={bit * frame_w}:y={band}:w={frame_w}:h={band}:color=white:t=fill"
            f":enable='{enable}'"
        )
    return ",".join(parts)


def _segment(kind: SourceKind, path: Path) -> None:
    picture = f"testsrc2=size={kind.width}x{kind.height}:rate={kind.rate}"
    tone = "sine=frequency=440:sample_rate=48000"
    video_filter = code_filter(kind.width, kind.height, kind.tag)
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", picture, "-f", "lavfi", "-i", tone, "-t", str(SEGMENT_S),
         "-vf", video_filter, "-pix_fmt", "yuv420p", *kind.codec_args,
         "-ac", "2", "-ar", "48000", str(path)],
        check=True,
    )  # fmt: skip


def make_source(kind: SourceKind, folder: Path) -> Path:
    """``folder/<series>/<series> - S01E01.<ext>``, made once and reused (the bench's cache)."""
    target = folder / kind.series / f"{kind.series} - S01E01.{kind.extension}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    segment = folder / f"segment-{kind.key}.{kind.extension}"
    _segment(kind, segment)
    listing = folder / f"segments-{kind.key}.txt"
    listing.write_text(f"file '{segment.name}'\n" * SEGMENTS)
    partial = target.with_suffix(f".partial.{kind.extension}")
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0",
         "-i", str(listing), "-t", str(kind.duration_s), "-c", "copy", str(partial)],
        check=True,
    )  # fmt: skip
    partial.rename(target)
    segment.unlink()
    listing.unlink()
    return target
