"""Everything the network side reads: the device, the tuner pool, the lineup, the streams."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from retrovue.clock import Clock
from retrovue.hdhr.device import Device
from retrovue.hdhr.documents import ScanState
from retrovue.hdhr.getset import StationView
from retrovue.hdhr.lineup import LineupCache, LineupChannel
from retrovue.hdhr.tuners import TunerPool
from retrovue.runtime.interface import StreamService


@dataclass
class HdhrState:
    device: Device
    tuners: TunerPool
    lineup: LineupCache
    streams: StreamService
    clock: Clock
    scan: ScanState = field(default_factory=ScanState)
    stream_tasks: set[asyncio.Task[object]] = field(default_factory=set)
    discover_body: bytes | None = None  # encoded once: the device does not change
    lineup_body: tuple[tuple[LineupChannel, ...], bytes] | None = None
    control_port: int | None = None  # TCP 65001 (or the port bound instead), once listening
    # what each discovery responder became: "on", "off", or "off (why)", for the summary
    services: dict[str, str] = field(default_factory=dict)

    def view(self) -> StationView:
        """A snapshot for the binary protocol (synchronous: the lineup as last read)."""
        now_s = self.clock.monotonic_s()
        return StationView(self.device, self.tuners.states(now_s), self.lineup.cached())


HDHR_STATE: web.AppKey[HdhrState] = web.AppKey("hdhr_state", HdhrState)
