"""Pure parts of the runtime: timelines and gaps, picture geometry, slates, profiles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from retrovue.errors import StreamError
from retrovue.runtime.encode.videofilter import fitted_size
from retrovue.runtime.hub import is_join_point, join_offset
from retrovue.runtime.playout.profiles import PROFILES, OutputProfile, profile_named
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem, fill_gaps
from retrovue.runtime.slates.cards import draw_slate

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _item(start_s: float, end_s: float, title: str) -> TimelineItem:
    return TimelineItem(
        T0 + timedelta(seconds=start_s), T0 + timedelta(seconds=end_s), "programme", title, "/x"
    )


def test_gaps_become_slates_and_the_first_item_covers_the_instant() -> None:
    items = [_item(0, 10, "a"), _item(15, 20, "b")]
    got = fill_gaps(items, T0 + timedelta(seconds=5))
    assert [(i.title, i.kind) for i in got] == [
        ("a", "programme"),
        ("Off air", "slate"),
        ("b", "programme"),
    ]
    assert got[1].start_utc == T0 + timedelta(seconds=10)
    assert got[1].end_utc == T0 + timedelta(seconds=15)
    empty = fill_gaps([], T0)
    assert empty[0].kind == "slate"
    assert empty[0].covers(T0)


def test_list_timeline_answers_from_an_instant() -> None:
    timeline = ListTimeline([_item(10, 20, "b"), _item(0, 10, "a")])
    assert timeline.items_from(T0 + timedelta(seconds=12), 5)[0].title == "b"
    assert [i.title for i in timeline.items_from(T0, 2)] == ["a", "b"]


def test_file_position_counts_from_the_item_offset() -> None:
    item = TimelineItem(T0, T0 + timedelta(minutes=30), "programme", "m", "/m.mkv", 90_000)
    assert item.file_position_s(T0 + timedelta(seconds=30)) == pytest.approx(120.0)
    assert item.duration_ms == 1_800_000


@pytest.mark.parametrize(
    ("source", "sar", "box", "want"),
    [
        ((1920, 1080), None, (1280, 720), (1280, 720)),  # same aspect
        ((640, 480), None, (1280, 720), (960, 720)),  # 4:3 pillarboxed
        ((720, 480), Fraction(32, 27), (1280, 720), (1280, 720)),  # anamorphic NTSC 16:9
        ((720, 576), Fraction(16, 15), (1280, 720), (960, 720)),  # PAL 4:3
        ((1920, 800), None, (1280, 720), (1280, 532)),  # scope letterboxed
    ],
)
def test_pictures_keep_their_display_aspect(
    source: tuple[int, int], sar: Fraction | None, box: tuple[int, int], want: tuple[int, int]
) -> None:
    assert fitted_size(source[0], source[1], sar, box[0], box[1]) == want


def test_profiles_lock_audio_to_video() -> None:
    assert profile_named("720p").samples_per_frame == 1600
    assert PROFILES["1080p"].gop_frames == 60
    assert profile_named("480p").frame_ticks == 3000
    with pytest.raises(StreamError):
        profile_named("4k")
    with pytest.raises(StreamError):
        OutputProfile("odd", 1280, 720, fps=7)


def test_slates_are_profile_sized_pictures() -> None:
    frame = draw_slate(256, 144, ["Channel", "A very long title that will not fit on one line"])
    assert (frame.width, frame.height, frame.format.name) == (256, 144, "yuv420p")
    luma = bytes(frame.planes[0])
    assert 235 in luma  # text was drawn


def test_join_points_need_a_pat_and_a_video_keyframe() -> None:
    pat = bytes([0x47, 0x40, 0x00, 0x10]) + bytes(184)
    key = bytes([0x47, 0x41, 0x00, 0x30, 0x07, 0x50]) + bytes(182)
    audio_key = bytes([0x47, 0x41, 0x01, 0x30, 0x07, 0x50]) + bytes(182)
    assert is_join_point(pat + key)
    assert not is_join_point(key)
    assert not is_join_point(pat + audio_key)


def test_a_joining_viewer_starts_at_the_tables_before_the_keyframe() -> None:
    audio = bytes([0x47, 0x41, 0x01, 0x10]) + bytes(184)
    sdt = bytes([0x47, 0x40, 0x11, 0x10]) + bytes(184)
    pat = bytes([0x47, 0x40, 0x00, 0x10]) + bytes(184)
    key = bytes([0x47, 0x41, 0x00, 0x30, 0x07, 0x50]) + bytes(182)
    assert join_offset(audio + sdt + pat + key) == 188
    assert join_offset(audio + pat + key + audio) == 188
    assert join_offset(sdt + pat + audio) is None


def test_a_joining_viewer_skips_periodic_tables_before_other_frames() -> None:
    pat = bytes([0x47, 0x40, 0x00, 0x10]) + bytes(184)
    pmt = bytes([0x47, 0x50, 0x00, 0x10]) + bytes(184)
    frame = bytes([0x47, 0x41, 0x00, 0x10]) + bytes(184)  # a video packet, not a keyframe
    key = bytes([0x47, 0x41, 0x00, 0x30, 0x07, 0x50]) + bytes(182)
    assert join_offset(pat + pmt + frame + pat + pmt + key) == 3 * 188
