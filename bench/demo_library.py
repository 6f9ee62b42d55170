"""How long the demo library takes to make, next to the ffmpeg CLI making the same cards.

Both make every file of the demo library (same sizes, frame rate, durations; H.264 ultrafast +
AAC with the fast coder at 48 kb/s),
two at a time on this machine's cores. ffmpeg draws its bars with ``smptebars`` and no text (its
``drawtext`` needs fonts); RetroVue draws bars, title and a running clock with its own font.

    python bench/demo_library.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from retrovue.demo.library import demo_files, ensure_demo_library


def _ffmpeg_card(path: Path, seconds: float, width: int, height: int, fps: int, hz: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"smptebars=size={width}x{height}:rate={fps}:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency={hz}:sample_rate=48000:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage", "-crf", "30",
         "-g", str(fps * 2), "-pix_fmt", "yuv420p", "-c:a", "aac", "-aac_coder", "fast",
         "-b:a", "48k", "-ac", "1", str(path)],
        check=True,
    )  # fmt: skip


def run_ffmpeg(root: Path, workers: int) -> float:
    jobs = [(root / f.relative_path, f.card) for f in demo_files()]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda job: _ffmpeg_card(
            job[0], job[1].duration_s, job[1].width, job[1].height, job[1].fps, job[1].tone_hz
        ), jobs))  # fmt: skip
    return time.perf_counter() - start


def run_retrovue(root: Path, workers: int) -> float:
    start = time.perf_counter()
    ensure_demo_library(root, workers=workers)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    media_s = sum(f.card.duration_s for f in demo_files())
    print(f"demo library: {len(demo_files())} files, {media_s / 60:.1f} media minutes, "
          f"{args.workers} workers, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        ours = run_retrovue(Path(folder) / "retrovue", args.workers)
        theirs = run_ffmpeg(Path(folder) / "ffmpeg", args.workers)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'maker':<22}{'wall s':>10}{'x real time':>14}")
    for name, seconds in (("retrovue (PyAV)", ours), ("ffmpeg CLI reference", theirs)):
        print(f"{name:<22}{seconds:>10.1f}{media_s / seconds:>14.0f}")


if __name__ == "__main__":
    main()
