"""Composition root: identity, tuner pool, lineup, the HTTP app on both ports, discovery.

Discovery responders (UDP/TCP 65001, SSDP, mDNS) live in the aiohttp ``cleanup_ctx`` so they
start with the application and stop cleanly with it (SSDP byebye, mDNS unregister).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from aiohttp import web

from retrovue.clock import Clock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.errors import ConfigError
from retrovue.hdhr import discovery
from retrovue.hdhr.api import add_hdhr_routes
from retrovue.hdhr.connections import (
    PER_CLIENT_MAX,
    AcceptErrors,
    ConnectionGuard,
    connection_limit,
    install_bad_request_filter,
)
from retrovue.hdhr.control import CONTROL_TIMEOUT_S, KEEPALIVE_PORT, ControlOptions, TunerController
from retrovue.hdhr.device import Device, http_base_url
from retrovue.hdhr.identity import (
    DeviceIdentity,
    generate_device_auth,
    generate_device_id,
    validate_device_id,
)
from retrovue.hdhr.identity_store import load_identity
from retrovue.hdhr.lineup import LineupCache, read_lineup
from retrovue.hdhr.mdns import MdnsAdvertiser
from retrovue.hdhr.netaddr import bind_tcp, detect_advertise_host, interface_ipv4, try_bind_tcp
from retrovue.hdhr.ssdp import NOTIFY_INTERVAL_S, SsdpResponder
from retrovue.hdhr.ssdp_packets import SSDP_PORT
from retrovue.hdhr.state import HdhrState
from retrovue.hdhr.tuners import TunerPool
from retrovue.runtime.interface import StreamService

DEFAULT_API_PORT = 80
SHUTDOWN_TIMEOUT_S = 2.0
HEADER_TIMEOUT_S = 10.0
RouteRegistrar = Callable[[web.Application, Device], None]  # device: advertised URLs
UDP_NAME, SSDP_NAME, MDNS_NAME = "UDP/TCP 65001", "SSDP", "mDNS"  # as the summary names them

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StationConfig:
    bind_host: str
    advertise_host: str
    stream_port: int = 5004
    api_port: int | None = None  # None: 80 when it can be bound, else the stream port
    tuner_count: int = 4
    friendly_name: str = "RetroVue"
    device_id: str | None = None  # an override of the stored DeviceID
    enable_udp: bool = True  # the binary protocol: UDP discovery and TCP control on 65001
    enable_ssdp: bool = True
    enable_mdns: bool = True
    control_port: int = discovery.HDHR_PORT
    keepalive_port: int = KEEPALIVE_PORT  # UDP keep-alives of libhdhomerun's streams
    target_any_address: bool = False  # a UDP/RTP target may be another host than the client
    control_timeout_s: float = CONTROL_TIMEOUT_S  # a silent control client's tuner is reset
    ssdp_port: int = SSDP_PORT
    notify_interval_s: float = NOTIFY_INTERVAL_S
    data_dir: Path | None = None  # where the identity is kept; None: a new one each run (tests)
    header_timeout_s: float = HEADER_TIMEOUT_S  # a whole request within, and idle between them
    per_client_max: int = PER_CLIENT_MAX  # connections one address may hold
    connections_max: int | None = None  # in all; None: the descriptor limit less a reserve

    @classmethod
    def from_settings(cls, settings: Settings) -> StationConfig:
        return cls(
            bind_host=settings.bind_host,
            advertise_host=settings.advertise_host or detect_advertise_host(),
            stream_port=settings.stream_port,
            api_port=settings.api_port,
            tuner_count=settings.tuner_count,
            friendly_name=settings.friendly_name,
            device_id=settings.device_id,
            enable_udp=settings.enable_udp,
            enable_ssdp=settings.enable_ssdp,
            enable_mdns=settings.enable_mdns,
            data_dir=settings.data_dir,
            target_any_address=settings.target_any_address,
            control_timeout_s=settings.control_timeout_s,
        )


@dataclass(frozen=True)
class RunningStation:
    device: Device
    state: HdhrState
    api_port: int
    stream_port: int
    app: web.Application
    connections: ConnectionGuard

    @property
    def control_port(self) -> int | None:
        """Where the TCP control server listens (None: the binary protocol is off)."""
        return self.state.control_port


def _bind(host: str, port: int, what: str) -> socket.socket:
    try:
        return bind_tcp(host, port)
    except OSError as err:
        raise ConfigError(f"{what}: cannot listen on {host}:{port}: {err.strerror}") from err


def bind_ports(config: StationConfig) -> list[socket.socket]:
    """Listening sockets: the stream port first, then the API port when it differs."""
    stream = _bind(config.bind_host, config.stream_port, "port")
    if config.api_port is None:
        api = try_bind_tcp(config.bind_host, DEFAULT_API_PORT)
        if api is None:
            log.warning(
                "cannot bind port %d: the API answers on port %d only; Jellyfin and Emby "
                "auto-detection needs port 80 (add the tuner by URL instead)",
                DEFAULT_API_PORT,
                stream.getsockname()[1],
            )
            return [stream]
        return [stream, api]
    if config.api_port == config.stream_port and config.api_port != 0:
        return [stream]
    try:
        return [stream, _bind(config.bind_host, config.api_port, "api_port")]
    except ConfigError:
        stream.close()
        raise


def _views(state: HdhrState) -> discovery.ViewSource:
    return state.view


async def _binary_protocol(
    state: HdhrState, config: StationConfig, _app: web.Application
) -> AsyncIterator[None]:
    try:
        udp = await discovery.start_udp(_views(state), config.bind_host, config.control_port)
    except OSError as err:
        _discovery_off(state, UDP_NAME, "UDP discovery and TCP control", config.control_port, err)
        yield
        return
    options = ControlOptions(config.target_any_address, config.control_timeout_s)
    controller = TunerController(state, options)
    try:
        tcp = await discovery.start_tcp(
            _views(state), config.bind_host, config.control_port, controller.answer
        )
    except OSError as err:
        udp.close()
        _discovery_off(state, UDP_NAME, "TCP control", config.control_port, err)
        yield
        return
    state.control_port = int(tcp.sockets[0].getsockname()[1])
    state.services[UDP_NAME] = "on"
    await controller.start(config.bind_host, config.keepalive_port)
    try:
        yield
    finally:
        udp.close()
        tcp.close()
        await controller.close()
        await tcp.wait_closed()


FLAGS = {UDP_NAME: "--no-udp", SSDP_NAME: "--no-ssdp", MDNS_NAME: "--no-mdns"}


def _discovery_off(state: HdhrState, name: str, what: str, port: int, err: OSError) -> None:
    """``name`` (as the summary says it) is off: logged as ``what`` with the reason."""
    reason = f"cannot use port {port}: {err.strerror or err}"
    state.services[name] = f"off ({reason})"
    log.warning(
        "%s off: %s; the HTTP API still works (%s silences this)", what, reason, FLAGS[name]
    )


async def _ssdp(
    state: HdhrState, config: StationConfig, _app: web.Application
) -> AsyncIterator[None]:
    responder = SsdpResponder(
        state.device,
        interface_ipv4(config.advertise_host),
        state.clock,
        port=config.ssdp_port,
        notify_interval_s=config.notify_interval_s,
    )
    try:
        await responder.start()
    except OSError as err:
        _discovery_off(state, SSDP_NAME, "SSDP", config.ssdp_port, err)
        yield
        return
    state.services[SSDP_NAME] = "on"
    try:
        yield
    finally:
        await responder.stop()


async def _mdns(
    state: HdhrState, config: StationConfig, api_port: int, _app: web.Application
) -> AsyncIterator[None]:
    def registered(done: bool) -> None:
        state.services[MDNS_NAME] = "on" if done else "off (registration failed: see the log)"

    advertiser = MdnsAdvertiser(
        state.device, interface_ipv4(config.advertise_host), api_port, on_done=registered
    )
    try:
        await advertiser.start()
    except OSError as err:
        _discovery_off(state, MDNS_NAME, "mDNS", 5353, err)
        yield
        return
    if state.services[MDNS_NAME] == "starting":  # probing the network takes a few seconds
        state.services[MDNS_NAME] = "registering (probing the network)"
    try:
        yield
    finally:
        await advertiser.stop()


def build_app(
    state: HdhrState,
    config: StationConfig,
    api_port: int,
    route_registrars: Sequence[RouteRegistrar] = (),
) -> web.Application:
    app = web.Application()
    add_hdhr_routes(app, state)
    for register in route_registrars:
        register(app, state.device)
    for name, enabled in (
        (UDP_NAME, config.enable_udp), (SSDP_NAME, config.enable_ssdp),
        (MDNS_NAME, config.enable_mdns),
    ):  # fmt: skip
        state.services[name] = "starting" if enabled else "off"
    if config.enable_udp:
        app.cleanup_ctx.append(partial(_binary_protocol, state, config))
    if config.enable_ssdp:
        app.cleanup_ctx.append(partial(_ssdp, state, config))
    if config.enable_mdns:
        app.cleanup_ctx.append(partial(_mdns, state, config, api_port))
    return app


def _identity(config: StationConfig) -> DeviceIdentity:
    if config.data_dir is not None:
        return load_identity(config.data_dir, device_id_override=config.device_id)
    device_id = validate_device_id(config.device_id) if config.device_id else generate_device_id()
    return DeviceIdentity(device_id=device_id, device_auth=generate_device_auth())


@asynccontextmanager
async def run_station(
    config: StationConfig,
    *,
    database: Database,
    clock: Clock,
    stream_service: StreamService,
    route_registrars: Sequence[RouteRegistrar] = (),
) -> AsyncIterator[RunningStation]:
    """Start everything; on exit stop everything (open streams are cancelled)."""
    if config.advertise_host in ("0.0.0.0", "::"):
        raise ConfigError("advertise address must be the LAN address, never 0.0.0.0")
    identity = await asyncio.to_thread(_identity, config)
    sockets = bind_ports(config)
    ports = [int(sock.getsockname()[1]) for sock in sockets]
    stream_port, api_port = ports[0], ports[-1]
    device = Device(
        identity=identity,
        friendly_name=config.friendly_name,
        tuner_count=config.tuner_count,
        base_url=http_base_url(config.advertise_host, api_port),
        stream_base_url=http_base_url(config.advertise_host, stream_port),
    )
    state = HdhrState(
        device=device,
        tuners=TunerPool(config.tuner_count),
        lineup=LineupCache(partial(read_lineup, database), clock),
        streams=stream_service,
        clock=clock,
    )
    await state.lineup.get()
    app = build_app(state, config, api_port, route_registrars)
    runner = web.AppRunner(
        app,
        handler_cancellation=True,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        access_log=None,
        keepalive_timeout=config.header_timeout_s,
    )
    guard = ConnectionGuard(
        clock,
        per_client=config.per_client_max,
        total=config.connections_max or connection_limit(),
    )
    loop = asyncio.get_running_loop()
    accept_errors = AcceptErrors(loop, clock)
    install_bad_request_filter()
    servers: list[asyncio.Server] = []
    try:
        await runner.setup()
        assert runner.server is not None
        loop.set_exception_handler(accept_errors)
        for sock in sockets:
            servers.append(await loop.create_server(guard.factory(runner.server), sock=sock))
        log.info(
            "RetroVue tuner %s at %s (streams on port %d)",
            device.device_id,
            device.base_url,
            stream_port,
        )
        yield RunningStation(device, state, api_port, stream_port, app, guard)
    finally:
        for server in servers:
            server.close()
        await runner.cleanup()
        for server in servers:
            await server.wait_closed()
        loop.set_exception_handler(accept_errors.previous)
        for sock in sockets:
            sock.close()
