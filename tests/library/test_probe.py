"""PyAV probe on real generated media, and on files that are not media."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.library import LibraryAsset
from retrovue.errors import ProbeError, ValidationError
from retrovue.library.ingest import sync_source
from retrovue.library.probe import MediaProbeError, clock_text, probe_file
from retrovue.library.review import approve_assets
from retrovue.library.sources import add_filesystem_source
from retrovue.testing.media import MediaSpec, make_media


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


def _cut(full: Path, out: Path, fraction: float) -> Path:
    """A partial download: the first ``fraction`` of the bytes (the header stays whole)."""
    data = full.read_bytes()
    out.write_bytes(data[: int(len(data) * fraction)])
    return out


def test_truncated_file_says_how_long_it_really_is(tmp_path: Path) -> None:
    full = make_media(tmp_path / "full.mkv", MediaSpec(duration_s=6.0, width=160, height=120))
    whole = probe_file(full)
    assert 5900 <= whole.duration_ms <= 6100  # an intact file passes the check

    part = _cut(full, tmp_path / "Show - S01E01 - Partial.mkv", 0.5)
    with pytest.raises(MediaProbeError) as caught:
        probe_file(part)
    reason = caught.value.reason
    assert reason.startswith("truncated: the content lasts 0:0")
    assert "but the header claims 0:06.0 (a partial download?)" in reason
    shown_s = float(reason.split("lasts 0:")[1].split(" ")[0])
    assert 2.0 <= shown_s <= 4.0  # about half of six seconds


def test_real_end_of_intact_files(library_template: Path) -> None:
    for name in (
        "TV/Daily/Daily - 2024-01-05 - Guest.ts",
        "TV/Other.Show/Other.Show.1x02.Name.avi",
    ):
        result = probe_file(library_template / name)  # containers without a stored duration
        assert 900 <= result.duration_ms <= 1200


def test_clock_text() -> None:
    assert clock_text(2_000) == "0:02.0"
    assert clock_text(83_450) == "1:23.4"
    assert clock_text(59_990) == "0:59.9"
    assert clock_text(5_523_400) == "1:32:03.4"


def test_truncated_file_is_synced_as_failed_and_cannot_be_approved(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "downloads"
    full = make_media(tmp_path / "full.mkv", MediaSpec(duration_s=6.0, width=160, height=120))
    folder.mkdir()
    _cut(full, folder / "Partial (1999).mkv", 0.5)
    add_filesystem_source(db, clock, "downloads", str(folder))
    summary = sync_source(db, clock, "downloads", on_assets_removed=invalidate_library_assets)
    assert (summary.added, summary.failed) == (0, 1)
    assert "header claims 0:06.0" in summary.failures[0]["reason"]
    with db.transaction() as session:
        asset = session.scalars(select(LibraryAsset)).one()
        asset_id, state, reason = asset.id, asset.review_state, asset.review_reason
    assert state == "failed"
    assert reason is not None
    assert reason.startswith("truncated: the content lasts")
    with pytest.raises(ValidationError, match="truncated: the content lasts"):
        approve_assets(db, clock, [asset_id])
