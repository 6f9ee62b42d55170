"""Loudness measurement cost: RetroVue's in-process meter vs the ffmpeg command line.

Generates one programme-like file with the ffmpeg CLI (H.264 video + stereo AAC tone), then
measures its EBU R128 integrated loudness and true peak with RetroVue's ingest meter
(``retrovue.library.loudness.measure_loudness``: PyAV, ``ebur128=peak=true``) and with
``ffmpeg -af ebur128=peak=true -f null -``, interleaved over a few rounds, and prints the seconds of
work per hour of media and the readings side by side; then the CPU cost of applying the gain
on air. Usage::

    .venv/bin/python bench/loudness_measure.py [--minutes 5] [--rounds 3] [--size 854x480]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from retrovue.library.loudness import measure_loudness
from retrovue.runtime.encode.source import fade, silence
from retrovue.runtime.playout.profiles import AUDIO_RATE_HZ
from retrovue.testing.r128 import ffmpeg_r128


def make_programme(path: Path, minutes: float, size: str) -> Path:
    seconds = f"{minutes * 60:.0f}"
    subprocess.run(
        [
            "ffmpeg", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", seconds, "-ac", "2", "-c:v", "libx264", "-preset", "ultrafast",
            "-c:a", "aac", "-b:a", "192k", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def timed(method: Callable[[Path], str], path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    reading = method(path)
    return time.perf_counter() - start, reading


def retrovue_meter(path: Path) -> str:
    found = measure_loudness(path)
    return f"{found.integrated_lufs} LUFS, {found.true_peak_dbtp} dBTP"


def ffmpeg_cli(path: Path) -> str:
    found = ffmpeg_r128(path)
    return f"{found.integrated_lufs} LUFS, {found.true_peak_dbtp} dBTP"


def gain_cost_ms_per_s(seconds: int = 60, fps: int = 30) -> float:
    """CPU time of the on-air loudness gain (``fade`` with a constant gain) per second of audio:
    one output frame's stereo audio at a time, as the encode engine applies it."""
    frames = [silence(AUDIO_RATE_HZ // fps) for _ in range(fps)]
    start = time.perf_counter()
    for _ in range(seconds):
        for frame in frames:
            fade([frame], 0.5, 0.5)
    return (time.perf_counter() - start) * 1000 / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--size", default="854x480")
    args = parser.parse_args()
    methods = {"retrovue (PyAV, in-process)": retrovue_meter, "ffmpeg CLI": ffmpeg_cli}
    with tempfile.TemporaryDirectory() as tmp:
        path = make_programme(Path(tmp) / "programme.mp4", args.minutes, args.size)
        path.read_bytes()  # warm the page cache
        times: dict[str, list[float]] = {name: [] for name in methods}
        readings: dict[str, str] = {}
        for _ in range(args.rounds):  # interleaved, so both see the same machine load
            for name, method in methods.items():
                elapsed, readings[name] = timed(method, path)
                times[name].append(elapsed)
    hours = args.minutes / 60
    print(f"file: {args.minutes:g} min, {args.size} H.264 + stereo AAC; rounds: {args.rounds}")
    print(f"{'method':30} {'median s':>9} {'s per media hour':>17} {'x realtime':>11}  reading")
    for name, values in times.items():
        median = statistics.median(values)
        realtime = args.minutes * 60 / median
        print(f"{name:30} {median:9.2f} {median / hours:17.1f} {realtime:11.0f}  {readings[name]}")
    print(f"on-air gain (30 fps, stereo 48 kHz): {gain_cost_ms_per_s():.1f} ms CPU per second")


if __name__ == "__main__":
    main()
