"""Measured proof: a quiet programme and loud commercials all air at the channel's target.

The files are measured as ingest measures them, the items get the runtime's gain, a producer
plays them into one MPEG-TS, and FFmpeg's own ebur128 meter measures each item's span of it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from retrovue.clock import FakeClock
from retrovue.library.loudness import measure_loudness
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.loudness import loudness_gain_db
from retrovue.runtime.playout.timeline import ListTimeline, TimelineItem, back_to_back
from retrovue.runtime.producer import make_producer
from retrovue.testing.media import AudioSpec, MediaSpec, make_media
from retrovue.testing.r128 import ffmpeg_available, ffmpeg_r128
from tests.runtime.helpers import TEST_PROFILE

pytestmark = pytest.mark.skipif(not ffmpeg_available(), reason="needs the ffmpeg CLI (reference)")
TARGET_LUFS = -24.0
ITEM_S = 3.0
EDGE_S = 0.3  # each span is measured inside its item, clear of the cut


def _clip(folder: Path, name: str, peak_dbfs: float, tone_hz: float, tag: int) -> Path:
    spec = MediaSpec(
        duration_s=ITEM_S, width=160, height=120, tag=tag,
        audio=(AudioSpec(peak_dbfs=peak_dbfs, tone_hz=tone_hz),),
    )  # fmt: skip
    return make_media(folder / name, spec)


def _with_gain(item: TimelineItem) -> TimelineItem:
    assert item.file_path is not None
    measured = measure_loudness(Path(item.file_path))
    gain = loudness_gain_db(TARGET_LUFS, measured.integrated_lufs, measured.true_peak_dbtp)
    return replace(item, loudness_gain_db=gain)


def _air(items: list[TimelineItem], clock: FakeClock, out: Path) -> None:
    chunks: list[bytes] = []
    channel = ChannelInfo(
        "9", "Test Nine", TEST_PROFILE, None, x264_preset="ultrafast",
        loudness_target_lufs=TARGET_LUFS,
    )  # fmt: skip
    frames = round(len(items) * ITEM_S * TEST_PROFILE.fps)
    producer = make_producer(
        channel, ListTimeline(items), clock, chunks.append,
        options=ProducerOptions(paced=False, max_frames=frames),
    )  # fmt: skip
    producer.start()
    producer.join(60)
    assert producer.error is None
    out.write_bytes(b"".join(chunks))


def test_quiet_programme_and_loud_spots_air_within_one_lu_of_the_target(tmp_path: Path) -> None:
    show = _clip(tmp_path, "show.mp4", -33.3, 440.0, 1)
    spot_a = _clip(tmp_path, "spot_a.mp4", -2.3, 1000.0, 2)
    spot_b = _clip(tmp_path, "spot_b.mp4", -2.3, 800.0, 3)
    sources = [ffmpeg_r128(p).integrated_lufs for p in (show, spot_a, spot_b)]
    assert sources[0] == pytest.approx(-34.0, abs=1.0)  # the programme is quiet
    assert all(s == pytest.approx(-3.0, abs=1.0) for s in sources[1:]), sources  # loud spots
    clock = FakeClock()
    plan = [(str(show), ITEM_S, 0.0), (str(spot_a), ITEM_S, 0.0), (str(spot_b), ITEM_S, 0.0)]
    plan.append((str(show), ITEM_S, 0.0))
    items = [_with_gain(i) for i in back_to_back(clock.now_utc(), plan)]
    assert [i.loudness_gain_db > 0 for i in items] == [True, False, False, True]
    ts = tmp_path / "aired.ts"
    _air(items, clock, ts)
    aired = []
    for index in range(len(items)):
        start_s = index * ITEM_S + EDGE_S
        aired.append(ffmpeg_r128(ts, start_s=start_s, duration_s=ITEM_S - 2 * EDGE_S))
    for reading in aired:
        assert reading.integrated_lufs == pytest.approx(TARGET_LUFS, abs=1.0), aired
        assert reading.true_peak_dbtp <= -1.0 + 0.5, aired  # no clipping (AAC overshoot aside)
    assert items[-1].end_utc - items[0].start_utc == timedelta(seconds=4 * ITEM_S)
