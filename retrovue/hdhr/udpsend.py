"""One tuner's UDP/RTP stream: a viewer of the runtime's fan-out, sent as datagrams (the shell).

The session is one more viewer of the channel's producer, exactly like an HTTP stream; its chunks
are cut into 7-packet datagrams (``datagrams.py``) and sent on a UDP socket connected to the
target, as fast as the producer makes them (the producer paces the channel). A connected socket
hears the "port unreachable" a host answers when nothing listens any more: a real unit stops
streaming then, and so does this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import Callable

from retrovue.clock import Clock
from retrovue.hdhr.datagrams import TS_PACKET_BYTES, DatagramPacker, RtpFramer
from retrovue.hdhr.tuners import ControlState
from retrovue.hdhr.tuning import Target
from retrovue.runtime.interface import StreamSession

log = logging.getLogger(__name__)
SEND_BUFFER_BYTES = 1 << 20


class _Sender(asyncio.DatagramProtocol):
    def __init__(self, on_refused: Callable[[], None]) -> None:
        self._on_refused = on_refused

    def error_received(self, exc: Exception) -> None:
        if isinstance(exc, ConnectionRefusedError):
            self._on_refused()
        else:
            log.debug("UDP stream: %s", exc)


class UdpStream:
    """Streams ``session`` to ``target`` until stopped or the stream ends; ``on_end(reason)``
    is called once when it ends by itself (not after :meth:`stop`)."""

    def __init__(
        self,
        session: StreamSession,
        target: Target,
        control: ControlState,
        clock: Clock,
        on_end: Callable[[str], None],
        *,
        channel_number: str,
        channel_name: str,
    ) -> None:
        self.session = session
        self.target = target
        self.channel_number = channel_number
        self.channel_name = channel_name
        self._control = control
        self._clock = clock
        self._on_end = on_end
        self._packer = DatagramPacker(control.ranges)
        self._rtp = RtpFramer(ssrc=random.getrandbits(32)) if target.rtp else None
        self._transport: asyncio.DatagramTransport | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopped = False
        self.datagrams_sent = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Sender(self._refused), remote_addr=(self.target.host, self.target.port)
        )
        self._transport = transport
        sock = self._transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        self._task = asyncio.ensure_future(self._run())

    def _refused(self) -> None:
        self._finish("the target refused the datagrams (nothing listens there)")

    def _finish(self, reason: str) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._on_end(reason)

    async def _run(self) -> None:
        pump = asyncio.ensure_future(self._pump())
        dropped = asyncio.ensure_future(self.session.dropped())
        try:
            await asyncio.wait({pump, dropped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (pump, dropped):
                task.cancel()
            await asyncio.gather(pump, dropped, return_exceptions=True)
        error = pump.exception() if pump.done() and not pump.cancelled() else None
        if error is not None:
            log.warning("UDP stream to %s failed: %s", self.target, error)
        self._finish("the channel's stream ended" if not dropped.done() else "dropped: too slow")

    async def _pump(self) -> None:
        async for chunk in aiter(self.session):
            self._packer.ranges = self._control.ranges  # a new filter applies at once
            self._send(self._packer.feed(chunk))

    def _send(self, payloads: list[bytes]) -> None:
        transport = self._transport
        if transport is None or transport.is_closing() or not payloads:
            return
        now_s = self._clock.monotonic_s()
        for payload in payloads:
            transport.sendto(payload if self._rtp is None else self._rtp.frame(payload, now_s))
        self.datagrams_sent += len(payloads)
        sent_bytes = sum(len(p) for p in payloads)
        self._control.meter.record(sent_bytes, sent_bytes // TS_PACKET_BYTES, now_s)

    async def stop(self) -> None:
        """End the stream: stop sending, close the socket, leave the channel's fan-out."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._transport is not None:
            self._transport.close()
        try:
            await self.session.close()
        except Exception:  # closing must never keep a slot
            log.exception("closing a UDP stream's session failed")
