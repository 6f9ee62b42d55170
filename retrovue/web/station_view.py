"""The web side's one window on the runtime: live viewers, tuners, the as-run log, streams.

Every import of ``retrovue.runtime`` made by ``retrovue.web`` is in this module, so the runtime
can move its modules around and only this file follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.hdhr.state import HdhrState
from retrovue.runtime.interface import StreamService, StreamSession
from retrovue.runtime.onair.asrun_report import AsRunDay, AsRunEntry, show_day
from retrovue.runtime.service import RuntimeStreamService

__all__ = ["AsRunDay", "AsRunEntry", "StationView", "StreamSession", "TunerInUse"]


@dataclass(frozen=True)
class TunerInUse:
    index: int
    channel: str | None  # None: the tuner is free
    channel_name: str | None
    client: str | None


class StationView:
    """Reads what the runtime knows now; opens viewer streams that take no tuner."""

    def __init__(self, streams: RuntimeStreamService, database: Database, clock: Clock) -> None:
        self._streams = streams
        self._database = database
        self._clock = clock

    @property
    def stream_service(self) -> StreamService:
        return self._streams

    def viewers(self) -> dict[str, int]:
        """Viewers per live channel (DVR streams and browser viewers alike); event loop only."""
        return {stats.number: stats.viewers for stats in self._streams.channel_stats()}

    @staticmethod
    def tuners(state: HdhrState) -> list[TunerInUse]:
        return [
            TunerInUse(
                index=tuner.index,
                channel=None if tuner.use is None else tuner.use.channel_number,
                channel_name=None if tuner.use is None else tuner.use.channel_name,
                client=None if tuner.use is None else tuner.use.client,
            )
            for tuner in state.tuners.states()
        ]

    async def open_viewer(self, number: str, client: str) -> StreamSession:
        """A viewer of the channel's shared stream: counted by the hub, no tuner slot taken."""
        return await self._streams.open(number, client=client)

    def as_run(self, number: str, day: date | None) -> AsRunDay:
        return show_day(self._database, self._clock, number, day)


def as_run_json(entry: AsRunEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title,
        "status": entry.status,
        "planned_start_utc": entry.planned_start_utc,
        "planned_end_utc": entry.planned_end_utc,
        "actual_start_utc": entry.actual_start_utc,
        "actual_end_utc": entry.actual_end_utc,
        "offset_ms": entry.offset_ms,
        "error": entry.error,
        "playlog_event_id": entry.playlog_event_id,
        "catalog_asset_id": entry.catalog_asset_id,
    }
