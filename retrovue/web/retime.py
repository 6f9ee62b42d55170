"""Where each packet of a live TS lands on the browser stream's timeline (pure).

The browser's MP4 starts at zero on the first video keyframe. When the channel's stream starts
its timestamps over (a producer worker replaced after a crash sends a new IDR with counters and
timestamps reset), or leaps ahead, the remux would stall or break on the backward step; instead
the timeline waits for the next video keyframe and continues one frame after the last one, so the
browser plays on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

JUMP_S = Fraction(2)  # a video step backwards, or forward by more than this, is a discontinuity
DEFAULT_FRAME_S = Fraction(1, 25)


@dataclass
class Retimer:
    offset_s: Fraction | None = None  # output time = input time - offset
    waiting_for_key: bool = True
    last_in_s: dict[str, Fraction] = field(default_factory=dict)
    last_out_s: dict[str, Fraction] = field(default_factory=dict)
    frame_s: Fraction = DEFAULT_FRAME_S
    rebases: int = 0  # discontinuities bridged (for logs and tests)

    def place(self, kind: str, dts_s: Fraction, keyframe: bool) -> Fraction | None:
        """The shift (input minus output seconds) for this packet, or ``None`` to drop it."""
        if kind == "video":
            return self._video(dts_s, keyframe)
        return self._other(kind, dts_s)

    def _video(self, dts_s: Fraction, keyframe: bool) -> Fraction | None:
        last = self.last_in_s.get("video")
        if last is not None:
            step = dts_s - last
            if step <= 0 or step > JUMP_S:
                self.waiting_for_key = True
            elif not self.waiting_for_key:
                self.frame_s = step
        self.last_in_s["video"] = dts_s
        if self.waiting_for_key:
            if not keyframe:
                return None
            previous = self.last_out_s.get("video")
            if previous is None:
                self.offset_s = dts_s
            else:
                self.offset_s = dts_s - (previous + self.frame_s)
                self.rebases += 1
            self.waiting_for_key = False
        if self.offset_s is None:  # not reached: a keyframe always sets it
            return None
        self.last_out_s["video"] = dts_s - self.offset_s
        return self.offset_s

    def _other(self, kind: str, dts_s: Fraction) -> Fraction | None:
        if self.offset_s is None or self.waiting_for_key:
            return None
        out_s = dts_s - self.offset_s
        previous = self.last_out_s.get(kind)
        video_s = self.last_out_s.get("video", Fraction(0))
        if out_s < 0 or (previous is not None and out_s <= previous) or out_s > video_s + JUMP_S:
            return None  # before the start, out of order, or from the other side of a jump
        self.last_out_s[kind] = out_s
        return self.offset_s
