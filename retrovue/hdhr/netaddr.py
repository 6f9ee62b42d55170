"""Network facts the appliance needs at start: its LAN address and whether a port can be bound."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket

PROBE_TARGET = ("192.0.2.123", 9)  # TEST-NET-1: a UDP connect picks a route, sends nothing

log = logging.getLogger(__name__)


def detect_advertise_host(probe: tuple[str, int] = PROBE_TARGET) -> str:
    """The source address of the default route (a UDP "connect" sends no packet)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(probe)
            address = str(sock.getsockname()[0])
        except OSError:
            address = ""
    if not address or address == "0.0.0.0":
        log.warning("no default route: advertising 127.0.0.1; set --advertise to the LAN address")
        return "127.0.0.1"
    return address


def is_ipv4(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv4Address)
    except ValueError:
        return False


def interface_ipv4(advertise_host: str) -> str:
    """The IPv4 address of the interface discovery should use (resolving a host name)."""
    if is_ipv4(advertise_host):
        return advertise_host
    try:
        return socket.gethostbyname(advertise_host)
    except OSError:
        return detect_advertise_host()


def bind_tcp(host: str, port: int) -> socket.socket:
    """A listening TCP socket (``port`` 0 picks a free one); raises OSError when it cannot."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def try_bind_tcp(host: str, port: int) -> socket.socket | None:
    with contextlib.suppress(OSError):
        return bind_tcp(host, port)
    return None
