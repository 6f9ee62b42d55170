"""How a live channel's producer runs: a thread of the server, or a worker process.

``ThreadLauncher`` (tests, benchmarks, ``producer_isolation = "thread"``) keeps the producer in
the server: cheapest, and a producer that dies with a Python error hands its still-open output to
the next one. ``ProcessLauncher`` (the default of ``retrovue serve``) forks a worker per channel:
a crash or a hang in native code ends that worker only (``docs/runtime-isolation.md``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from retrovue.clock import Clock
from retrovue.runtime.directory import ChannelSetup, PlaylogTimeline
from retrovue.runtime.isolation.native import limit_malloc_arenas
from retrovue.runtime.isolation.supervisor import HANG_S, START_S, ProcessProducer, warm_up
from retrovue.runtime.onair.operation import ChannelOperation
from retrovue.runtime.playout.channel import ProducerOptions
from retrovue.runtime.playout.engine import ReusableOutput
from retrovue.runtime.producer import make_producer

THREAD_MODE_ARENAS = 1  # RSS level after ~150 tunes; glibc's default: +65 % at 400 and growing


class ChannelProducer(Protocol):
    """What a live channel needs of its producer, wherever it runs."""

    @property
    def output(self) -> ReusableOutput | None: ...
    @property
    def error(self) -> BaseException | None: ...
    @property
    def boundaries(self) -> int: ...
    @property
    def faults(self) -> int: ...
    @property
    def running(self) -> bool: ...

    def start(self) -> None: ...
    def stop(self, timeout_s: float = 5.0) -> None: ...
    def speed(self) -> float: ...


class Launcher(Protocol):
    def ready(self, timeout_s: float) -> bool:
        """Whether producers can start at once (the fork server is up), waiting at most
        ``timeout_s`` for it."""
        ...

    def launch(
        self,
        setup: ChannelSetup,
        clock: Clock,
        publish: Callable[[bytes], None],
        *,
        options: ProducerOptions,
        on_exit: Callable[[BaseException | None], None],
        operation: ChannelOperation | None,
        output: ReusableOutput | None,
    ) -> ChannelProducer: ...


class ThreadLauncher:
    def ready(self, timeout_s: float) -> bool:
        del timeout_s
        return True

    def launch(
        self,
        setup: ChannelSetup,
        clock: Clock,
        publish: Callable[[bytes], None],
        *,
        options: ProducerOptions,
        on_exit: Callable[[BaseException | None], None],
        operation: ChannelOperation | None,
        output: ReusableOutput | None,
    ) -> ChannelProducer:
        return make_producer(
            setup.info, setup.timeline, clock, publish,
            options=options, on_exit=on_exit, operation=operation, output=output,
        )  # fmt: skip


class ProcessLauncher:
    """Workers read the playlog from ``database_url`` themselves; other timelines (tests,
    benchmarks) are sent to the worker and must pickle."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        warm: bool = True,
        hang_s: float = HANG_S,
        start_s: float = START_S,
    ) -> None:
        self._database_url = database_url
        self._hang_s, self._start_s = hang_s, start_s
        self._warmed = threading.Event()
        if warm:  # the fork server imports PyAV once, off the caller's thread
            threading.Thread(target=self._warm_up, name="producer-warm-up", daemon=True).start()
        else:
            self._warmed.set()

    def _warm_up(self) -> None:
        try:
            warm_up()
        finally:
            self._warmed.set()

    def ready(self, timeout_s: float) -> bool:
        return self._warmed.wait(timeout_s)

    def launch(
        self,
        setup: ChannelSetup,
        clock: Clock,
        publish: Callable[[bytes], None],
        *,
        options: ProducerOptions,
        on_exit: Callable[[BaseException | None], None],
        operation: ChannelOperation | None,
        output: ReusableOutput | None,
    ) -> ChannelProducer:
        del output  # a worker's output died with the worker
        playlog = isinstance(setup.timeline, PlaylogTimeline)
        return ProcessProducer(
            setup.info, clock, publish,
            options=options, on_exit=on_exit, operation=operation,
            database_url=self._database_url if playlog else None,
            timeline=None if playlog else setup.timeline,
            hang_s=self._hang_s, start_s=self._start_s,
        )  # fmt: skip


def make_launcher(isolation: str, database_url: str | None = None) -> Launcher:
    """The launcher a server uses for ``producer_isolation``; call it at start-up. With threads,
    this process's malloc arenas are capped first (``native.limit_malloc_arenas``): producers come
    and go with every tune, and with an arena per thread their freed memory stays scattered."""
    if isolation == "process":
        return ProcessLauncher(database_url)
    limit_malloc_arenas(THREAD_MODE_ARENAS)
    return ThreadLauncher()
