"""The ingest meter against FFmpeg's own ebur128 on generated media, and the unmeasurable cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.library.loudness import measure_loudness
from retrovue.testing.media import AudioSpec, MediaSpec, make_media, write_corrupt_files
from retrovue.testing.r128 import ffmpeg_available, ffmpeg_r128

needs_ffmpeg = pytest.mark.skipif(not ffmpeg_available(), reason="needs the ffmpeg CLI (reference)")
SHORT = {"duration_s": 3.0, "width": 160, "height": 120}


@needs_ffmpeg
@pytest.mark.parametrize(
    ("peak_dbfs", "layout", "tone_hz"),
    [(-34.0, "stereo", 440.0), (-3.0, "stereo", 1000.0), (-18.0, "mono", 3000.0)],
)
def test_meter_agrees_with_ffmpeg(
    tmp_path: Path, peak_dbfs: float, layout: str, tone_hz: float
) -> None:
    audio = AudioSpec(peak_dbfs=peak_dbfs, layout=layout, tone_hz=tone_hz)
    path = make_media(tmp_path / "tone.mp4", MediaSpec(audio=(audio,), **SHORT))  # type: ignore[arg-type]
    measured = measure_loudness(path)
    reference = ffmpeg_r128(path)
    assert measured.error is None
    assert measured.integrated_lufs is not None
    assert measured.true_peak_dbtp is not None
    assert abs(measured.integrated_lufs - reference.integrated_lufs) <= 0.5
    assert abs(measured.true_peak_dbtp - reference.true_peak_dbtp) <= 0.5
    assert measured.integrated_lufs == pytest.approx(peak_dbfs, abs=4.0)  # a sine: near its peak


def test_the_default_track_is_measured(tmp_path: Path) -> None:
    quiet, loud = AudioSpec(peak_dbfs=-40.0, language="eng"), AudioSpec(peak_dbfs=-6.0)
    path = make_media(tmp_path / "two.mkv", MediaSpec(audio=(quiet, loud), **SHORT))  # type: ignore[arg-type]
    measured = measure_loudness(path)
    assert measured.track_index == 1
    assert measured.integrated_lufs is not None
    assert measured.integrated_lufs < -35


def test_what_cannot_be_measured_says_why(tmp_path: Path) -> None:
    silent = make_media(
        tmp_path / "silent.mp4",
        MediaSpec(audio=(AudioSpec(silent=True),), **SHORT),  # type: ignore[arg-type]
    )
    mute = make_media(tmp_path / "mute.mp4", MediaSpec(audio=(), **SHORT))  # type: ignore[arg-type]
    bad = write_corrupt_files(tmp_path / "bad")
    assert measure_loudness(silent).error == "silent (below the -70 LUFS gate)"
    assert measure_loudness(mute).error == "no audio track"
    for path in bad.values():
        result = measure_loudness(path)
        assert result.integrated_lufs is None, path
        assert result.error, path
    assert measure_loudness(silent).to_json() == {
        "error": "silent (below the -70 LUFS gate)",
        "track": 1,
    }
