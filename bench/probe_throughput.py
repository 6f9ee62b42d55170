"""Probe throughput: RetroVue's in-process PyAV probe vs ``ffprobe`` run once per file.

Generates a small library (several containers and codecs, 1-2 s files) in a temporary folder,
warms the page cache, then probes every file with each method (RetroVue's probe, the same without
its check of the last packets' timestamps, and ffprobe) and prints files per second side by side.
Usage::

    /work/venv/bin/python bench/probe_throughput.py [--files 60] [--rounds 3] [--duration-s 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from retrovue.library.probe import probe_file
from retrovue.testing.media import AudioSpec, ChapterSpec, MediaSpec, make_media

SPECS: list[tuple[str, MediaSpec]] = [
    (
        "mkv",
        MediaSpec(
            duration_s=2.0,
            width=320,
            height=240,
            audio=(AudioSpec(language="eng"), AudioSpec(codec="ac3", language="fra")),
            chapters=(ChapterSpec(0, 1, "A"), ChapterSpec(1, 2, "B")),
        ),
    ),
    ("mp4", MediaSpec(duration_s=2.0, width=320, height=240)),
    (
        "ts",
        MediaSpec(
            duration_s=2.0,
            width=352,
            height=240,
            video_codec="mpeg2video",
            interlaced=True,
            sample_aspect_ratio=Fraction(10, 11),
            audio=(AudioSpec(codec="mp2"),),
        ),
    ),
    (
        "avi",
        MediaSpec(
            duration_s=2.0,
            width=320,
            height=240,
            video_codec="mpeg4",
            audio=(AudioSpec(codec="mp3"),),
        ),
    ),
]


def make_library(folder: Path, count: int, duration_s: float) -> list[Path]:
    templates = [
        make_media(folder / f"template.{ext}", replace(spec, duration_s=duration_s))
        for ext, spec in SPECS
    ]
    files = []
    for index in range(count):
        template = templates[index % len(templates)]
        target = folder / f"file{index:04d}{template.suffix}"
        target.write_bytes(template.read_bytes())
        files.append(target)
    for template in templates:
        template.unlink()
    return files


def pyav_probe(path: Path) -> None:
    probe_file(path)


def pyav_probe_header_only(path: Path) -> None:
    probe_file(path, check_length=False)


def ffprobe(path: Path) -> None:
    subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def files_per_s(method: Callable[[Path], None], files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        method(path)
    return len(files) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration-s", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_library(Path(tmp), args.files, args.duration_s)
        for path in files:  # warm the page cache for both methods
            path.read_bytes()
        methods = {
            "retrovue (PyAV, in-process)": pyav_probe,
            "retrovue without length check": pyav_probe_header_only,
            "ffprobe": ffprobe,
        }
        results: dict[str, list[float]] = {name: [] for name in methods}
        for _ in range(args.rounds):  # interleaved, so all see the same machine load
            for name, method in methods.items():
                results[name].append(files_per_s(method, files))
    print(
        f"files: {args.files} (mkv/mp4/ts/avi, {args.duration_s:g} s each), rounds: {args.rounds}"
    )
    print(f"{'method':32} {'median files/s':>15} {'best':>10}")
    medians = {}
    for name, values in results.items():
        medians[name] = statistics.median(values)
        print(f"{name:32} {medians[name]:15.1f} {max(values):10.1f}")
    ratio = medians["retrovue (PyAV, in-process)"] / medians["ffprobe"]
    print(f"speed-up (median): {ratio:.1f}x")
    cost = medians["retrovue without length check"] / medians["retrovue (PyAV, in-process)"]
    print(f"cost of the length check (median): {cost:.2f}x the header-only probe")


if __name__ == "__main__":
    main()
