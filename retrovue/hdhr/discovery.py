"""UDP 65001 discovery responder and TCP 65001 get/set server (the socket shells).

Garbage, truncated frames and bad CRCs are ignored without a reply; nothing here may crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import cast

from retrovue.hdhr import getset
from retrovue.hdhr.getset import StationView
from retrovue.hdhr.packets import (
    DEVICE_TYPE_TUNER,
    HEADER_BYTES,
    DiscoverReply,
    GetSetReply,
    GetSetRequest,
    build_discover_reply,
    build_getset_reply,
    discover_matches,
    frame_size,
    parse_discover_request,
    parse_getset_request,
)

HDHR_PORT = 65001
TCP_IDLE_TIMEOUT_S = 60.0

log = logging.getLogger(__name__)
ViewSource = Callable[[], StationView]
Answerer = Callable[[GetSetRequest, str], Awaitable[GetSetReply]]  # request, client address
INTERNAL_ERROR = "ERROR: internal error"


def discover_reply_for(view: StationView) -> bytes:
    device = view.device
    return build_discover_reply(
        DiscoverReply(
            device_type=DEVICE_TYPE_TUNER,
            device_id=device.identity.device_id_int,
            tuner_count=device.tuner_count,
            base_url=device.base_url,
            lineup_url=device.lineup_url,
            device_auth=device.identity.device_auth,
        )
    )


def answer_datagram(view: StationView, data: bytes) -> bytes | None:
    """The reply to one datagram, or None (not a discover for us, or not trustworthy)."""
    query = parse_discover_request(data)
    if query is None or not discover_matches(query, view.device.identity.device_id_int):
        return None
    return discover_reply_for(view)


class DiscoveryProtocol(asyncio.DatagramProtocol):
    def __init__(self, views: ViewSource) -> None:
        self._views = views
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        try:
            reply = answer_datagram(self._views(), data)
            if reply is not None and self._transport is not None:
                self._transport.sendto(reply, addr)  # unicast, to the sender's address and port
        except Exception:  # one bad datagram must not stop the responder
            log.exception("discovery datagram from %s failed", addr)

    def error_received(self, exc: Exception) -> None:
        log.debug("discovery socket error: %s", exc)


async def start_udp(
    views: ViewSource, host: str, port: int = HDHR_PORT
) -> asyncio.DatagramTransport:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: DiscoveryProtocol(views), sock=sock)
    return transport


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    header = await reader.readexactly(HEADER_BYTES)
    rest = await reader.readexactly(frame_size(header) - HEADER_BYTES)
    return header + rest


def _peer_address(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    address = str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"
    return address.removeprefix("::ffff:")


async def _reply(
    views: ViewSource, answer: Answerer | None, request: GetSetRequest, peer: str
) -> GetSetReply:
    if answer is None:
        return getset.answer(views(), request)
    try:
        return await answer(request, peer)
    except Exception:  # the edge of one request: the connection and the server go on
        log.exception("control request %r from %s failed", request.name[:64], peer)
        return GetSetReply(request.name[: getset.NAME_MAX], error=INTERNAL_ERROR)


async def handle_control(
    views: ViewSource,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    answer: Answerer | None = None,
) -> None:
    """One control connection: a reply frame per valid get/set request, silence otherwise.
    ``answer`` (the tuner controller) takes every request when given; else sets are refused."""
    peer = _peer_address(writer)
    try:
        while True:
            frame = await asyncio.wait_for(_read_frame(reader), TCP_IDLE_TIMEOUT_S)
            request = parse_getset_request(frame)
            if request is None:
                continue
            writer.write(build_getset_reply(await _reply(views, answer, request, peer)))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
        pass
    except Exception:  # the edge of a connection task: log, never crash the server
        log.exception("control connection failed")
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def start_tcp(
    views: ViewSource, host: str, port: int = HDHR_PORT, answer: Answerer | None = None
) -> asyncio.Server:
    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await handle_control(views, reader, writer, answer)

    return await asyncio.start_server(on_client, host, port, reuse_address=True)
