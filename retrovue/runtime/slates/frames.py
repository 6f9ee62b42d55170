"""Turn a pure slate picture (``slates.YuvPicture``) into an ``av.VideoFrame`` for the encoder."""

from __future__ import annotations

from typing import Any

import av

from retrovue.runtime.slates.pictures import YuvPicture


def _fill(plane: Any, data: bytes, width: int, height: int) -> None:
    stride = plane.line_size
    if stride == width:
        plane.update(data)
        return
    padded = bytearray(stride * height)
    for row in range(height):
        padded[row * stride : row * stride + width] = data[row * width : (row + 1) * width]
    plane.update(bytes(padded))


def to_video_frame(picture: YuvPicture) -> av.VideoFrame:
    """A new yuv420p frame holding ``picture`` (plane strides honoured). Build it once per
    picture and re-encode it: set ``pts`` and ``pict_type`` on each use as for any frame."""
    frame = av.VideoFrame(picture.width, picture.height, "yuv420p")
    half_w, half_h = picture.width // 2, picture.height // 2
    _fill(frame.planes[0], picture.y, picture.width, picture.height)
    _fill(frame.planes[1], picture.u, half_w, half_h)
    _fill(frame.planes[2], picture.v, half_w, half_h)
    return frame


def to_bytes_frame(picture: YuvPicture) -> bytes:
    """The picture as one contiguous yuv420p buffer (Y then U then V), e.g. for a pipe."""
    return picture.y + picture.u + picture.v
