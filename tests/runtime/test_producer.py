"""One continuous stream across many programme boundaries, checked frame by frame."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from retrovue.clock import FakeClock, SystemClock
from retrovue.runtime.encode.source import MediaSource
from retrovue.runtime.playout.profiles import OutputProfile
from retrovue.runtime.playout.timeline import TimelineItem, back_to_back
from retrovue.testing.media import write_corrupt_files
from tests.runtime.conftest import Clip
from tests.runtime.helpers import (
    TEST_PROFILE,
    Aired,
    dominant_hz,
    expected_code,
    rms,
    run_producer,
)

FPS = TEST_PROFILE.fps
SAMPLES_PER_FRAME = TEST_PROFILE.samples_per_frame


def _check_frames(aired: Aired, items: list[TimelineItem], clips: dict[str, Clip]) -> int:
    """Every output frame shows what the timeline says (±1 source frame); returns exact hits."""
    by_path = {clip.path: clip for clip in clips.values()}
    tags = {clip.tag for clip in clips.values()}
    exact = 0
    for index, code in enumerate(aired.codes):
        at_utc = aired.frame_utc(index)
        item = next(i for i in items if i.covers(at_utc))
        clip = by_path.get(item.file_path or "")
        if clip is None:
            assert code[0] not in tags, f"frame {index}: a file picture during slate {item.title}"
            continue
        want = expected_code(item, float(clip.fps), at_utc, clip.tag)
        assert code[0] == want[0], f"frame {index}: tag {code[0]}, want {want[0]} ({item.title})"
        assert abs(code[1] - want[1]) <= 1, f"frame {index}: source frame {code[1]}, want {want[1]}"
        exact += code[1] == want[1]
    return exact


@pytest.fixture(scope="module")
def boundaries(clips: dict[str, Clip]) -> tuple[Aired, list[TimelineItem]]:
    clock = FakeClock()
    plan = [
        ("mp4", 1.5, 0.4),
        ("mkv_bframes", 2.0, 0.7),
        ("mpeg2_interlaced", 1.2, 0.0),
        (None, 0.5, 0.0),
        ("no_audio", 1.0, 0.3),
        ("languages", 1.3, 0.2),
        ("mpeg4_anamorphic", 1.0, 0.5),
        ("webm", 1.5, 1.0),
        ("mp4", 2.0, 0.0),
    ]
    items = back_to_back(
        clock.now_utc(), [(clips[k].path if k else None, d, o) for k, d, o in plan]
    )
    total_s = sum(d for _, d, _ in plan)
    return run_producer(items, clock, frames=round(total_s * FPS)), items


def test_stream_structure_is_continuous_across_boundaries(
    boundaries: tuple[Aired, list[TimelineItem]],
) -> None:
    aired, items = boundaries
    report = aired.report
    assert report.errors == []
    assert report.video_frames == 12 * FPS
    assert len(report.idr_pts) == 6  # one every 2 s, exactly (checked by the checker)
    assert report.pmt_versions == {0}
    assert 0 < report.max_pcr_gap_ms <= 100
    assert len(report.audio_pids) == 1
    assert [played[1] for played in aired.producer.played] == items
    # the tables went out before any encoding, and the muxer's own continue them seamlessly
    first_pids = [((aired.ts[i + 1] & 0x1F) << 8) | aired.ts[i + 2] for i in (0, 188, 376)]
    assert first_pids == [0x11, 0x00, 0x1000]
    assert aired.ts[3] & 0x0F == 15


def test_audio_and_video_start_and_end_together(
    boundaries: tuple[Aired, list[TimelineItem]],
) -> None:
    report = boundaries[0].report
    pid = report.audio_pids[0]
    audio_start, video_start = report.audio_pts[pid][0], min(report.video_pts)
    priming = 1024 * 90000 // 48000  # the AAC encoder's delay, signalled by the muxer
    assert abs(audio_start + priming - video_start) <= 90  # within 1 ms
    audio_ticks = report.audio_frames[pid] * priming
    video_ticks = report.video_frames * TEST_PROFILE.frame_ticks
    assert abs(audio_ticks - priming - video_ticks) <= 2 * priming


@pytest.mark.parametrize(
    ("key", "conversion"),
    [("mpeg2_interlaced", "deinterlace"), ("mp4", "scale"), ("mp4_same", "none")],
)
def test_one_conversion_per_source_and_none_when_it_matches(
    clips: dict[str, Clip], key: str, conversion: str
) -> None:
    profile = TEST_PROFILE
    if key == "mp4_same":
        key, profile = "mp4", OutputProfile("same", 320, 180)
    source = MediaSource(clips[key].path, profile).open(0.5)
    try:
        picture = source.video_at(0.5)
        assert picture is not None
        assert (picture.width, picture.height) == (profile.width, profile.height)
        assert source.conversion == conversion
    finally:
        source.close()


def test_every_frame_shows_the_scheduled_asset_and_position(
    boundaries: tuple[Aired, list[TimelineItem]], clips: dict[str, Clip]
) -> None:
    aired, items = boundaries
    assert len(aired.codes) == 12 * FPS
    exact = _check_frames(aired, items, clips)
    assert exact >= 0.9 * len(aired.codes) - 15 * 4  # nearly all exact; slates excluded


def test_audio_is_continuous_and_follows_the_programmes(
    boundaries: tuple[Aired, list[TimelineItem]],
) -> None:
    aired, items = boundaries
    video_samples = 12 * FPS * SAMPLES_PER_FRAME
    assert abs(len(aired.audio) - video_samples) <= 3 * 1024
    origin = items[0].start_utc
    for item in items:
        start = round((item.start_utc - origin).total_seconds() * 48000) + 4800
        end = round((item.end_utc - origin).total_seconds() * 48000) - 4800
        window = aired.audio[start:end]
        loud = rms(window)
        if item.file_path is None or "d.mp4" in item.file_path:
            assert loud < 0.01, f"{item.title}: expected silence, rms {loud:.3f}"
        else:
            assert loud > 0.05, f"{item.title}: expected the tone, rms {loud:.3f}"
            assert dominant_hz(window) == pytest.approx(440, abs=25)


@pytest.mark.parametrize("key", ["mkv_bframes", "webm", "mp4", "mpeg2_interlaced"])
def test_tuning_mid_programme_joins_at_the_scheduled_frame(
    clips: dict[str, Clip], key: str
) -> None:
    clip = clips[key]
    clock = FakeClock()
    started = clock.now_utc() - timedelta(seconds=1.2)
    item = TimelineItem(started, started + timedelta(seconds=1.7), "programme", key, clip.path, 300)
    aired = run_producer([item], clock, frames=12)
    assert aired.report.errors == []
    first = expected_code(item, float(clip.fps), clock.now_utc(), clip.tag)
    assert first[1] == int(1.5 * float(clip.fps) + 1e-6)
    assert aired.codes[0][0] == clip.tag
    assert abs(aired.codes[0][1] - first[1]) <= 1
    _check_frames(aired, [item], clips)


def test_preferred_language_and_downmix(clips: dict[str, Clip]) -> None:
    clip = clips["languages"]
    clock = FakeClock()
    item = TimelineItem(
        clock.now_utc(), clock.now_utc() + timedelta(seconds=2), "programme", "fr", clip.path
    )
    french = run_producer([item], clock, frames=45, language="fre")
    english = run_producer([item], clock, frames=45, language="eng")
    assert french.report.errors == []
    assert english.report.errors == []
    middle = slice(9600, 48000)
    assert dominant_hz(french.audio[middle]) == pytest.approx(880, abs=40)  # 5.1 at 32 kHz
    assert rms(french.audio[middle]) > 0.05  # the 5.1 track reaches the stereo mix
    assert dominant_hz(english.audio[middle]) == pytest.approx(440, abs=25)


def test_missing_and_broken_files_become_slates_and_the_next_starts_on_time(
    clips: dict[str, Clip], tmp_path: Path
) -> None:
    broken = write_corrupt_files(tmp_path / "bad")
    clock = FakeClock()
    plan = [
        (clips["mp4"].path, 1.0, 0.0),
        (str(tmp_path / "missing.mkv"), 1.0, 0.0),
        (str(broken["text"]), 0.7, 0.0),
        (str(broken["truncated"]), 0.8, 0.0),
        (clips["mkv_bframes"].path, 1.5, 0.0),
    ]
    items = back_to_back(clock.now_utc(), plan)
    aired = run_producer(items, clock, frames=150)
    assert aired.report.errors == []
    assert aired.report.video_frames == 150
    _check_frames(aired, items, clips)
    assert aired.producer.faults == 3  # missing, not a video, truncated
    assert aired.producer.boundaries == 4
    tail = aired.codes[-45:]
    assert all(code[0] == clips["mkv_bframes"].tag for code in tail)


def test_tuning_slate_covers_a_slow_file_then_the_programme_joins_on_schedule(
    clips: dict[str, Clip], tmp_path: Path
) -> None:
    pipe = tmp_path / "slow.ts"
    os.mkfifo(pipe)
    payload = Path(clips["mpeg2_interlaced"].path).read_bytes()

    def feed_late() -> None:
        threading.Event().wait(0.8)
        with pipe.open("wb") as sink:
            sink.write(payload)

    feeder = threading.Thread(target=feed_late, daemon=True)
    feeder.start()
    clock = SystemClock()
    now = clock.now_utc()
    item = TimelineItem(now, now + timedelta(seconds=5), "programme", "slow", str(pipe))
    aired = run_producer([item], clock, frames=75, paced=True)
    feeder.join(5)
    assert aired.report.errors == []
    tag = clips["mpeg2_interlaced"].tag
    assert aired.codes[0][0] != tag  # the tuning slate came first
    programme = [i for i, code in enumerate(aired.codes) if code[0] == tag]
    assert programme, "the programme never started"
    assert programme == list(range(programme[0], 75))
    item_on_air = TimelineItem(
        aired.frame_utc(0), aired.frame_utc(0) + timedelta(seconds=5), "programme", "", ""
    )
    for index in programme:
        want = expected_code(item_on_air, 25.0, aired.frame_utc(index), tag)
        if want[1] >= 49:  # the 2 s clip has ended: its last picture stays
            assert aired.codes[index][1] == 49
            continue
        assert abs(aired.codes[index][1] - want[1]) <= 1


def test_a_file_shorter_than_its_slot_gives_way_to_a_slate(clips: dict[str, Clip]) -> None:
    clip = clips["no_audio"]  # 2 s
    clock = FakeClock()
    items = back_to_back(clock.now_utc(), [(clip.path, 3.5, 0.0), (clips["mp4"].path, 0.5, 0.0)])
    aired = run_producer(items, clock, frames=120)
    assert aired.report.errors == []
    assert aired.producer.faults == 0
    assert all(code[0] == clip.tag for code in aired.codes[:60])
    assert all(code[0] not in (clip.tag, clips["mp4"].tag) for code in aired.codes[95:105])
    assert all(code[0] == clips["mp4"].tag for code in aired.codes[105:])


def test_garbage_inside_a_file_never_breaks_the_stream(
    clips: dict[str, Clip], tmp_path: Path
) -> None:
    data = bytearray(Path(clips["mpeg2_interlaced"].path).read_bytes())
    third = len(data) // 3
    data[third : 2 * third] = bytes((i * 151 + 7) % 256 for i in range(third))
    damaged = tmp_path / "damaged.ts"
    damaged.write_bytes(bytes(data))
    clock = FakeClock()
    items = back_to_back(clock.now_utc(), [(str(damaged), 2.0, 0.0), (clips["mp4"].path, 1.0, 0.0)])
    aired = run_producer(items, clock, frames=90)
    assert aired.report.errors == []
    assert aired.report.video_frames == 90
    assert aired.codes[0][0] == clips["mpeg2_interlaced"].tag
    assert all(code[0] == clips["mp4"].tag for code in aired.codes[61:])
