"""The whole appliance: the HDHomeRun station plus the guide, the runtime and the horizon keeper.

``retrovue serve`` calls :func:`serve_appliance`. Start-up order: schema (migrate or refuse), the
demo station when asked, then the station (HTTP on both ports, discovery), the guide routes and
``/metrics``, the station's own pages and JSON API (``retrovue.web``), the runtime's stream
service, and the background task that keeps every channel's
schedule ``horizon_days`` ahead. Shutdown (SIGINT/SIGTERM) reverses it: the horizon task stops,
open streams and producers close (their as-run rows are finished), SSDP says byebye, mDNS
unregisters.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from retrovue.app import RunningStation, StationConfig, run_station
from retrovue.clock import Clock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db import migrate as migrations
from retrovue.errors import DatabaseError
from retrovue.guide.service import GuideService
from retrovue.hdhr.device import Device
from retrovue.hdhr.guide_routes import add_guide_routes
from retrovue.metrics import StationMetrics, add_metrics_route
from retrovue.runtime.isolation.supervisor import START_S
from retrovue.runtime.service import RuntimeStreamService, build_stream_service
from retrovue.scheduler.horizon import BuildSummary, rebuild_after_catalog_change
from retrovue.scheduler.orchestrator import keep_horizon
from retrovue.sync_keeper import SyncKeeper
from retrovue.web.auth import OperatorAuth
from retrovue.web.context import WebContext
from retrovue.web.routes import web_registrar
from retrovue.web.station_view import StationView

log = logging.getLogger(__name__)
HORIZON_INTERVAL_S = 300.0


@dataclass(frozen=True)
class Appliance:
    station: RunningStation
    streams: RuntimeStreamService
    guide: GuideService
    metrics: StationMetrics


def prepare_database(database: Database, *, migrate: bool) -> None:
    """Upgrade the schema when needed, or (``migrate=False``) refuse a schema that is behind."""
    if migrate:
        migrations.ensure_current(database)
        return
    current, head = migrations.current_revision(database), migrations.head_revision(database)
    if current != head:
        raise DatabaseError(
            f"database schema is at {current or 'nothing'}, this RetroVue needs {head}: "
            "run `retrovue db upgrade` or start without --no-migrate"
        )


def _guide_registrar(guide: GuideService) -> Callable[[web.Application, Device], None]:
    def register(app: web.Application, device: Device) -> None:
        add_guide_routes(app, guide, device.base_url, stream_base_url=device.stream_base_url)

    return register


@asynccontextmanager
async def run_appliance(
    settings: Settings,
    clock: Clock,
    database: Database,
    *,
    config: StationConfig | None = None,
    on_horizon: Callable[[BuildSummary], None] | None = None,
) -> AsyncIterator[Appliance]:
    """Start everything; stop everything on exit."""
    config = config or StationConfig.from_settings(settings)
    streams = build_stream_service(database, settings, clock)
    guide = GuideService(database, clock, days=settings.horizon_days, recheck_s=1.0)
    metrics = StationMetrics(database, clock, streams)
    web_side = WebContext(
        database, clock, settings, guide,
        StationView(streams, database, clock), OperatorAuth(settings.data_dir, clock),
    )  # fmt: skip
    syncs = _sync_keeper(database, clock, metrics)
    # Listen only once producers can start at once: a DVR that tunes the moment the tuner
    # answers must not wait for the fork server's imports (about a second, once).
    await asyncio.to_thread(streams.launcher.ready, START_S)
    # What start-up made (modules, the ORM's mappers, templates, routes) lives as long as the
    # server: out of the collector's reach, a full collection scans only what came since,
    # measured 75-110 ms pauses of every thread (the event loop's included) down to a few ms.
    gc.freeze()
    registrars = [
        _guide_registrar(guide), add_metrics_route(metrics), web_registrar(web_side),
        syncs.registrar,
    ]  # fmt: skip
    try:
        async with run_station(
            config, database=database, clock=clock, stream_service=streams,
            route_registrars=registrars,
        ) as station:  # fmt: skip
            metrics.attach(station)
            watch = asyncio.create_task(metrics.loop_lag.watch(), name="loop-lag")
            horizon = asyncio.create_task(
                keep_horizon(
                    database,
                    clock,
                    days=settings.horizon_days,
                    history_days=settings.history_days,
                    interval_s=HORIZON_INTERVAL_S,
                    on_pass=_horizon_observer(metrics, guide, on_horizon),
                ),
                name="horizon",
            )
            try:
                yield Appliance(station, streams, guide, metrics)
            finally:
                for task in (horizon, watch):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        await streams.close()
        gc.unfreeze()  # what this appliance held may be collected once it is gone


def _sync_keeper(database: Database, clock: Clock, metrics: StationMetrics) -> SyncKeeper:
    """Scheduled source syncs (a task in the station's cleanup_ctx), counted in /metrics."""

    def busy_tuners() -> int:
        return metrics.station.state.tuners.busy_count() if metrics.station else 0

    keeper = SyncKeeper(
        database,
        clock,
        busy_tuners=busy_tuners,
        after_change=lambda: rebuild_after_catalog_change(database, clock),
    )
    metrics.registry.register(keeper.collector())
    return keeper


def _horizon_observer(
    metrics: StationMetrics, guide: GuideService, extra: Callable[[BuildSummary], None] | None
) -> Callable[[BuildSummary], None]:
    def observe(summary: BuildSummary) -> None:
        metrics.horizon_passes += 1
        if summary.days_built or summary.days_replaced or summary.events_slated:
            guide.invalidate()  # new days show in the guide at once
        if extra is not None:
            extra(summary)

    return observe


async def serve_appliance(
    settings: Settings,
    clock: Clock,
    database: Database,
    *,
    summary: Callable[[Appliance], None] | None = None,
) -> None:
    """Run until SIGINT or SIGTERM, then shut down cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with run_appliance(settings, clock, database) as appliance:
            if summary is not None:  # it reads the database: off the event loop
                await asyncio.to_thread(summary, appliance)
            await stop.wait()
            log.info("shutting down")
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
