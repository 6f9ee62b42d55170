"""A viewer that stops reading: the runtime drops it, its connection is closed, its tuner is free.

The real runtime service, hub and stream handler over a loopback socket whose receive buffer is
small and never read; only the producer is a fake (test-signal chunks from a thread).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable

from retrovue.app import run_station
from retrovue.clock import Clock, SystemClock
from retrovue.db import Database
from retrovue.runtime.directory import ChannelSetup, StaticDirectory
from retrovue.runtime.onair.operation import ChannelOperation
from retrovue.runtime.playout.channel import ChannelInfo, ProducerOptions
from retrovue.runtime.playout.engine import ReusableOutput
from retrovue.runtime.playout.timeline import ListTimeline
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.testsignal import TestSignal
from tests.hdhr.conftest import station_config
from tests.runtime.helpers import TEST_PROFILE

VIEWER_BYTES = 64 * 1024


class SignalProducer:
    """Publishes test-signal chunks from a thread until stopped (a producer without PyAV)."""

    def __init__(self, publish: Callable[[bytes], None]) -> None:
        self._publish = publish
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.output: ReusableOutput | None = None
        self.error: BaseException | None = None
        self.boundaries = 0
        self.faults = 0

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        signal = TestSignal(packets_per_chunk=40)
        while not self._stop.is_set():
            self._publish(signal.next_chunk())
            time.sleep(0.002)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout_s)

    def speed(self) -> float:
        return 1.0


class SignalLauncher:
    def __init__(self) -> None:
        self.producers: list[SignalProducer] = []

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
    ) -> SignalProducer:
        producer = SignalProducer(publish)
        self.producers.append(producer)
        return producer


def stalled_client(port: int) -> socket.socket:
    """Tunes channel 2 and never reads: a 4 KB receive buffer fills at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /auto/v2 HTTP/1.1\r\nHost: x\r\n\r\n")
    return sock


async def test_a_viewer_that_stops_reading_loses_its_connection_and_its_tuner(
    channels_db: Database,
) -> None:
    info = ChannelInfo("2", "RetroVue Two", TEST_PROFILE)
    service = RuntimeStreamService(
        StaticDirectory({"2": ChannelSetup(info, ListTimeline([]))}),
        SystemClock(),
        launcher=SignalLauncher(),
        viewer_bytes=VIEWER_BYTES,
        linger_s=0.0,
    )
    config = station_config()
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=service
    ) as station:
        sock = await asyncio.to_thread(stalled_client, station.stream_port)
        try:
            async with asyncio.timeout(20):  # generous: the drop itself takes milliseconds
                while station.state.tuners.busy_count() == 0:
                    await asyncio.sleep(0.01)
                while station.state.tuners.busy_count() != 0:
                    await asyncio.sleep(0.02)
            sock.settimeout(20)
            while sock.recv(65536):  # the server closed the connection: reads reach its end
                pass
        finally:
            sock.close()
        await service.close()
