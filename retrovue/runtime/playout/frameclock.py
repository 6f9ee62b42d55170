"""The output clock of one producer: output frame ``n`` shows the instant ``start + n / rate``."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from fractions import Fraction


class FrameClock:
    """Integer arithmetic (it runs per output step): microseconds rounded half up."""

    def __init__(self, start_utc: datetime, rate: Fraction) -> None:
        self.start_utc = start_utc
        self.rate = rate
        self._num, self._den = rate.numerator, rate.denominator

    def utc(self, frame: int) -> datetime:
        """The instant output frame ``frame`` shows."""
        micros = (2 * frame * 1_000_000 * self._den + self._num) // (2 * self._num)
        return self.start_utc + timedelta(microseconds=micros)

    def seconds(self, frame: int) -> float:
        """Output seconds from the start to frame ``frame``."""
        return frame * self._den / self._num

    def first_frame_at(self, at_utc: datetime) -> int:
        """The first output frame shown at or after ``at_utc``."""
        micros = round((at_utc - self.start_utc).total_seconds() * 1_000_000)
        frame = math.ceil(Fraction(micros, 1_000_000) * self.rate)
        while self.utc(frame) < at_utc:
            frame += 1
        while frame > 0 and self.utc(frame - 1) >= at_utc:
            frame -= 1
        return frame
