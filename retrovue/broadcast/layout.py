"""Pure checks of channel numbers, grids and template blocks (no I/O).

Times are minutes: a block starts ``start_minutes`` after local midnight and lasts
``duration_minutes``. A template is channel-independent, so blocks are arcs on the 24-hour circle;
against a channel they are placed in "minutes since the channel's day start".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrovue.broadcast.timeparse import MINUTES_PER_DAY, format_hhmm, format_minutes
from retrovue.errors import ValidationError

GUIDE_NUMBER_MAX_LENGTH = 20
_GUIDE_NUMBER_RE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")


@dataclass(frozen=True)
class BlockSpan:
    """Where a block sits in the local day (what the overlap and grid checks need)."""

    start_minutes: int
    duration_minutes: int
    label: str = ""

    def describe(self) -> str:
        name = f" {self.label!r}" if self.label else ""
        end = format_hhmm(self.start_minutes + self.duration_minutes)
        span = f"{format_hhmm(self.start_minutes)}-{end}"
        return f"block{name} {span} ({format_minutes(self.duration_minutes)})"


def check_guide_number(number: str) -> str:
    """``2`` or ``2.1``: digits with at most one dot, no leading zero, never ``_``."""
    if _GUIDE_NUMBER_RE.fullmatch(number) is None or len(number) > GUIDE_NUMBER_MAX_LENGTH:
        hint = " ('_' breaks Jellyfin)" if "_" in number else ""
        raise ValidationError(
            f"invalid channel number {number!r}{hint}: use digits with at most one dot, "
            f"like 2 or 2.1 (no leading zero, at most {GUIDE_NUMBER_MAX_LENGTH} characters)"
        )
    return number


def check_grid(grid_minutes: int, grid_offset_minutes: int) -> None:
    """The grid must divide a day; its offset lies in 0 .. grid - 1."""
    if grid_minutes <= 0 or MINUTES_PER_DAY % grid_minutes:
        raise ValidationError(
            f"--grid-minutes: {grid_minutes} does not divide a day of 1440 minutes "
            "(use 1, 5, 10, 15, 20, 30, 60 ...)"
        )
    if not 0 <= grid_offset_minutes < grid_minutes:
        raise ValidationError(
            f"--grid-offset: {grid_offset_minutes} must be between 0 and {grid_minutes - 1} "
            f"(less than the grid of {grid_minutes} minutes)"
        )


def check_day_start(day_start_minutes: int) -> None:
    if not 0 <= day_start_minutes < MINUTES_PER_DAY:
        raise ValidationError(f"--day-start: {day_start_minutes} minutes is outside 00:00-23:59")


def arcs_overlap(first: BlockSpan, second: BlockSpan) -> bool:
    """Do two blocks share a minute on the 24-hour circle?"""
    gap_after_first = (second.start_minutes - first.start_minutes) % MINUTES_PER_DAY
    gap_after_second = (first.start_minutes - second.start_minutes) % MINUTES_PER_DAY
    return gap_after_first < first.duration_minutes or gap_after_second < second.duration_minutes


def check_new_block(existing: Iterable[BlockSpan], new: BlockSpan) -> None:
    """A new block fits the template: within 24 h in total and overlapping no other block."""
    if not 0 <= new.start_minutes < MINUTES_PER_DAY:
        raise ValidationError(f"--start: {new.start_minutes} minutes is outside 00:00-23:59")
    if not 0 < new.duration_minutes <= MINUTES_PER_DAY:
        raise ValidationError("--duration: must be more than 0 and at most 24h")
    blocks = list(existing)
    for block in blocks:
        if arcs_overlap(block, new):
            raise ValidationError(f"{new.describe()} overlaps {block.describe()}")
    total = new.duration_minutes + sum(block.duration_minutes for block in blocks)
    if total > MINUTES_PER_DAY:
        raise ValidationError(f"{new.describe()} makes the template longer than 24h")


def minutes_since_day_start(start_minutes: int, day_start_minutes: int) -> int:
    """Local start time -> position in the broadcast day (05:00 with day start 06:00 -> 1380)."""
    return (start_minutes - day_start_minutes) % MINUTES_PER_DAY


@dataclass(frozen=True)
class ChannelGrid:
    """The parts of a channel a template is checked against."""

    number: str
    day_start_minutes: int
    grid_minutes: int
    grid_offset_minutes: int


def block_problem(block: BlockSpan, channel: ChannelGrid) -> str | None:
    """Why ``block`` cannot air on ``channel`` (off its grid, or across its day start), or None."""
    grid, offset = channel.grid_minutes, channel.grid_offset_minutes
    where = f"channel {channel.number} (grid {grid} min, offset {offset})"
    if (block.start_minutes - offset) % grid:
        return f"{block.describe()} does not start on the grid of {where}"
    if block.duration_minutes % grid:
        return f"{block.describe()} is not a whole number of grid slots of {where}"
    position = minutes_since_day_start(block.start_minutes, channel.day_start_minutes)
    if position + block.duration_minutes > MINUTES_PER_DAY:
        day_start = format_hhmm(channel.day_start_minutes)
        return f"{block.describe()} runs past the day start {day_start} of channel {channel.number}"
    return None


def check_blocks_fit_channel(
    blocks: Iterable[BlockSpan], channel: ChannelGrid, template: str
) -> None:
    for block in blocks:
        problem = block_problem(block, channel)
        if problem is not None:
            raise ValidationError(f"template {template!r}: {problem}")
