"""The gain that brings an item to the channel's loudness target without clipping.

``gain_db = target - integrated``, capped so the item's true peak after the gain stays at or
below :data:`TRUE_PEAK_CEILING_DBTP`, and so that a nearly silent file is not raised by more
than :data:`MAX_BOOST_DB` (its noise would come up with it). An item without a measurement plays
at unity gain (0 dB).
"""

from __future__ import annotations

import math

TRUE_PEAK_CEILING_DBTP = -1.0  # EBU R128 / ATSC A/85 headroom for the AAC encoder's overshoot
MAX_BOOST_DB = 20.0


def loudness_gain_db(
    target_lufs: float, integrated_lufs: float | None, true_peak_dbtp: float | None
) -> float:
    """The gain (dB) for an item measured at ``integrated_lufs`` with ``true_peak_dbtp``."""
    if integrated_lufs is None or not math.isfinite(integrated_lufs):
        return 0.0
    gain = min(target_lufs - integrated_lufs, MAX_BOOST_DB)
    if true_peak_dbtp is not None and math.isfinite(true_peak_dbtp):
        gain = min(gain, TRUE_PEAK_CEILING_DBTP - true_peak_dbtp)
    return round(gain, 2)


def db_to_linear(gain_db: float) -> float:
    return float(10 ** (gain_db / 20))
