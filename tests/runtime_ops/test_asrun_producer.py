"""The real producer reporting through AsRunHooks: one as-run row per item, faults recorded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun
from retrovue.runtime.onair.asrun import AsRunHooks, AsRunRecorder
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.profiles import OutputProfile
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.producer import make_producer
from retrovue.testing.media import MediaSpec, make_media
from tests.runtime_ops.seed import add_channel

TEST_PROFILE = OutputProfile("test", 256, 144, video_bitrate=400_000)  # small and cheap


def test_producer_items_become_asrun_rows(sqlite_db: Database, tmp_path: Path) -> None:
    clock = FakeClock()
    channel_id = add_channel(sqlite_db, "9", at_utc=clock.now_utc())
    clip = make_media(tmp_path / "a.mp4", MediaSpec(duration_s=1.5, width=256, height=144))
    plan = [(str(clip), 1.0, 0.0), (str(tmp_path / "missing.mkv"), 1.0, 0.0), (None, 0.5, 0.0)]
    items = back_to_back(clock.now_utc(), plan)
    recorder = AsRunRecorder(sqlite_db)
    frames = round(float(TEST_PROFILE.fps) * 2.25)  # stops in the slate
    producer = make_producer(
        ChannelInfo("9", "Nine", TEST_PROFILE, x264_preset="ultrafast"),
        ListTimeline(items),
        clock,
        lambda _chunk: None,
        options=ProducerOptions(paced=False, max_frames=frames),
        hooks=AsRunHooks(recorder, channel_id),
    )
    producer.start()
    producer.join(60)
    assert producer.error is None
    recorder.close()
    with sqlite_db.transaction() as session:
        rows = list(session.scalars(select(AsRun).order_by(AsRun.id)))
    assert [(r.kind, r.title) for r in rows] == [(i.kind, i.title) for i in items]
    aired, failed, slate = rows
    assert (aired.status, aired.actual_start_utc, aired.offset_ms) == (
        "aired",
        items[0].start_utc,
        0,
    )
    assert aired.actual_end_utc == items[1].start_utc
    assert failed.status == "failed"
    assert failed.error is not None
    assert "missing.mkv" in failed.error
    assert slate.status == "cut"  # the producer stopped during it
    assert slate.actual_end_utc is not None
    assert slate.actual_end_utc < items[2].end_utc
