"""The one early-end rule: when a file that stopped giving pictures is a fault.

A file may simply be shorter than its slot (the rest of the slot is a plain slate). It is a fault
(truncated or corrupt: technical-difficulties slate, as-run ``failed``) when its pictures stop
more than ``EARLY_END_TOLERANCE_S`` before the duration its container declares or, when it
declares none, more than ``UNDECLARED_SLOT_LEFT_S`` before the end of its slot. The tolerance
covers what a healthy file does at its end: containers that count their audio (or an encoder's
priming) in the duration, and stream copy, which cuts and counts in whole frame groups.
"""

from __future__ import annotations

EARLY_END_TOLERANCE_S = 1.0
UNDECLARED_SLOT_LEFT_S = 2.0


def early_end_fault(
    path: str, declared_s: float | None, position_s: float, slot_left_s: float
) -> str | None:
    """Why a file that stopped at ``position_s`` (seconds of the file), ``slot_left_s`` before
    the end of its slot, is a fault; None when it simply ended."""
    if declared_s is not None:
        if position_s < declared_s - EARLY_END_TOLERANCE_S:
            return (
                f"{path} stopped at {position_s:.1f} s of its declared "
                f"{declared_s:.1f} s (truncated or corrupt)"
            )
        return None
    if slot_left_s > UNDECLARED_SLOT_LEFT_S:
        return f"{path} ended {slot_left_s:.1f} s before the end of its slot (truncated?)"
    return None
