"""Fan-out with a real producer: a viewer that stops reading is dropped when its bounded queue is
full; the other viewers of the channel get every byte, as one valid stream."""

from __future__ import annotations

import asyncio
from pathlib import Path

from retrovue.clock import FakeClock
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.timeline import ListTimeline, back_to_back
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.media import MediaSpec, make_media
from retrovue.testing.tscheck import check_ts
from tests.runtime.helpers import TEST_PROFILE

FRAMES = 2400  # 80 s of output, produced as fast as possible
VIEWER_BYTES = 256 * 1024  # the viewers' bound (a small one: the test's stream is small)


async def test_a_stalled_viewer_is_dropped_and_the_others_get_everything(tmp_path: Path) -> None:
    clip = make_media(tmp_path / "f.mp4", MediaSpec(duration_s=3.0, width=320, height=180, tag=31))
    clock = FakeClock()
    items = back_to_back(clock.now_utc(), [(str(clip), 3.0, 0.0)] * 12)
    info = ChannelInfo("3", "Three", TEST_PROFILE, x264_preset="ultrafast")
    directory = StaticDirectory({"3": ChannelSetup(info, ListTimeline(items))})
    service = RuntimeStreamService(
        directory,
        clock,
        options=ProducerOptions(paced=False, max_frames=FRAMES),
        viewer_bytes=VIEWER_BYTES,
    )
    reader = await service.open("3", client="reader")
    stalled = await service.open("3", client="stalled")  # never reads until the end
    channel = service.live("3")
    assert channel is not None
    dropped: list[str] = []
    channel.hub.on_viewer_dropped = lambda viewer: dropped.append(viewer.client)
    data = bytearray()
    async with asyncio.timeout(90):
        async for chunk in reader:
            data += chunk  # ends when the producer has made its FRAMES
    assert dropped == ["stalled"], channel.hub.chunks_published
    assert stalled.viewer.ended
    assert stalled.viewer not in channel.hub.viewers
    left_over = [chunk async for chunk in stalled]
    assert sum(len(chunk) for chunk in left_over) <= VIEWER_BYTES
    assert len(data) == channel.hub.bytes_published  # the reader got every byte
    report = check_ts(bytes(data), fps=TEST_PROFILE.fps, gop_s=TEST_PROFILE.gop_s)
    assert report.errors == []
    assert report.video_frames == FRAMES
    await reader.close()
    await stalled.close()
    await service.close()
