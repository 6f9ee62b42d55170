"""Shared by the stream benchmarks: a realistic source file (made once with the ffmpeg CLI).

1280x720 H.264 High at 29.97 fps with B-frames and a 48-frame GOP, AAC stereo 48 kHz, in
Matroska (the container with the dts-None trap), cached in the system temp folder.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

FFMPEG = "ffmpeg"


def source_file(duration_s: int = 150, size: str = "1280x720") -> Path:
    folder = Path(tempfile.gettempdir()) / "retrovue-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"source-{size}-{duration_s}s.mkv"
    if path.exists():
        return path
    partial = path.with_suffix(".part.mkv")
    command = [
        FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=30000/1001",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", str(duration_s),
        "-c:v", "libx264", "-preset", "veryfast", "-g", "48", "-bf", "2", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "2", "-b:a", "128k",
        str(partial),
    ]  # fmt: skip
    subprocess.run(command, check=True)
    os.replace(partial, path)
    return path


def ffmpeg_transcode_args(
    source: Path, *, offset_s: float, preset: str, duration_s: float | None = None
) -> list[str]:
    """The ffmpeg CLI doing the producer's work: 720p30, 2 s closed GOP, AAC 48 kHz, MPEG-TS."""
    args = [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin"]
    if offset_s:
        args += ["-ss", f"{offset_s:.3f}"]
    args += ["-i", str(source)]
    if duration_s is not None:
        args += ["-t", f"{duration_s:.3f}"]
    args += [
        "-vf", "scale=1280:720:force_original_aspect_ratio=decrease,"
               "pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30",
        "-c:v", "libx264", "-preset", preset, "-g", "60", "-keyint_min", "60",
        "-sc_threshold", "0", "-crf", "23", "-maxrate", "3000000", "-bufsize", "6000000",
        "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
        "-f", "mpegts", "-",
    ]  # fmt: skip
    return args
