"""PyAV probe on real generated media, and on files that are not media."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrovue.errors import ProbeError
from retrovue.library.probe import MediaProbeError, probe_file


def test_mkv_with_chapters_and_two_audio_languages(library_template: Path) -> None:
    result = probe_file(library_template / "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv")
    assert 900 <= result.duration_ms <= 1200
    assert result.container.startswith("matroska")
    assert (result.video_codec, result.width, result.height) == ("h264", 160, 120)
    assert result.frame_rate == 25.0
    assert result.interlaced is False
    assert [(t.codec, t.channels, t.sample_rate, t.language) for t in result.audio_tracks] == [
        ("aac", 2, 48000, "eng"),
        ("ac3", 6, 48000, "fra"),
    ]
    assert [(c.start_ms, c.end_ms, c.title) for c in result.chapters] == [
        (0, 400, "Cold open"),
        (400, 1000, "Act One"),
    ]
    assert result.file_size > 0


def test_interlaced_mpeg2_in_transport_stream_with_anamorphic_pixels(
    library_template: Path,
) -> None:
    result = probe_file(library_template / "TV/Daily/Daily - 2024-01-05 - Guest.ts")
    assert result.container == "mpegts"
    assert result.video_codec == "mpeg2video"
    assert result.interlaced is True
    assert result.field_order in ("tt", "bb", "tb", "bt")
    assert result.video_details()["field_order"] == result.field_order
    assert result.video_details()["frame_rate"] == "25/1"
    assert result.pix_fmt == "yuv420p"
    assert result.sample_aspect_ratio == "10:11"
    assert [t.codec for t in result.audio_tracks] == ["mp2"]


def test_no_audio_and_other_containers(library_template: Path) -> None:
    silent = probe_file(library_template / "Movies/Heat (1995).mp4")
    assert silent.audio_tracks == ()
    assert silent.sample_aspect_ratio == "4:3"
    assert silent.container.startswith("mov,mp4")
    webm = probe_file(library_template / "Misc/clip.webm")
    assert (webm.video_codec, webm.audio_tracks[0].codec) == ("vp8", "opus")
    avi = probe_file(library_template / "TV/Other.Show/Other.Show.1x02.Name.avi")
    assert (avi.container, avi.video_codec) == ("avi", "mpeg4")


def test_subtitle_tracks(library_template: Path) -> None:
    result = probe_file(library_template / "Misc/with subs.mkv")
    assert [t.language for t in result.subtitle_tracks] == ["spa"]
    assert result.subtitle_tracks[0].codec in ("subrip", "srt")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.mkv", "empty file (0 bytes)"),
        ("notes.mkv", "not readable media"),
        ("truncated.mp4", "not readable media"),
    ],
)
def test_bad_files_raise_with_a_reason(library_template: Path, name: str, reason: str) -> None:
    with pytest.raises(MediaProbeError) as caught:
        probe_file(library_template / "broken" / name)
    assert reason in caught.value.reason
    assert caught.value.message.startswith(name)
    assert isinstance(caught.value, ProbeError)
    assert "\n" not in caught.value.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaProbeError, match="cannot read"):
        probe_file(tmp_path / "nope.mkv")
