"""The sync policy's decision, a pure function of (policy, last sync start, now)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from retrovue.errors import ValidationError
from retrovue.library.sync_policy import (
    SyncPolicy,
    duration_text,
    is_due,
    next_due_utc,
    parse_at,
    parse_every,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BERLIN = "Europe/Berlin"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("6h", 21_600), ("90m", 5_400), ("1d", 86_400), ("1h30m", 5_400), (" 2H ", 7_200)],
)
def test_parse_every(text: str, seconds: int) -> None:
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["", "6", "h", "6x", "1m", "-1h", "6h junk"])
def test_parse_every_refuses(text: str) -> None:
    with pytest.raises(ValidationError, match="--sync-every"):
        parse_every(text)


def test_parse_at_and_texts() -> None:
    assert parse_at("03:30") == time(3, 30)
    assert parse_at("3:05") == time(3, 5)
    for bad in ("24:00", "03:60", "0330", "noon"):
        with pytest.raises(ValidationError, match="--sync-at"):
            parse_at(bad)
    assert duration_text(5_400) == "1h30m"
    assert SyncPolicy(every_s=21_600).describe() == "every 6h"
    assert SyncPolicy(at=time(3, 30), timezone=BERLIN).describe() == "daily 03:30 Europe/Berlin"
    assert SyncPolicy().describe() == "manual"


def test_manual_is_never_due() -> None:
    assert next_due_utc(SyncPolicy(), None, NOW) is None
    assert not is_due(SyncPolicy(), NOW - timedelta(days=30), NOW)


def test_every_counts_from_the_last_start() -> None:
    policy = SyncPolicy(every_s=6 * 3600)
    assert next_due_utc(policy, None, NOW) == NOW  # never synced: at once
    last = NOW - timedelta(hours=5, minutes=59)
    assert not is_due(policy, last, NOW)
    assert next_due_utc(policy, last, NOW) == last + timedelta(hours=6)
    assert is_due(policy, last, NOW + timedelta(minutes=1))


def test_daily_in_a_time_zone() -> None:
    policy = SyncPolicy(at=time(3, 30), timezone=BERLIN)
    # 2026-03-02 is winter time: 03:30 in Berlin is 02:30 UTC
    assert next_due_utc(policy, None, NOW) == _utc("2026-03-03 02:30")  # never synced: next 03:30
    synced_today = _utc("2026-03-02 02:30:04")
    assert not is_due(policy, synced_today, NOW)
    assert next_due_utc(policy, synced_today, NOW) == _utc("2026-03-03 02:30")
    # off for three nights: due once, now, and after that sync the next night
    old = _utc("2026-02-27 02:30:10")
    assert next_due_utc(policy, old, NOW) == _utc("2026-02-28 02:30")
    assert is_due(policy, old, NOW)
    # a manual sync in the evening counts: the next run is the following night
    evening = _utc("2026-03-02 19:00")
    assert next_due_utc(policy, evening, evening) == _utc("2026-03-03 02:30")


def test_daily_across_daylight_saving_changes() -> None:
    skipped = SyncPolicy(at=time(2, 30), timezone=BERLIN)  # 2026-03-29: 02:00 -> 03:00
    before = _utc("2026-03-28 12:00")
    assert next_due_utc(skipped, before, before) == _utc("2026-03-29 01:00")  # when clocks jump
    after = _utc("2026-03-29 01:00:30")
    assert next_due_utc(skipped, after, after) == _utc("2026-03-30 00:30")  # summer time
    repeated = SyncPolicy(at=time(2, 30), timezone=BERLIN)  # 2026-10-25: 03:00 -> 02:00
    october = _utc("2026-10-24 12:00")
    assert next_due_utc(repeated, october, october) == _utc("2026-10-25 00:30")  # the first 02:30
    first_run = _utc("2026-10-25 00:30:02")
    assert next_due_utc(repeated, first_run, first_run) == _utc("2026-10-26 01:30")  # once
