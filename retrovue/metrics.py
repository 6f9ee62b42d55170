"""Prometheus metrics at ``/metrics``, read from the live station when scraped.

Nothing is counted twice: the collector asks the tuner pool, the runtime and the playlog what is
true now (tuners in use, viewers, bytes sent, programme boundaries crossed, faults, producer
speed and restarts, horizon days ahead, the event loop's lag) and renders it in the Prometheus
text format.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from retrovue.app import RunningStation
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models import Channel, PlaylogEvent
from retrovue.hdhr.device import Device
from retrovue.looplag import LoopLag
from retrovue.runtime.service import RuntimeStreamService

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
HORIZON_CACHE_S = 30.0


class StationMetrics:
    """Holds the station's registry; ``attach`` the running station once it is up."""

    def __init__(self, database: Database, clock: Clock, streams: RuntimeStreamService) -> None:
        self.database = database
        self.clock = clock
        self.streams = streams
        self.station: RunningStation | None = None
        self.loop_lag = LoopLag()  # its watch() runs as a task of the appliance
        self.horizon_passes = 0
        self._horizon: tuple[float, dict[str, float]] = (float("-inf"), {})
        self._lock = threading.Lock()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_StationCollector(self))

    def attach(self, station: RunningStation) -> None:
        self.station = station

    def horizon_days(self) -> dict[str, float]:
        """Days of playlog ahead per enabled channel (cached briefly: scrapes stay cheap)."""
        with self._lock:
            checked_s, cached = self._horizon
            if self.clock.monotonic_s() - checked_s < HORIZON_CACHE_S:
                return cached
        now = self.clock.now_utc()
        with self.database.transaction() as session:
            rows = session.execute(
                select(Channel.number, func.max(PlaylogEvent.end_utc))
                .outerjoin(PlaylogEvent, PlaylogEvent.channel_id == Channel.id)
                .where(Channel.enabled.is_(True))
                .group_by(Channel.number)
            ).all()
        days = {
            number: 0.0 if end is None else max(0.0, (end - now) / timedelta(days=1))
            for number, end in rows
        }
        with self._lock:
            self._horizon = (self.clock.monotonic_s(), days)
        return days

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _StationCollector(Collector):
    def __init__(self, metrics: StationMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        yield from self._tuners()
        yield from self._channels()
        yield from self._horizon()
        yield from self._loop()

    def _tuners(self) -> Iterator[Metric]:
        station = self._metrics.station
        if station is None:
            return
        pool = station.state.tuners
        total = GaugeMetricFamily("retrovue_tuners", "Tuners of the device.")
        total.add_metric([], pool.count)
        busy = GaugeMetricFamily("retrovue_tuners_in_use", "Tuners taken by viewers now.")
        busy.add_metric([], pool.busy_count())
        yield total
        yield busy

    def _channels(self) -> Iterator[Metric]:
        viewers = GaugeMetricFamily(
            "retrovue_viewers", "Viewers per live channel.", labels=["channel"]
        )
        sent = CounterMetricFamily(
            "retrovue_bytes_sent", "MPEG-TS bytes produced per channel.", labels=["channel"]
        )
        boundaries = CounterMetricFamily(
            "retrovue_boundaries", "Playlog boundaries crossed per channel.", labels=["channel"]
        )
        faults = CounterMetricFamily(
            "retrovue_faults", "Items replaced by a slate after a fault.", labels=["channel"]
        )
        speed = GaugeMetricFamily(
            "retrovue_producer_speed",
            "Media seconds produced per wall second since the producer started.",
            labels=["channel"],
        )
        restarts = CounterMetricFamily(
            "retrovue_producer_restarts",
            "Producers (worker processes) restarted after dying, per live channel.",
            labels=["channel"],
        )
        for stats in self._metrics.streams.channel_stats():
            label = [stats.number]
            viewers.add_metric(label, stats.viewers)
            sent.add_metric(label, stats.bytes_sent)
            boundaries.add_metric(label, stats.boundaries)
            faults.add_metric(label, stats.faults)
            speed.add_metric(label, stats.speed)
            restarts.add_metric(label, stats.restarts)
        yield from (viewers, sent, boundaries, faults, speed, restarts)

    def _horizon(self) -> Iterator[Metric]:
        ahead = GaugeMetricFamily(
            "retrovue_horizon_days_ahead", "Days of schedule built ahead.", labels=["channel"]
        )
        for number, days in sorted(self._metrics.horizon_days().items()):
            ahead.add_metric([number], round(days, 3))
        passes = CounterMetricFamily("retrovue_horizon_passes", "Horizon keeper passes.")
        passes.add_metric([], self._metrics.horizon_passes)
        yield ahead
        yield passes

    def _loop(self) -> Iterator[Metric]:
        stats = self._metrics.loop_lag.stats
        lag = HistogramMetricFamily(
            "retrovue_event_loop_lag_seconds",
            "How late the event loop woke a timer set every 50 ms (anything that blocks it).",
        )
        lag.add_metric([], stats.cumulative(), sum_value=round(stats.total_s, 6))
        worst = GaugeMetricFamily(
            "retrovue_event_loop_lag_max_seconds", "The event loop's worst lag in the last minute."
        )
        worst.add_metric([], round(stats.recent_worst_s(), 6))
        yield lag
        yield worst


def add_metrics_route(metrics: StationMetrics) -> Callable[[web.Application, Device], None]:
    """A route registrar for ``GET /metrics`` (rendered off the event loop)."""

    async def handle(_request: web.Request) -> web.Response:
        body = await asyncio.to_thread(metrics.render)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    def register(app: web.Application, _device: Device) -> None:
        app.router.add_get("/metrics", handle)

    return register
