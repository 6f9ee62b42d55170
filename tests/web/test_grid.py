"""The guide grid's layout (pure): positions, clipping at the edges, the now line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from retrovue.guide.model import GuideChannel, GuideEntry, GuideProgramme
from retrovue.web.grid import PX_PER_MINUTE, day_starts, layout

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _entry(channel: GuideChannel, minutes_from: int, minutes_to: int, title: str) -> GuideEntry:
    return GuideEntry(
        channel.xmltv_id,
        START + timedelta(minutes=minutes_from),
        START + timedelta(minutes=minutes_to),
        GuideProgramme(title),
    )


def test_cells_sit_at_their_time_and_are_clipped_to_the_window() -> None:
    berlin = GuideChannel(1, "5", "Five", timezone="Europe/Berlin")
    entries = [
        _entry(berlin, -15, 30, "Before"),
        _entry(berlin, 30, 90, "Inside"),
        _entry(berlin, 90, 200, "After"),
    ]
    grid = layout((berlin,), entries, START, START + timedelta(hours=2), START, "UTC")
    [row] = grid.rows
    before, inside, after = row.cells
    assert (before.left_px, before.width_px) == (0, 30 * PX_PER_MINUTE)
    assert (inside.left_px, inside.width_px) == (30 * PX_PER_MINUTE, 60 * PX_PER_MINUTE)
    assert after.width_px == 30 * PX_PER_MINUTE
    assert (inside.start_local, inside.stop_local) == ("13:30", "14:30")  # the channel's zone
    assert before.on_now
    assert not inside.on_now
    assert [c.label for c in grid.columns] == ["12:00", "12:30", "13:00", "13:30"]
    assert grid.now_px == 0
    assert grid.width_px == 120 * PX_PER_MINUTE


def test_now_outside_the_window_draws_no_line() -> None:
    channel = GuideChannel(1, "5", "Five")
    later = START + timedelta(days=1)
    grid = layout((channel,), [], later, later + timedelta(hours=1), START, "UTC")
    assert grid.now_px is None
    assert grid.rows[0].cells == ()


def test_fourteen_local_midnights() -> None:
    days = day_starts(START, "America/New_York", 14)
    assert len(days) == 14
    assert days[0] == datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert days[7] == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)  # after the DST change
