"""SSDP responder (the socket shell): answers M-SEARCH by unicast, NOTIFY alive/byebye.

Listens on the SSDP group joined on ONE interface (the advertise address), and sends from that
interface only: in tests the interface is 127.0.0.1, so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import Callable, Coroutine
from email.utils import format_datetime

from retrovue.clock import Clock
from retrovue.hdhr.device import Device
from retrovue.hdhr.ssdp_packets import (
    SSDP_GROUP,
    SSDP_PORT,
    Target,
    matching,
    notify_alive,
    notify_byebye,
    parse_msearch,
    search_response,
    targets,
)

NOTIFY_INTERVAL_S = 30.0
MAX_REPLY_DELAY_S = 1.0
IP_MULTICAST_ALL = getattr(socket, "IP_MULTICAST_ALL", 49)

log = logging.getLogger(__name__)


def _membership(interface_ip: str) -> bytes:
    return socket.inet_aton(SSDP_GROUP) + socket.inet_aton(interface_ip)


def _closing_on_error(build: Callable[[socket.socket], None]) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        build(sock)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _listen_socket(interface_ip: str, port: int) -> socket.socket:
    return _closing_on_error(lambda sock: _setup_listen(sock, interface_ip, port))


def _send_socket(interface_ip: str) -> socket.socket:
    return _closing_on_error(lambda sock: _setup_send(sock, interface_ip))


def _setup_listen(sock: socket.socket, interface_ip: str, port: int) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    with contextlib.suppress(OSError):  # Linux only: receive only the groups joined here
        sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
    sock.bind((SSDP_GROUP, port))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, _membership(interface_ip))


def _setup_send(sock: socket.socket, interface_ip: str) -> None:
    sock.bind((interface_ip, 0))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface_ip))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, responder: SsdpResponder) -> None:
        self._responder = responder

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        try:
            self._responder.on_datagram(data, (str(addr[0]), int(str(addr[1]))))
        except Exception:
            log.exception("SSDP datagram from %s failed", addr)


class SsdpResponder:
    def __init__(
        self,
        device: Device,
        interface_ip: str,
        clock: Clock,
        *,
        port: int = SSDP_PORT,
        notify_interval_s: float = NOTIFY_INTERVAL_S,
    ) -> None:
        self._device = device
        self._interface_ip = interface_ip
        self._clock = clock
        self._port = port
        self._interval_s = notify_interval_s
        self._listen: asyncio.DatagramTransport | None = None
        self._send: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.replies_sent = 0

    async def start(self) -> None:
        """Open both sockets (OSError, with nothing left open, when that is impossible)."""
        send_sock = _send_socket(self._interface_ip)
        try:
            listen_sock = _listen_socket(self._interface_ip, self._port)
        except OSError:
            send_sock.close()
            raise
        loop = asyncio.get_running_loop()
        self._send, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, sock=send_sock
        )
        self._listen, _ = await loop.create_datagram_endpoint(
            lambda: _Listener(self), sock=listen_sock
        )
        self._spawn(self._notify_loop())
        log.info("SSDP on %s: LOCATION %s", self._interface_ip, self._device.location_url)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._send is not None:
            for target in targets(self._device.udn):
                self._send.sendto(notify_byebye(target), (SSDP_GROUP, self._port))
            await asyncio.sleep(0)  # let the byebyes go out before closing
            self._send.close()
        if self._listen is not None:
            self._listen.close()

    def on_datagram(self, data: bytes, addr: tuple[str, int]) -> None:
        search = parse_msearch(data)
        if search is None:
            return
        found = matching(search.st, self._device.udn)
        if found:
            delay_s = random.uniform(0.0, min(float(search.mx_s), MAX_REPLY_DELAY_S))
            self._spawn(self._reply(found, addr, delay_s))

    async def _reply(
        self, found: tuple[Target, ...], addr: tuple[str, int], delay_s: float
    ) -> None:
        await self._clock.sleep_s(delay_s)
        date_text = format_datetime(self._clock.now_utc(), usegmt=True)
        for target in found:
            if self._send is not None:
                self._send.sendto(
                    search_response(target, self._device.location_url, date_text), addr
                )
                self.replies_sent += 1

    async def _notify_loop(self) -> None:
        while True:
            if self._send is not None:
                for target in targets(self._device.udn):
                    self._send.sendto(
                        notify_alive(target, self._device.location_url), (SSDP_GROUP, self._port)
                    )
            await self._clock.sleep_s(self._interval_s)

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
