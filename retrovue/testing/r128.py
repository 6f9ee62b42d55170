"""FFmpeg's own EBU R128 meter, through the ffmpeg command line: the reference the tests and
benchmarks compare RetroVue's measurements and output against."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_SUMMARY = re.compile(r"Summary:.*?I:\s+(-?[\d.]+|-inf) LUFS.*?Peak:\s+(-?[\d.]+|-inf) dBFS", re.S)


@dataclass(frozen=True)
class Reference:
    integrated_lufs: float
    true_peak_dbtp: float


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def ffmpeg_r128(
    path: Path, *, start_s: float | None = None, duration_s: float | None = None
) -> Reference:
    """Integrated loudness and true peak of ``path`` (or of the span ``start_s`` +
    ``duration_s``) as ``ffmpeg -filter_complex ebur128=peak=true`` reports them."""
    cut: list[str] = []
    if start_s is not None:
        cut += ["-ss", f"{start_s:.3f}"]
    if duration_s is not None:
        cut += ["-t", f"{duration_s:.3f}"]
    command = [
        "ffmpeg", "-nostdin", "-hide_banner", "-nostats", *cut, "-i", str(path),
        "-map", "0:a:0", "-af", "ebur128=peak=true", "-f", "null", "-",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = _SUMMARY.findall(done.stderr)
    if not found:
        raise ValueError(f"no ebur128 summary from ffmpeg for {path}")
    integrated, peak = found[-1]  # some builds print a first, empty summary
    return Reference(float(integrated), float(peak))
