"""The runtime's StreamService: one producer per live channel, shared by its viewers.

The first viewer of a channel starts its producer; when the last one closes, the producer keeps
running for ``linger_s`` (a viewer who comes back quickly, or a DVR that reconnects, tunes at
once) and is then stopped. All PyAV work runs in the producer's threads; this module only runs on
the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from retrovue.clock import Clock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.errors import StreamError
from retrovue.runtime.directory import ChannelDirectory, ChannelSetup, DatabaseDirectory
from retrovue.runtime.hub import VIEWER_QUEUE_BYTES, Hub, Viewer
from retrovue.runtime.isolation.launch import (
    ChannelProducer,
    Launcher,
    ThreadLauncher,
    make_launcher,
)
from retrovue.runtime.mpegts import psi_preamble
from retrovue.runtime.onair.operation import StationOperation
from retrovue.runtime.playout.channel import ProducerOptions
from retrovue.runtime.playout.engine import ReusableOutput

log = logging.getLogger(__name__)
RESTART_LIMIT = 5  # restarts of one channel's producer within RESTART_WINDOW_S, then give up
RESTART_WINDOW_S = 60.0


@dataclass(frozen=True)
class ChannelStats:
    """A live channel's numbers (for metrics and status)."""

    number: str
    viewers: int
    bytes_sent: int
    boundaries: int
    faults: int
    speed: float
    restarts: int = 0  # producers (or worker processes) restarted after dying


class ViewerSession:
    """One viewer's stream (a :class:`~retrovue.runtime.interface.StreamSession`)."""

    def __init__(self, channel: LiveChannel, viewer: Viewer) -> None:
        self._channel = channel
        self.viewer = viewer
        self._closed = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self.viewer.chunks()

    async def dropped(self) -> None:
        await self.viewer.dropped.wait()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._channel.remove(self.viewer)


class LiveChannel:
    """A running producer, its hub, its viewers and its linger timer."""

    def __init__(
        self,
        setup: ChannelSetup,
        clock: Clock,
        loop: asyncio.AbstractEventLoop,
        *,
        linger_s: float,
        options: ProducerOptions,
        operation: StationOperation | None = None,
        launcher: Launcher | None = None,
        viewer_bytes: int = VIEWER_QUEUE_BYTES,
        preamble: bytes | None = None,
    ) -> None:
        self.setup = setup
        self._launcher = launcher or ThreadLauncher()
        self._clock = clock
        self._loop = loop
        self._linger_s = linger_s
        self._options = options
        self._operation = operation
        self.hub = Hub(loop, viewer_bytes=viewer_bytes)
        self.restarts = 0
        self._earlier = (0, 0)  # boundaries and faults of the producers before this one
        self._restarted_at: deque[float] = deque(maxlen=RESTART_LIMIT)
        if preamble is not None:  # the tables now; the first producer's engine skips its own
            self.hub.send(preamble)
        first = options if preamble is None else replace(options, preamble=False)
        self.producer = self._new_producer(None, first)
        self._linger: asyncio.Task[None] | None = None
        self.stopped = asyncio.Event()

    @property
    def number(self) -> str:
        return self.setup.info.number

    @property
    def alive(self) -> bool:
        return not self.stopped.is_set() and not self.hub.finished

    def start(self) -> None:
        self.producer.start()

    def _new_producer(
        self, output: ReusableOutput | None, options: ProducerOptions | None = None
    ) -> ChannelProducer:
        operation = None
        if self._operation is not None:
            operation = self._operation.for_channel(self.setup.channel_id)
        return self._launcher.launch(
            self.setup, self._clock, self.hub.publish,
            options=options or self._options, on_exit=self._on_exit, operation=operation,
            output=output,
        )  # fmt: skip

    def _may_restart(self) -> bool:
        now_s = self._clock.monotonic_s()
        recent = [t for t in self._restarted_at if now_s - t < RESTART_WINDOW_S]
        return len(recent) < RESTART_LIMIT

    def _on_exit(self, error: BaseException | None) -> None:  # producer thread
        if error is not None and not self.stopped.is_set() and self._may_restart():
            try:
                self._loop.call_soon_threadsafe(self._restart)
                return
            except RuntimeError:  # the loop is closed: the server is going away
                pass
        if error is not None:
            log.error("channel %s: producer died; not restarted, viewers ended", self.number)
        output = self.producer.output
        if output is not None:  # kept open for a restart that will not come
            with contextlib.suppress(Exception):
                output.close(flush=False)
        self.hub.finish()

    def _restart(self) -> None:  # event loop
        old = self.producer
        output = old.output
        if self.stopped.is_set():
            if output is not None:
                with contextlib.suppress(Exception):
                    output.close(flush=False)
            return
        self._restarted_at.append(self._clock.monotonic_s())
        self.restarts += 1
        self._earlier = self.counters
        log.warning(
            "channel %s: producer died (%r); restarted (%s output)",
            self.number,
            old.error,
            "same" if output is not None else "new",
        )
        self.producer = self._new_producer(output)
        self.producer.start()

    @property
    def counters(self) -> tuple[int, int]:
        """Programme boundaries and faults since the channel started, across restarts."""
        return (
            self._earlier[0] + self.producer.boundaries,
            self._earlier[1] + self.producer.faults,
        )

    def add_viewer(self, client: str) -> ViewerSession:
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        return ViewerSession(self, self.hub.add_viewer(client))

    async def remove(self, viewer: Viewer) -> None:
        self.hub.remove_viewer(viewer)
        if not self.hub.viewers and self._linger is None and not self.stopped.is_set():
            self._linger = asyncio.get_running_loop().create_task(self._linger_then_stop())

    async def _linger_then_stop(self) -> None:
        await self._clock.sleep_s(self._linger_s)
        if not self.hub.viewers:
            await self.stop()

    async def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        for viewer in list(self.hub.viewers):
            self.hub.remove_viewer(viewer)
        self.hub.closing()
        await asyncio.to_thread(self.producer.stop)
        log.info("channel %s: producer stopped", self.number)


class RuntimeStreamService:
    """Opens viewers' streams; one live producer per channel."""

    def __init__(
        self,
        directory: ChannelDirectory,
        clock: Clock,
        *,
        linger_s: float = 15.0,
        options: ProducerOptions | None = None,
        operation: StationOperation | None = None,
        launcher: Launcher | None = None,
        viewer_bytes: int = VIEWER_QUEUE_BYTES,
    ) -> None:
        self._directory = directory
        self._viewer_bytes = viewer_bytes
        self.launcher = launcher or ThreadLauncher()
        self.operation = operation
        self._clock = clock
        self._linger_s = linger_s
        self._options = options or ProducerOptions()
        self._live: dict[str, LiveChannel] = {}
        self._lock = asyncio.Lock()

    def live(self, channel_number: str) -> LiveChannel | None:
        channel = self._live.get(channel_number)
        return channel if channel is not None and channel.alive else None

    def channel_stats(self) -> list[ChannelStats]:
        """One row per live channel (read on the event loop)."""
        return [
            ChannelStats(
                number=channel.number,
                viewers=len(channel.hub.viewers),
                bytes_sent=channel.hub.bytes_published,
                boundaries=channel.counters[0],
                faults=channel.counters[1],
                speed=round(channel.producer.speed(), 3),
                restarts=channel.restarts,
            )
            for channel in self._live.values()
            if channel.alive
        ]

    async def open(self, channel_number: str, *, client: str) -> ViewerSession:
        async with self._lock:
            channel = self.live(channel_number)
            if channel is None:
                channel = await self._start(channel_number)
            return channel.add_viewer(client)

    async def _start(self, channel_number: str) -> LiveChannel:
        stale = self._live.pop(channel_number, None)
        if stale is not None:
            await stale.stop()
        setup, preamble = await asyncio.to_thread(self._prepare, channel_number)
        channel = LiveChannel(
            setup,
            self._clock,
            asyncio.get_running_loop(),
            linger_s=self._linger_s,
            options=self._options,
            operation=self.operation,
            launcher=self.launcher,
            viewer_bytes=self._viewer_bytes,
            preamble=preamble,
        )
        try:
            channel.start()
        except RuntimeError as err:
            raise StreamError(f"channel {channel_number}: cannot start a producer: {err}") from err
        self._live[channel_number] = channel
        log.info("channel %s: producer started", channel_number)
        return channel

    def _prepare(self, channel_number: str) -> tuple[ChannelSetup, bytes]:
        """The channel's setup and the tables its stream starts with (a worker thread: the
        lookup reads the database; the tables are made once per channel name and cached)."""
        setup = self._directory.lookup(channel_number)
        return setup, psi_preamble(setup.info.name)

    async def close(self) -> None:
        """Stop every producer (server shutdown)."""
        async with self._lock:
            channels = list(self._live.values())
            self._live.clear()
        await asyncio.gather(*(channel.stop() for channel in channels))
        if self.operation is not None:  # after the producers: their last rows are queued
            await asyncio.to_thread(self.operation.close)


def build_stream_service(
    database: Database, settings: Settings, clock: Clock
) -> RuntimeStreamService:
    """The production StreamService: channels and playlogs from the database, as-run log,
    director modes and play-time gating (rows left playing by the last run are finished now);
    producers in worker processes unless ``producer_isolation`` says threads."""
    database_url = database.url.render_as_string(hide_password=False)
    launcher = make_launcher(settings.producer_isolation, database_url)
    return RuntimeStreamService(
        DatabaseDirectory(database, settings, clock),
        clock,
        linger_s=settings.linger_s,
        operation=StationOperation(database, clock),
        launcher=launcher,
    )
