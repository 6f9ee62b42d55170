"""Director modes in the producer: an emergency replaces programming and normal resumes at the
scheduled offset when cleared; a guide channel shows the listing, a valid TS, no timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import av
import pytest

from retrovue.broadcast.director import request_clear, request_emergency
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.runtime.onair.listing import read_listing
from retrovue.runtime.playout.timeline import TimelineItem
from retrovue.runtime.producer import Producer
from retrovue.runtime.slates import pictures as slates
from retrovue.testing.media import MediaSpec, make_media
from tests.runtime.helpers import TEST_PROFILE, expected_code
from tests.runtime_ops.opskit import run_with_operation
from tests.runtime_ops.seed import add_channel, add_events

FPS = TEST_PROFILE.fps
SOURCE_FPS = 25
ON_FRAME, OFF_FRAME = 15, 60


def _red_heads(data: bytes) -> list[bool]:
    """Per output frame: is the top band red (the emergency slate's heading)?"""
    result: list[bool] = []
    with av.open(BytesIO(data), format="mpegts") as container:
        for frame in container.decode(video=0):
            row = bytes(frame.planes[2])[: frame.width // 2]  # V of the first chroma row
            result.append(sum(row) / len(row) > 200)
    return result


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("director-media")
    return make_media(folder / "p.mp4", MediaSpec(duration_s=4.0, width=320, height=180, tag=11))


def test_emergency_replaces_programming_and_normal_resumes_at_the_scheduled_offset(
    clip: Path, sqlite_db: Database
) -> None:
    clock = FakeClock()
    channel_id = add_channel(sqlite_db, "9", at_utc=clock.now_utc())
    start = clock.now_utc()
    programme = TimelineItem(start, start + timedelta(seconds=4), "programme", "Show", str(clip))
    asked: dict[str, int] = {}  # when each request was made: frames written so far

    def director(producer: Producer) -> None:  # producer thread, between frames
        if producer.frames_out >= ON_FRAME and "on" not in asked:
            asked["on"] = producer.frames_out + 1  # the frame being written is already muxed
            request_emergency(sqlite_db, clock, "9", "Severe weather warning")
            clock.advance(1.0)  # the poller's cache is older than its refresh interval
        if producer.frames_out >= OFF_FRAME and "off" not in asked:
            asked["off"] = producer.frames_out + 1
            request_clear(sqlite_db, clock, "9")
            clock.advance(1.0)

    run = run_with_operation(
        sqlite_db, clock, channel_id, [programme], frames=round(3 * FPS), on_frame=director
    )
    assert run.report.errors == []
    red = _red_heads(run.ts)
    on = red.index(True)
    off = len(red) - red[::-1].index(True)
    assert asked["on"] <= on <= asked["on"] + 2  # the next frame or so: well within a second
    assert asked["off"] <= off <= asked["off"] + 2
    assert all(red[on:off])
    assert not any(red[:on])
    assert not any(red[off:])
    assert all(code[0] != 11 for code in run.codes[on:off])
    # back to the programme exactly where the schedule is, not where it was interrupted
    for index in range(off, len(run.codes)):
        assert run.codes[index] == expected_code(
            programme, SOURCE_FPS, run.producer.frame_utc(index), 11
        )
    rows = run.rows
    assert [(r.kind, r.title, r.status) for r in rows] == [
        ("programme", "Show", "cut"),
        ("slate", "Emergency: Severe weather warning", "aired"),
        ("programme", "Show", "cut"),  # cut: the producer stopped during it (max_frames)
    ]
    first, slate, resumed = rows
    assert first.actual_end_utc == slate.actual_start_utc == run.producer.frame_utc(on)
    assert slate.actual_end_utc == resumed.actual_start_utc == run.producer.frame_utc(off)
    assert resumed.offset_ms == round(off * 1000 / FPS)


def test_a_guide_channel_shows_the_listing_as_a_valid_stream(
    clip: Path, sqlite_db: Database
) -> None:
    clock = FakeClock()
    now = clock.now_utc()
    news = add_channel(sqlite_db, "2", "News", at_utc=now)
    shows = [("programme", "Morning News", 30, None), ("programme", "Weather", 30, None)]
    add_events(sqlite_db, news, now.date(), now - timedelta(minutes=10), shows)
    guide_id = add_channel(sqlite_db, "99", "Guide", mode="guide", at_utc=now)
    ignored = TimelineItem(now, now + timedelta(seconds=4), "programme", "Never", str(clip))
    frames = round(2 * FPS)
    run = run_with_operation(sqlite_db, clock, guide_id, [ignored], frames=frames)
    assert run.report.errors == []
    assert run.report.video_frames == frames
    assert all(code[0] != 11 for code in run.codes)  # the timeline is ignored
    assert [(r.kind, r.title, r.status) for r in run.rows] == [
        ("slate", "Channel guide", "cut")  # nothing of the schedule aired; the guide did
    ]
    assert list(run.producer.played) == []
    # the picture is the listing of what is on now (encoded: compared with a tolerance)
    with av.open(BytesIO(run.ts), format="mpegts") as container:
        last = list(container.decode(video=0))[-1]
    stride, width, height = last.planes[0].line_size, last.width, last.height
    raw = bytes(last.planes[0])
    luma = b"".join(raw[y * stride : y * stride + width] for y in range(height))
    listing = read_listing(sqlite_db, clock, guide_id)
    assert [row.now.title if row.now else None for row in listing.rows] == ["Morning News"]
    shown = slates.guide_listing(width, height, listing).y
    empty = slates.guide_listing(width, height, replace(listing, rows=())).y
    assert _distance(luma, shown) < _distance(luma, empty) / 2


def _distance(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)
