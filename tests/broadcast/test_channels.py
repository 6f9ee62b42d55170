"""Channel admin on SQLite and PostgreSQL: defaults, validation, update, remove, racing adds."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from retrovue.broadcast.admin.channels import (
    ChannelOptions,
    add_channel,
    remove_channel,
    update_channel,
)
from retrovue.broadcast.admin.schedule import DaySelection, assign
from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.broadcast.channels import read_channel, read_channels
from retrovue.broadcast.timeparse import machine_timezone
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.broadcast import Channel, ScheduleDay
from retrovue.errors import ConflictError, NotFoundError, ValidationError


def _count(db: Database, model: type[Channel] | type[ScheduleDay]) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_add_with_defaults(db: Database, clock: FakeClock) -> None:
    channel = add_channel(db, clock, "2", "Two")
    assert channel.number == "2"
    assert channel.timezone == machine_timezone()
    assert channel.day_start_minutes == 360
    assert channel.day_start == "06:00"
    assert (channel.grid_minutes, channel.grid_offset_minutes) == (30, 0)
    assert channel.profile == "720p"
    assert channel.mode == "normal"
    assert channel.enabled is True
    assert channel.call_sign is None
    assert channel.created_utc == clock.now_utc()
    assert read_channel(db, "2") == channel


def test_add_with_every_option(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    options = ChannelOptions(
        call_sign="KRTV",
        timezone="America/Chicago",
        day_start_minutes=5 * 60,
        grid_minutes=15,
        grid_offset_minutes=5,
        profile="1080p",
        logo=str(logo),
        mode="guide",
        audio_language="en",
        enabled=False,
    )
    channel = add_channel(db, clock, "2.1", "Two One", options)
    assert (channel.call_sign, channel.timezone, channel.day_start) == (
        "KRTV",
        "America/Chicago",
        "05:00",
    )
    assert (channel.grid_minutes, channel.grid_offset_minutes) == (15, 5)
    assert (channel.profile, channel.mode, channel.audio_language) == ("1080p", "guide", "en")
    assert channel.logo == str(logo.resolve())
    assert channel.enabled is False
    url = add_channel(db, clock, "3", "Three", ChannelOptions(logo="https://x.test/l.png"))
    assert url.logo == "https://x.test/l.png"


BAD_ADDS = [
    ("5_1", ChannelOptions(), "invalid channel number '5_1' ('_' breaks Jellyfin)"),
    ("5.1.2", ChannelOptions(), "invalid channel number '5.1.2'"),
    ("5", ChannelOptions(timezone="Mars/Olympus"), "--timezone: unknown time zone"),
    ("5", ChannelOptions(grid_minutes=7), "--grid-minutes: 7 does not divide a day"),
    ("5", ChannelOptions(grid_offset_minutes=30), "--grid-offset: 30 must be between 0 and 29"),
    ("5", ChannelOptions(grid_minutes=10, grid_offset_minutes=10), "--grid-offset: 10"),
    ("5", ChannelOptions(day_start_minutes=1440), "--day-start: 1440 minutes is outside"),
    (
        "5",
        ChannelOptions(profile="4k"),
        "--profile: '4k' is not one of 480p, 720p, 1080p, copy",
    ),
    ("5", ChannelOptions(mode="emergency"), "--mode: 'emergency' is not one of normal, guide"),
    ("5", ChannelOptions(audio_language="English"), "--audio-language: 'English' is not"),
    ("5", ChannelOptions(logo="/no/such/logo.png"), "--logo: '/no/such/logo.png' is neither"),
    ("5", ChannelOptions(call_sign="K" * 51), "--callsign: longer than 50 characters"),
]


def test_bad_input_writes_nothing(db: Database, clock: FakeClock) -> None:
    for number, options, message in BAD_ADDS:
        with pytest.raises(ValidationError) as caught:
            add_channel(db, clock, number, "Name", options)
        assert message in str(caught.value), (number, options)
        assert "\n" not in str(caught.value)
        assert _count(db, Channel) == 0


def test_blank_name_is_refused(db: Database, clock: FakeClock) -> None:
    with pytest.raises(ValidationError, match="channel name: must be 1 to 200 characters"):
        add_channel(db, clock, "5", "   ")
    assert _count(db, Channel) == 0


def test_duplicate_number_conflicts(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five")
    with pytest.raises(ConflictError, match="channel 5 already exists"):
        add_channel(db, clock, "5", "Other")
    assert [c.name for c in read_channels(db)] == ["Five"]


def test_list_is_sorted_by_guide_number(db: Database, clock: FakeClock) -> None:
    for number in ["10", "2.10", "2", "2.9", "3"]:
        add_channel(db, clock, number, f"Channel {number}")
    assert [c.number for c in read_channels(db)] == ["2", "2.9", "2.10", "3", "10"]


def test_update_changes_only_what_is_given(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five", ChannelOptions(call_sign="KFIV", audio_language="en"))
    clock.advance(60)
    updated = update_channel(
        db, clock, "5", ChannelOptions(grid_minutes=60, enabled=False, audio_language="")
    )
    assert (updated.grid_minutes, updated.enabled, updated.audio_language) == (60, False, None)
    assert updated.call_sign == "KFIV"
    assert updated.updated_utc == clock.now_utc()
    assert updated.created_utc < updated.updated_utc
    renamed = update_channel(db, clock, "5", ChannelOptions(), new_number="5.1", name="Five One")
    assert (renamed.number, renamed.name) == ("5.1", "Five One")
    with pytest.raises(NotFoundError, match="no channel '5'"):
        read_channel(db, "5")


def test_update_rejections_write_nothing(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five")
    add_channel(db, clock, "6", "Six")
    before = read_channel(db, "5")
    with pytest.raises(ValidationError, match="nothing to update"):
        update_channel(db, clock, "5", ChannelOptions())
    with pytest.raises(ConflictError, match="channel 6 already exists"):
        update_channel(db, clock, "5", ChannelOptions(), new_number="6")
    with pytest.raises(ValidationError, match="--grid-offset"):
        # the new offset is checked against the stored grid of 30
        update_channel(db, clock, "5", ChannelOptions(grid_offset_minutes=45))
    with pytest.raises(ValidationError, match="--timezone"):
        update_channel(db, clock, "5", ChannelOptions(profile="480p", timezone="Nowhere"))
    with pytest.raises(NotFoundError, match="no channel '9'"):
        update_channel(db, clock, "9", ChannelOptions(profile="480p"))
    assert read_channel(db, "5") == before


def _assigned_channel(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five")
    add_template(db, clock, "Day")
    add_block(db, clock, "Day", start_minutes=5 * 60, duration_minutes=60, rule_json={})
    add_block(db, clock, "Day", start_minutes=6 * 60 + 30, duration_minutes=30, rule_json={})
    assign(db, clock, "5", "Day", DaySelection.default())
    assign(db, clock, "5", "Day", DaySelection.on_weekdays((5, 6)))


def test_update_keeps_assigned_templates_on_the_grid(db: Database, clock: FakeClock) -> None:
    _assigned_channel(db, clock)
    before = read_channel(db, "5")
    with pytest.raises(
        ValidationError, match=r"template 'Day': block 06:30-07:00 .* does not start"
    ):
        update_channel(db, clock, "5", ChannelOptions(grid_minutes=60))
    with pytest.raises(ValidationError, match="runs past the day start 05:30 of channel 5"):
        update_channel(db, clock, "5", ChannelOptions(day_start_minutes=5 * 60 + 30))
    assert read_channel(db, "5") == before
    moved = update_channel(db, clock, "5", ChannelOptions(day_start_minutes=5 * 60))
    assert moved.day_start == "05:00"


def test_remove_refuses_while_assigned_unless_forced(db: Database, clock: FakeClock) -> None:
    _assigned_channel(db, clock)
    with pytest.raises(ConflictError, match="channel 5 has 3 schedule assignment"):
        remove_channel(db, "5")
    assert _count(db, Channel) == 1
    assert _count(db, ScheduleDay) == 3
    assert remove_channel(db, "5", force=True) == 3
    assert _count(db, Channel) == 0
    assert _count(db, ScheduleDay) == 0
    with pytest.raises(NotFoundError):
        remove_channel(db, "5")


def test_remove_unassigned_channel(db: Database, clock: FakeClock) -> None:
    add_channel(db, clock, "5", "Five")
    assert remove_channel(db, "5") == 0
    assert read_channels(db) == []


def _race(db: Database, clock: FakeClock, count: int) -> list[object]:
    barrier = threading.Barrier(count)
    outcomes: list[object] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        barrier.wait()
        try:
            result: object = add_channel(db, clock, "5", f"Writer {index}")
        except ConflictError as err:
            result = err
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_writers_racing_on_one_number(db: Database, clock: FakeClock) -> None:
    outcomes = _race(db, clock, 2)
    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(outcomes) == 2
    assert len(conflicts) == 1
    assert str(conflicts[0]) == "channel 5 already exists (choose another number)"
    assert _count(db, Channel) == 1


def test_writer_blocked_behind_an_uncommitted_insert(db: Database, clock: FakeClock) -> None:
    """The second writer passes its existence check before the first commits (PostgreSQL) or
    waits for the write lock (SQLite); either way it ends with a clean ConflictError."""
    outcome: list[object] = []

    def second() -> None:
        try:
            outcome.append(add_channel(db, clock, "5", "Second"))
        except ConflictError as err:
            outcome.append(err)

    thread = threading.Thread(target=second)
    now = clock.now_utc()
    with db.transaction(immediate=True) as session:
        session.add(
            Channel(number="5", name="First", timezone="UTC", created_utc=now, updated_utc=now)
        )
        session.flush()
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive()  # blocked on the first writer
    thread.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], ConflictError)
    assert [c.name for c in read_channels(db)] == ["First"]
