"""One broadcast day of playlog and as-run on a New York channel, with every kind of difference."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from retrovue.db import Database
from retrovue.runtime.onair.asrun import AsRunRecorder
from tests.runtime_ops.seed import Event, add_asset, add_channel, add_events

DAY = date(2026, 3, 2)  # broadcast day in New York: 11:00 UTC on Mar 2 to 11:00 UTC on Mar 3
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NUMBER = "7"


@dataclass(frozen=True)
class Gap:
    start_utc: datetime
    end_utc: datetime
    kind: str = "slate"
    title: str = "Off air"
    event_id: int | None = None
    catalog_asset_id: int | None = None


@dataclass(frozen=True)
class Substitute:
    start_utc: datetime
    end_utc: datetime
    kind: str
    title: str
    event_id: int | None
    catalog_asset_id: int | None


def seed_day(database: Database) -> list[Event]:
    channel_id = add_channel(database, NUMBER, "Seven", timezone="America/New_York", at_utc=START)
    planned_asset = add_asset(database, "G", at_utc=START)
    other_asset = add_asset(database, "Other", at_utc=START)
    events = add_events(
        database,
        channel_id,
        DAY,
        START,
        [
            (kind, title, 30, planned_asset if title == "G" else None)
            for kind, title in (
                ("programme", "A"),  # aired as planned
                ("programme", "B"),  # 10 s late
                ("programme", "C"),  # joined 10 min in: not late
                ("programme", "D"),  # failed, then a slate
                ("programme", "E"),  # cut short
                ("programme", "F"),  # never on air
                ("programme", "G"),  # another asset played
            )
        ],
    )
    a, b, c, d, e, _f, g = events
    s = timedelta(seconds=1)
    recorder = AsRunRecorder(database)

    def run(
        item: object,
        start: datetime,
        offset_ms: int,
        end: datetime,
        status: str,
        error: str | None = None,
    ) -> None:
        handle = recorder.started(channel_id, item, start, offset_ms)  # type: ignore[arg-type]
        recorder.finished(handle, end, status, error)

    earlier = Gap(START - timedelta(hours=2), START - timedelta(hours=1))
    run(earlier, earlier.start_utc, 0, earlier.end_utc, "aired")  # previous broadcast day
    run(a, a.start_utc, 0, a.end_utc, "aired")
    run(b, b.start_utc + 10 * s, 0, b.end_utc, "aired")
    run(c, c.start_utc + timedelta(minutes=10), 600_000, c.end_utc, "aired")
    run(d, d.start_utc, 0, d.start_utc + s, "failed", "cannot open /m/d.mkv: No such file")
    slate = Substitute(d.start_utc, d.end_utc, "slate", "Technical difficulties", d.event_id, None)
    run(slate, d.start_utc + s, 1000, d.end_utc, "aired")
    run(e, e.start_utc, 0, e.start_utc + timedelta(minutes=20), "cut")
    other = Substitute(g.start_utc, g.end_utc, "programme", "Other", g.event_id, other_asset)
    run(other, g.start_utc, 0, g.end_utc, "aired")
    gap = Gap(g.end_utc, g.end_utc + timedelta(minutes=5))
    run(gap, gap.start_utc, 0, gap.end_utc, "aired")
    assert recorder.flush()
    recorder.close()
    return events
