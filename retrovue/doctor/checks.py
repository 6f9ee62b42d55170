"""The checks. Each returns a :class:`Check`; none raises (a failure is a result)."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import av
from sqlalchemy import func, select

from retrovue.clock import Clock
from retrovue.config import Settings
from retrovue.db import Database, migrate
from retrovue.db.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.errors import RetrovueError
from retrovue.hdhr.netaddr import detect_advertise_host, try_bind_tcp
from retrovue.hdhr.packets import build_discover_request, parse_discover_reply
from retrovue.logs import hide_url_password

HTTP_TIMEOUT_S = 2.0
UDP_TIMEOUT_S = 1.0
HDHR_PORT = 65001
NEEDED_ENCODERS = ("libx264", "aac")
NEEDED_DECODERS = ("h264", "mpeg2video", "aac")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        status = "ok  " if self.ok else "FAIL"
        fix = f" -> fix: {self.fix}" if not self.ok and self.fix else ""
        return f"{status} {self.name}: {self.detail}{fix}"

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


def _running_device(port: int) -> str | None:
    """The DeviceID of a RetroVue answering discover.json on this machine's ``port``, if any."""
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/discover.json", timeout=HTTP_TIMEOUT_S
        ) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return None
    device_id = data.get("DeviceID") if isinstance(data, dict) else None
    return str(device_id) if device_id else None


def check_advertise(settings: Settings) -> Check:
    host = settings.advertise_host or detect_advertise_host()
    source = "configured" if settings.advertise_host else "detected"
    try:
        address = ipaddress.ip_address(socket.gethostbyname(host))
    except (OSError, ValueError):
        return Check(
            "advertise address",
            False,
            f"{host} does not resolve",
            "set advertise_host to this machine's LAN address",
        )
    if address.is_unspecified:
        return Check(
            "advertise address",
            False,
            f"{host} is not reachable by clients",
            "set advertise_host to this machine's LAN address",
        )
    if address.is_loopback:
        return Check(
            "advertise address",
            False,
            f"{host} ({source}) is loopback: only this machine can reach it",
            "set advertise_host (or --advertise) to the LAN address DVRs reach",
        )
    return Check("advertise address", True, f"{host} ({source})")


def check_port(settings: Settings, port: int, what: str, fix: str) -> Check:
    sock = try_bind_tcp(settings.bind_host, port)
    if sock is not None:
        sock.close()
        return Check(what, True, f"{settings.bind_host}:{port} can be bound")
    device = _running_device(port)
    if device:
        return Check(what, True, f"port {port} answered by RetroVue {device} (running)")
    return Check(
        what, False, f"cannot bind {settings.bind_host}:{port} and no RetroVue answers", fix
    )


def check_discovery(settings: Settings) -> Check:
    """Ask the running appliance on 127.0.0.1:65001 (unicast), or check the port is free."""
    if not settings.enable_udp:
        return Check("discovery (UDP 65001)", True, "switched off in the settings")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(UDP_TIMEOUT_S)
        try:
            sock.sendto(build_discover_request(), ("127.0.0.1", HDHR_PORT))
            reply = parse_discover_reply(sock.recvfrom(2048)[0])
        except OSError:
            reply = None
    if reply is not None:
        return Check("discovery (UDP 65001)", True, f"device {reply.device_id:08X} answers")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind((settings.bind_host, HDHR_PORT))
        except OSError as err:
            return Check(
                "discovery (UDP 65001)",
                False,
                f"port busy ({err.strerror}) and no HDHomeRun reply",
                "stop the other program on UDP 65001 or set enable_udp = false",
            )
    return Check("discovery (UDP 65001)", True, "port free (the appliance is not running)")


def check_migrations(database: Database) -> Check:
    try:
        current, head = migrate.current_revision(database), migrate.head_revision(database)
    except RetrovueError as err:
        return Check("database schema", False, hide_url_password(err.message), "check database_url")
    if current == head:
        return Check("database schema", True, f"at {head}")
    return Check(
        "database schema",
        False,
        f"at {current or 'empty'}, code needs {head}",
        "run `retrovue db upgrade` (serve does it at start)",
    )


def check_horizon(database: Database, clock: Clock, horizon_days: int) -> Check:
    now = clock.now_utc()
    with database.transaction() as session:
        rows = session.execute(
            select(Channel.number, func.max(PlaylogEvent.end_utc))
            .outerjoin(PlaylogEvent, PlaylogEvent.channel_id == Channel.id)
            .where(Channel.enabled.is_(True))
            .group_by(Channel.number)
        ).all()
    if not rows:
        return Check(
            "schedule horizon",
            False,
            "no enabled channels",
            "add channels (`retrovue channel add`) or run `retrovue serve --demo`",
        )
    short = []
    for number, last_end in rows:
        days = 0.0 if last_end is None else max(0.0, (last_end - now) / timedelta(days=1))
        if days < horizon_days - 1:
            short.append(f"{number}: {days:.1f} d")
    if short:
        return Check(
            "schedule horizon",
            False,
            "short on " + ", ".join(short),
            "run `retrovue schedule build` (serve keeps it built)",
        )
    return Check("schedule horizon", True, f"{len(rows)} channel(s) cover {horizon_days - 1}+ days")


def check_catalog_files(database: Database) -> Check:
    with database.transaction() as session:
        paths = session.scalars(
            select(CatalogAsset.file_path).where(CatalogAsset.canonical.is_(True))
        ).all()
    bad = [path for path in paths if not os.access(path, os.R_OK)]
    if bad:
        sample = ", ".join(bad[:3])
        return Check(
            "catalog files",
            False,
            f"{len(bad)} of {len(paths)} missing or unreadable: {sample}",
            "restore the files or `retrovue catalog revoke` them; re-sync the source",
        )
    return Check("catalog files", True, f"{len(paths)} canonical file(s) present and readable")


def check_loudness(database: Database) -> Check:
    """Canonical assets promoted before their loudness was measured air at unity gain."""
    with database.transaction() as session:
        rows = session.execute(
            select(CatalogAsset.guide_title, CatalogAsset.media_info).where(
                CatalogAsset.canonical.is_(True)
            )
        ).all()
    never = [title for title, info in rows if not (info or {}).get("loudness")]
    unmeasurable = sum(1 for _, info in rows if ((info or {}).get("loudness") or {}).get("error"))
    if never:
        return Check(
            "loudness",
            False,
            f"{len(never)} of {len(rows)} canonical asset(s) never measured (they air at unity "
            f"gain): {', '.join(never[:3])}",
            "`retrovue source sync` measures them, then `retrovue assets promote` them again",
        )
    return Check(
        "loudness",
        True,
        f"{len(rows)} canonical asset(s) measured ({unmeasurable} unmeasurable, at unity gain)",
    )


def check_codecs() -> Check:
    missing = [f"{name} (encoder)" for name in NEEDED_ENCODERS if not _has(name, "w")]
    missing += [f"{name} (decoder)" for name in NEEDED_DECODERS if not _has(name, "r")]
    if missing:
        return Check(
            "PyAV codecs",
            False,
            "missing " + ", ".join(missing),
            "install the PyAV wheel from PyPI (it bundles FFmpeg with x264)",
        )
    names = ", ".join(sorted({*NEEDED_ENCODERS, *NEEDED_DECODERS}))
    return Check("PyAV codecs", True, f"PyAV {av.__version__}: {names}")


def _has(name: str, mode: Literal["r", "w"]) -> bool:
    try:
        av.codec.Codec(name, mode)
    except (av.FFmpegError, ValueError, LookupError):  # how PyAV says "unknown codec"
        return False
    return True


def run_all(
    settings: Settings, clock: Clock, database_factory: Callable[[], Database]
) -> list[Check]:
    api_port = settings.api_port or 80
    checks = [
        check_advertise(settings),
        check_port(
            settings,
            settings.stream_port,
            f"stream port {settings.stream_port}",
            "free the port or set stream_port",
        ),
        check_port(
            settings,
            api_port,
            f"API port {api_port}",
            "grant CAP_NET_BIND_SERVICE (see packaging/retrovue.service) or add the tuner "
            "by URL; Jellyfin/Emby auto-detection needs port 80",
        ),
        check_discovery(settings),
        check_codecs(),
    ]
    try:
        database = database_factory()
    except RetrovueError as err:
        return [
            *checks,
            Check("database", False, hide_url_password(err.message), "fix database_url"),
        ]
    checks.append(check_migrations(database))
    if checks[-1].ok:
        checks += [
            check_horizon(database, clock, settings.horizon_days),
            check_catalog_files(database),
            check_loudness(database),
        ]
    return checks
