"""Real media for the runtime tests, made once per session with PyAV (a few seconds of CPU)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

from retrovue.testing.media import AudioSpec, MediaSpec, make_media


@dataclass(frozen=True)
class Clip:
    path: str
    tag: int
    fps: Fraction
    duration_s: float


MEDIA: dict[str, tuple[str, MediaSpec]] = {
    # H.264 + AAC 48 kHz in MP4, 25 fps
    "mp4": ("a.mp4", MediaSpec(duration_s=3.0, width=320, height=180, tag=1)),
    # Matroska with B-frames (packets with dts None after a seek), 29.97 fps, AAC 44.1 kHz
    "mkv_bframes": (
        "b.mkv",
        MediaSpec(
            duration_s=3.0,
            width=320,
            height=180,
            fps=Fraction(30000, 1001),
            max_b_frames=2,
            gop=30,
            audio=(AudioSpec(sample_rate=44100),),
            tag=2,
        ),
    ),
    # interlaced MPEG-2 + MP2 in MPEG-TS, 25 fps
    "mpeg2_interlaced": (
        "c.ts",
        MediaSpec(
            duration_s=2.0,
            width=320,
            height=180,
            video_codec="mpeg2video",
            interlaced=True,
            gop=12,
            audio=(AudioSpec(codec="mp2", sample_rate=48000),),
            tag=3,
        ),
    ),
    # no audio at all, 50 fps
    "no_audio": (
        "d.mp4",
        MediaSpec(duration_s=2.0, width=320, height=180, fps=Fraction(50), audio=(), tag=4),
    ),
    # two languages (English stereo 440 Hz, French 5.1 880 Hz), 24 fps
    "languages": (
        "e.mkv",
        MediaSpec(
            duration_s=2.0,
            width=320,
            height=180,
            fps=Fraction(24),
            audio=(
                AudioSpec(language="eng", tone_hz=440.0),
                AudioSpec(language="fre", layout="5.1", tone_hz=880.0, sample_rate=32000),
            ),
            tag=5,
        ),
    ),
    # MPEG-4 part 2 in AVI with anamorphic pixels (240x180, SAR 4:3 shows as 16:9), 30 fps
    "mpeg4_anamorphic": (
        "f.avi",
        MediaSpec(
            duration_s=2.0,
            width=240,
            height=180,
            video_codec="mpeg4",
            fps=Fraction(30),
            sample_aspect_ratio=Fraction(4, 3),
            audio=(AudioSpec(codec="mp3", sample_rate=44100),),
            tag=6,
        ),
    ),
    # VP8 + Opus in WebM, long GOP (joins need decode-and-discard)
    "webm": (
        "g.webm",
        MediaSpec(
            duration_s=3.0,
            width=320,
            height=180,
            video_codec="libvpx",
            gop=50,
            extra_options={"deadline": "realtime", "cpu-used": "8"},
            audio=(AudioSpec(codec="libopus", sample_rate=48000),),
            tag=7,
        ),
    ),
}


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    folder = tmp_path_factory.mktemp("runtime-media")
    made: dict[str, Clip] = {}
    for key, (name, spec) in MEDIA.items():
        path = make_media(Path(folder) / name, spec)
        made[key] = Clip(str(path), spec.tag, spec.fps, spec.duration_s)
    return made
