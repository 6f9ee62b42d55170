"""What burning a PGS subtitle into 720p pictures costs: making its picture and overlay graph
once per subtitle, and blending it onto each picture while it shows.

    .venv/bin/python bench/subburn_cost.py [--pictures 300]

A 1200x120 two-colour bitmap (about a two-line Blu-ray subtitle) on 1280x720 yuv420p pictures.
"""

from __future__ import annotations

import argparse
import time

import av

from retrovue.runtime.encode.bug import PictureOverlay
from retrovue.runtime.encode.subburn import bitmap_picture

WIDTH, HEIGHT = 1200, 120


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pictures", type=int, default=300)
    args = parser.parse_args()
    indices = bytes(
        (1 if (x // 8 + y // 8) % 2 else 2) for y in range(HEIGHT) for x in range(WIDTH)
    )
    tables = (
        bytes([16, 235, 16] + [16] * 253),
        bytes([128] * 256),
        bytes([128] * 256),
        bytes([0, 255, 200] + [0] * 253),
    )
    frame = av.VideoFrame(1280, 720, "yuv420p")
    start = time.process_time()
    rounds = 20
    for _ in range(rounds):
        picture = bitmap_picture(indices, (WIDTH, HEIGHT), tables).reformat(format="yuva420p")
        overlay = PictureOverlay(picture, 40, 580, (1280, 720), 30)
    setup_ms = (time.process_time() - start) / rounds * 1000
    start = time.process_time()
    for _ in range(args.pictures):
        overlay.apply(frame)
    blend_ms = (time.process_time() - start) / args.pictures * 1000
    print(f"per subtitle: {setup_ms:.2f} ms of CPU (picture + overlay graph)")
    print(f"per picture while it shows: {blend_ms:.3f} ms of CPU")


if __name__ == "__main__":
    main()
