"""Thumbnails: a real frame of what is on (at the scheduled offset) and of a library asset."""

from __future__ import annotations

import io

import av
import pytest

from retrovue.clock import FakeClock
from retrovue.testing.media import read_frame_code
from retrovue.web.context import WEB_CONTEXT
from tests.web.conftest import Served
from tests.web.station import CLIP_S, FPS

pytestmark = pytest.mark.timeout(60)


def _decode(body: bytes) -> av.VideoFrame:
    with av.open(io.BytesIO(body), format="mjpeg") as container:
        return next(container.decode(video=0))


async def _jpeg(served: Served, path: str) -> bytes:
    async with served.http.get(served.base + path) as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "image/jpeg"
        return await response.read()


async def test_on_now_thumbnail_is_the_scheduled_frame(served: Served) -> None:
    async with served.http.get(served.base + "/api/v1/on-now") as response:
        now = (await response.json())["channels"][0]["now"]
    frame = _decode(await _jpeg(served, "/api/v1/channels/7/thumbnail.jpg"))
    assert (frame.width, frame.height) == (320, 240)
    gray = frame.reformat(format="gray")
    luma = bytes(gray.planes[0])
    assert sum(luma) / len(luma) > 10  # not black
    expected_tag = {"Pilot": 1, "Second": 2, "Third": 3}[now["episode_title"]]
    tag, index = read_frame_code(frame)
    assert tag == expected_tag
    clip_frames = int(CLIP_S * FPS)  # the episode loops one clip
    expected = round(now["asset_offset_ms"] * FPS / 1000) % clip_frames
    distance = abs(index - expected)
    assert min(distance, clip_frames - distance) <= 1  # the frame at the offset
    cache = served.appliance.station.app[WEB_CONTEXT].thumbnails
    grabs = cache.grabs
    await _jpeg(served, "/api/v1/channels/7/thumbnail.jpg")
    assert cache.grabs == grabs  # served from the cache
    assert isinstance(served.clock, FakeClock)
    served.clock.advance(30)
    await _jpeg(served, "/api/v1/channels/7/thumbnail.jpg")
    assert cache.grabs == grabs + 1  # stale after the cache time


async def test_asset_thumbnail(served: Served) -> None:
    frame = _decode(
        await _jpeg(served, f"/api/v1/assets/{served.station.pending_id}/thumbnail.jpg")
    )
    assert frame.width == 320
    async with served.http.get(served.base + "/api/v1/assets/999/thumbnail.jpg") as response:
        assert response.status == 404
        assert "999" in (await response.json())["error"]
