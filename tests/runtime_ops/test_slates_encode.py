"""Each slate encodes to H.264 in MPEG-TS with PyAV and decodes back to the same picture."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import av
import pytest

from retrovue.runtime.slates import pictures as slates
from retrovue.runtime.slates.frames import to_bytes_frame, to_video_frame
from retrovue.runtime.slates.pictures import GuideListing, ListingEntry, ListingRow, YuvPicture

W, H = 640, 360
FRAMES = 12
T = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _pictures() -> dict[str, YuvPicture]:
    entry = ListingEntry("News", T, T + timedelta(minutes=30))
    listing = GuideListing(T, "Europe/Paris", (ListingRow("2", "Two", entry, None),))
    return {
        "technical": slates.technical_difficulties(W, H, "Channel Two"),
        "emergency": slates.emergency(W, H, "Evacuate the studio now", channel_name="Two"),
        "guide": slates.guide_listing(W, H, listing),
    }


def _encode(picture: YuvPicture) -> bytes:
    sink = io.BytesIO()
    with av.open(sink, "w", format="mpegts") as out:
        stream = out.add_stream("libx264", rate=Fraction(25), options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        frame = to_video_frame(picture)
        for index in range(FRAMES):
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return sink.getvalue()


def _decode(data: bytes) -> list[av.VideoFrame]:
    with av.open(io.BytesIO(data), format="mpegts") as container:
        assert container.streams.video[0].codec_context.name == "h264"
        return list(container.decode(video=0))


@pytest.mark.parametrize("name", ["technical", "emergency", "guide"])
def test_slate_survives_h264_in_mpegts(name: str) -> None:
    picture = _pictures()[name]
    data = _encode(picture)
    assert data[0] == 0x47
    assert len(data) % 188 == 0
    frames = _decode(data)
    assert len(frames) == FRAMES
    decoded = frames[-1].reformat(format="yuv420p")
    assert (decoded.width, decoded.height) == (W, H)
    luma = decoded.planes[0]
    rows = [bytes(luma)[r * luma.line_size : r * luma.line_size + W] for r in range(H)]
    got = b"".join(rows)
    error = sum(abs(a - b) for a, b in zip(got, picture.y, strict=True)) / len(got)
    assert error < 4.0, f"{name}: mean luma error {error:.2f}"
    others = [p for n, p in _pictures().items() if n != name]
    for other in others:  # the decoded picture is this slate, not another one
        far = sum(abs(a - b) for a, b in zip(got, other.y, strict=True)) / len(got)
        assert far > error * 3


def test_bytes_frame_is_y_then_u_then_v() -> None:
    picture = _pictures()["technical"]
    data = to_bytes_frame(picture)
    assert len(data) == W * H * 3 // 2
    assert data[: W * H] == picture.y
    assert data[W * H + W * H // 4 :] == picture.v
