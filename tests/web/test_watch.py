"""The browser stream: fragmented MP4 (H.264 + AAC) remuxed from the channel's own stream,
counted as a viewer, taking no tuner."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import av
import pytest

from tests.web.conftest import Served

pytestmark = pytest.mark.timeout(90)
WANTED_BYTES = 200_000


async def _json(served: Served, path: str) -> Any:
    async with served.http.get(served.base + path) as response:
        return await response.json()


async def test_watch_stream_is_playable_mp4_and_takes_no_tuner(live_served: Served) -> None:
    served = live_served
    body = bytearray()
    async with served.http.get(served.base + "/watch/7/stream.mp4") as response:
        assert response.status == 200
        assert response.content_type == "video/mp4"
        async for chunk in response.content.iter_chunked(65536):
            body.extend(chunk)
            if len(body) >= WANTED_BYTES:
                break
        during = await _json(served, "/api/v1/on-now")
    assert during["channels"][0]["viewers"] == 1
    assert during["tuners_in_use"] == 0
    assert bytes(body[4:8]) == b"ftyp"
    with av.open(io.BytesIO(bytes(body)), format="mp4") as container:
        kinds = {s.type: s.codec_context.name for s in container.streams}
        assert kinds == {"video": "h264", "audio": "aac"}
        frames = []
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) >= 10:
                break
    assert frames[0].time == pytest.approx(0.0, abs=0.05)  # starts at zero, on a keyframe
    gray = bytes(frames[-1].reformat(format="gray").planes[0])
    assert sum(gray) / len(gray) > 10
    for _ in range(100):  # the viewer is gone once the browser leaves
        after = await _json(served, "/api/v1/on-now")
        if after["channels"][0]["viewers"] == 0:
            break
        await asyncio.sleep(0.05)
    assert after["channels"][0]["viewers"] == 0


async def test_unknown_channel(served: Served) -> None:
    async with served.http.get(served.base + "/watch/99/stream.mp4") as response:
        assert response.status == 404
