"""One filter graph per source: deinterlace, scale keeping the aspect, pad, square pixels.

The graph is built once from the first decoded frame and reused for every frame of that source
(``frame.reformat`` per frame would build a scaler each time). It is skipped entirely when the
source already matches the profile. Frames keep their source ``pts`` (the caller picks by time).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import av

from retrovue.runtime.playout.profiles import OutputProfile


def fitted_size(
    width: int, height: int, sar: Fraction | None, box_w: int, box_h: int
) -> tuple[int, int]:
    """The largest even size inside ``box`` with the source's display aspect ratio."""
    ratio = Fraction(width, height) * (sar if sar and sar > 0 else 1)
    if ratio >= Fraction(box_w, box_h):
        out_w, out_h = box_w, round(box_w / ratio)
    else:
        out_w, out_h = round(box_h * ratio), box_h
    return max(2, out_w - out_w % 2), max(2, out_h - out_h % 2)


def needs_filter(frame: av.VideoFrame, sar: Fraction | None, profile: OutputProfile) -> bool:
    square = sar is None or sar in {0, 1}
    return not (
        frame.width == profile.width
        and frame.height == profile.height
        and frame.format.name == "yuv420p"
        and square
        and not frame.interlaced_frame
    )


class VideoFilter:
    """Decoded frames in, profile-sized yuv420p frames out (same pts), one graph for the source."""

    def __init__(
        self,
        first: av.VideoFrame,
        sar: Fraction | None,
        time_base: Fraction,
        profile: OutputProfile,
    ) -> None:
        self._graph = av.filter.Graph()
        width, height = first.width, first.height
        pixel_aspect = sar if sar and sar > 0 else Fraction(1)
        source = self._graph.add(
            "buffer",
            video_size=f"{width}x{height}",
            pix_fmt=first.format.name,
            time_base=str(time_base),
            pixel_aspect=f"{pixel_aspect.numerator}/{pixel_aspect.denominator}",
        )
        chain = [source]
        if first.interlaced_frame:
            chain.append(self._graph.add("yadif", "mode=send_frame:parity=auto:deint=all"))
        out_w, out_h = fitted_size(width, height, sar, profile.width, profile.height)
        chain.append(self._graph.add("scale", f"{out_w}:{out_h}"))
        pad_x, pad_y = (profile.width - out_w) // 2, (profile.height - out_h) // 2
        chain.append(
            self._graph.add("pad", f"{profile.width}:{profile.height}:{pad_x}:{pad_y}:black")
        )
        chain.append(self._graph.add("setsar", "1"))
        chain.append(self._graph.add("format", "yuv420p"))
        chain.append(self._graph.add("buffersink"))
        for upstream, downstream in itertools.pairwise(chain):
            upstream.link_to(downstream)
        self._graph.configure()
        self.deinterlacing = bool(first.interlaced_frame)

    def push(self, frame: av.VideoFrame | None) -> list[av.VideoFrame]:
        """Push one frame (None flushes at the end of the source); return what came out."""
        self._graph.push(frame)
        out: list[av.VideoFrame] = []
        while True:
            try:
                pulled = self._graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return out
            if isinstance(pulled, av.VideoFrame):
                out.append(pulled)
