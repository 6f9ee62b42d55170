"""Background syncs while ``retrovue serve`` runs: due sources, one at a time, off the event loop.

Every :data:`CHECK_INTERVAL_S` the keeper asks the database which sources are due
(:func:`retrovue.library.sync_runs.due_sources`, the pure policy of
:mod:`retrovue.library.sync_policy`) and syncs the longest-waiting one in a worker thread, then
looks again, so due sources run one after another, never two at once. It never starts a sync
during a tune burst: it samples the tuners in use every :data:`SAMPLE_S` and waits until no tuner
was taken for :data:`QUIET_S` (:func:`in_tune_burst`). When a sync took assets off the air the
schedule is rebuilt (``after_change``). Each sync is logged and counted for ``/metrics``; a failed
sync is one warning line and the result ``failed`` in ``source list``; shutdown stops a running
sync between two items (what was written stays written).

Plex webhooks (``POST /webhooks/plex/{secret}``, the URL ``retrovue source webhook NAME`` prints)
ask for an early sync of that source on ``library.new`` and ``library.delete``: the secret in the
path authenticates the request (Plex cannot send headers), the request only puts the source at the
front of the queue (it writes nothing), and the sync then runs like a scheduled one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator

from aiohttp import web
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from retrovue.broadcast.catalog import CatalogInvalidation
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.errors import RetrovueError
from retrovue.hdhr.device import Device
from retrovue.library.ingest import SyncStopped, SyncSummary
from retrovue.library.plex_sources import source_for_webhook
from retrovue.library.sync_runs import DueSource, due_sources, run_recorded_sync, summary_text

log = logging.getLogger(__name__)

CHECK_INTERVAL_S = 60.0
SAMPLE_S = 5.0
QUIET_S = 60.0
OUTCOMES = ("added", "updated", "unchanged", "failed", "removed")
WEBHOOK_EVENTS = ("library.new", "library.delete")
WEBHOOK_PATH = "/webhooks/plex/{secret}"


def in_tune_burst(last_tune_s: float | None, now_s: float, quiet_s: float = QUIET_S) -> bool:
    """PURE: a tuner was taken less than ``quiet_s`` ago (monotonic seconds)."""
    return last_tune_s is not None and now_s - last_tune_s < quiet_s


class SyncKeeper:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        busy_tuners: Callable[[], int],
        after_change: Callable[[], object] | None = None,
        check_interval_s: float = CHECK_INTERVAL_S,
        sample_s: float = SAMPLE_S,
        quiet_s: float = QUIET_S,
    ) -> None:
        self.database = database
        self.clock = clock
        self.busy_tuners = busy_tuners
        self.after_change = after_change
        self.check_interval_s = check_interval_s
        self.sample_s = sample_s
        self.quiet_s = quiet_s
        self.runs: Counter[tuple[str, str]] = Counter()  # (source, result)
        self.items: Counter[tuple[str, str]] = Counter()  # (source, outcome)
        self.deferred = 0
        self.naps = 0  # sleeps between passes, and checks of the due sources (tests wait on them)
        self.checks = 0
        self.running: str | None = None
        self._stopping = False
        self._job: asyncio.Future[SyncSummary] | None = None
        self._last_tune_s: float | None = None
        self._busy = 0
        self._requested: list[str] = []  # sources a webhook asked to sync early
        self._next_check_s = float("-inf")

    # ---- the loop ------------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            self._sample()
            now_s = self.clock.monotonic_s()
            if now_s >= self._next_check_s:
                if await self._check(now_s):
                    continue  # look for the next due source at once
                self._next_check_s = now_s + self.check_interval_s
            self.naps += 1
            await self.clock.sleep_s(self.sample_s)

    def _sample(self) -> None:
        busy = self.busy_tuners()
        if busy > self._busy:
            self._last_tune_s = self.clock.monotonic_s()
        self._busy = busy

    async def _check(self, now_s: float) -> bool:
        """Sync the first due source, if any and the tuners are quiet; True when one ran."""
        due = await asyncio.to_thread(due_sources, self.database, self.clock.now_utc())
        self.checks += 1
        names = [*self._requested, *(d.name for d in due if d.name not in self._requested)]
        if not names:
            return False
        if in_tune_burst(self._last_tune_s, now_s, self.quiet_s):
            self.deferred += 1
            log.info("sync of %r deferred: tuners were just taken", names[0])
            return False
        name = names[0]
        if name in self._requested:
            self._requested.remove(name)
        await self._sync(name, _why(name, due))
        return True

    def request_sync(self, name: str) -> None:
        """Sync ``name`` at the next pass, before the sources that are merely due."""
        if name not in self._requested and name != self.running:
            self._requested.append(name)
        self._next_check_s = float("-inf")

    async def _sync(self, name: str, policy: str) -> None:
        invalidation = CatalogInvalidation()
        self.running = name
        log.info("scheduled sync of source %r (%s) starting", name, policy)
        job = asyncio.ensure_future(
            asyncio.to_thread(
                run_recorded_sync, self.database, self.clock, name,
                on_assets_removed=invalidation, progress=self._progress,
            )
        )  # fmt: skip
        self._job = job
        try:
            summary = await asyncio.shield(job)  # a cancelled keeper lets the thread finish
        except RetrovueError as err:
            self.runs[(name, "failed")] += 1
            log.warning("scheduled sync of source %r failed: %s", name, err.message)
            return
        except Exception:  # the edge of a background task: log it, keep the keeper alive
            self.runs[(name, "failed")] += 1
            log.exception("scheduled sync of source %r crashed", name)
            return
        finally:
            self.running = None
        self._count(name, summary)
        if invalidation.changed and self.after_change is not None:
            await asyncio.to_thread(self.after_change)

    def _count(self, name: str, summary: SyncSummary) -> None:
        result = "interrupted" if summary.interrupted else "ok"
        self.runs[(name, result)] += 1
        for outcome in OUTCOMES:
            self.items[(name, outcome)] += int(getattr(summary, outcome))
        log.info("scheduled sync of source %r %s: %s", name, result, summary_text(summary))

    def _progress(self, _summary: SyncSummary) -> None:
        if self._stopping:
            raise SyncStopped

    # ---- wiring ----------------------------------------------------------------------------------
    async def _context(self, _app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(self.run(), name="source-sync")
        try:
            yield
        finally:
            self._stopping = True  # a running sync stops before its next item
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            job = self._job
            if job is not None and not job.done():
                with contextlib.suppress(Exception):
                    await job

    def registrar(self, app: web.Application, _device: Device) -> None:
        """A route registrar for :func:`retrovue.app.run_station`: the keeper's task lives in the
        application's ``cleanup_ctx``, so it starts and stops with the station; the Plex webhook
        route comes with it."""
        app.cleanup_ctx.append(self._context)
        app.router.add_post(WEBHOOK_PATH, self._webhook)

    async def _webhook(self, request: web.Request) -> web.Response:
        name = await asyncio.to_thread(
            source_for_webhook, self.database, request.match_info["secret"]
        )
        if name is None:
            raise web.HTTPNotFound()
        event = _event(await request.post())
        if event is None:
            raise web.HTTPBadRequest(text="expected a Plex webhook (a JSON payload field)")
        if event not in WEBHOOK_EVENTS:
            return web.Response(status=204)
        log.info("Plex webhook %s: sync of source %r requested", event, name)
        self.request_sync(name)
        return web.json_response({"source": name, "sync": "requested"}, status=202)

    def collector(self) -> Collector:
        return _SyncCollector(self)


def _why(name: str, due: list[DueSource]) -> str:
    return next((d.policy.describe() for d in due if d.name == name), "requested by a webhook")


def _event(form: object) -> str | None:
    """The ``event`` of a Plex webhook's ``payload`` field, or None when it is not one."""
    payload = form.get("payload") if hasattr(form, "get") else None
    if not isinstance(payload, str):
        return None
    try:
        event = json.loads(payload).get("event")
    except (ValueError, AttributeError):
        return None
    return event if isinstance(event, str) else None


class _SyncCollector(Collector):
    def __init__(self, keeper: SyncKeeper) -> None:
        self._keeper = keeper

    def collect(self) -> Iterator[Metric]:
        keeper = self._keeper
        runs = CounterMetricFamily(
            "retrovue_source_syncs",
            "Scheduled source syncs by result.",
            labels=["source", "result"],
        )
        for (source, result), count in sorted(keeper.runs.items()):
            runs.add_metric([source, result], count)
        items = CounterMetricFamily(
            "retrovue_source_sync_items",
            "Items seen by scheduled syncs, by outcome.",
            labels=["source", "outcome"],
        )
        for (source, outcome), count in sorted(keeper.items.items()):
            items.add_metric([source, outcome], count)
        deferred = CounterMetricFamily(
            "retrovue_source_syncs_deferred", "Due syncs put off during a tune burst."
        )
        deferred.add_metric([], keeper.deferred)
        running = GaugeMetricFamily("retrovue_source_sync_running", "1 while a sync runs.")
        running.add_metric([], 1 if keeper.running else 0)
        yield from (runs, items, deferred, running)
