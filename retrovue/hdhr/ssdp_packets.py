"""SSDP message text: M-SEARCH parsing, search responses, NOTIFY alive/byebye (pure).

Targets answered: ``ssdp:all``, ``upnp:rootdevice``, the MediaServer device type and the
device's own ``uuid:``.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrovue.hdhr.device import DEVICE_TYPE_URN

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900
MAX_AGE_S = 1800
SERVER = "Linux/5 UPnP/1.0 RetroVue/1.0"
ALL = "ssdp:all"
ROOT = "upnp:rootdevice"


@dataclass(frozen=True)
class Target:
    nt: str  # the notification / search target
    usn: str


@dataclass(frozen=True)
class MSearch:
    st: str
    mx_s: int


def targets(udn: str) -> tuple[Target, ...]:
    """The three advertisements of one root device with no services."""
    uuid = f"uuid:{udn}"
    return (
        Target(ROOT, f"{uuid}::{ROOT}"),
        Target(uuid, uuid),
        Target(DEVICE_TYPE_URN, f"{uuid}::{DEVICE_TYPE_URN}"),
    )


def matching(st: str, udn: str) -> tuple[Target, ...]:
    if st == ALL:
        return targets(udn)
    return tuple(t for t in targets(udn) if t.nt.lower() == st.lower())


def _headers(text: str) -> tuple[str, dict[str, str]] | None:
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    if not lines:
        return None
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().upper()] = value.strip()
    return lines[0].strip(), fields


def parse_msearch(data: bytes) -> MSearch | None:
    """An ``ssdp:discover`` M-SEARCH, or None for anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    parsed = _headers(text)
    if parsed is None:
        return None
    start, fields = parsed
    if (
        start.upper() != "M-SEARCH * HTTP/1.1"
        or fields.get("MAN", "").strip('"') != "ssdp:discover"
    ):
        return None
    st = fields.get("ST", "")
    if not st:
        return None
    try:
        mx_s = max(0, int(fields.get("MX", "1")))
    except ValueError:
        mx_s = 1
    return MSearch(st=st, mx_s=mx_s)


def _message(start: str, fields: list[tuple[str, str]]) -> bytes:
    return ("\r\n".join([start, *(f"{k}: {v}" for k, v in fields)]) + "\r\n\r\n").encode()


def search_response(target: Target, location: str, date_text: str) -> bytes:
    return _message(
        "HTTP/1.1 200 OK",
        [
            ("CACHE-CONTROL", f"max-age={MAX_AGE_S}"),
            ("DATE", date_text),
            ("EXT", ""),
            ("LOCATION", location),
            ("SERVER", SERVER),
            ("ST", target.nt),
            ("USN", target.usn),
        ],
    )


def notify_alive(target: Target, location: str) -> bytes:
    return _message(
        "NOTIFY * HTTP/1.1",
        [
            ("HOST", f"{SSDP_GROUP}:{SSDP_PORT}"),
            ("CACHE-CONTROL", f"max-age={MAX_AGE_S}"),
            ("LOCATION", location),
            ("NT", target.nt),
            ("NTS", "ssdp:alive"),
            ("SERVER", SERVER),
            ("USN", target.usn),
        ],
    )


def notify_byebye(target: Target) -> bytes:
    return _message(
        "NOTIFY * HTTP/1.1",
        [
            ("HOST", f"{SSDP_GROUP}:{SSDP_PORT}"),
            ("NT", target.nt),
            ("NTS", "ssdp:byebye"),
            ("USN", target.usn),
        ],
    )
