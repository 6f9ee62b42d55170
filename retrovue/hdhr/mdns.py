"""mDNS advertisement with zeroconf: ``_hdhomerun._tcp`` and ``_http._tcp`` on one interface."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from retrovue.hdhr.device import Device

SERVICE_TYPES = ("_hdhomerun._tcp.local.", "_http._tcp.local.")

log = logging.getLogger(__name__)


def service_infos(device: Device, address: str, port: int) -> list[AsyncServiceInfo]:
    properties = {"DeviceID": device.device_id, "BaseURL": device.base_url}
    host = f"{device.device_id}.local."  # real tuners answer <DeviceID>.local
    return [
        AsyncServiceInfo(
            kind,
            f"{device.friendly_name} {device.device_id}.{kind}",
            addresses=[socket.inet_aton(address)],
            port=port,
            properties=properties,
            server=host,
        )
        for kind in SERVICE_TYPES
    ]


class MdnsAdvertiser:
    """Registers the services on start, unregisters them on stop."""

    def __init__(
        self,
        device: Device,
        interface_ip: str,
        port: int,
        on_done: Callable[[bool], None] | None = None,
    ) -> None:
        self._on_done = on_done  # told whether the registration succeeded
        self._device = device
        self._interface_ip = interface_ip
        self._port = port
        self._zeroconf: AsyncZeroconf | None = None
        self._registering: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin registering; probing takes a few seconds and runs in the background."""
        self._zeroconf = AsyncZeroconf(interfaces=[self._interface_ip], ip_version=IPVersion.V4Only)
        self._registering = asyncio.ensure_future(self._register(self._zeroconf))

    async def _register(self, zeroconf: AsyncZeroconf) -> None:
        try:
            infos = service_infos(self._device, self._interface_ip, self._port)
            pending = [
                await zeroconf.async_register_service(info, allow_name_change=True)
                for info in infos
            ]
            await asyncio.gather(*pending)
            log.info("mDNS: %s on %s", ", ".join(SERVICE_TYPES), self._interface_ip)
        except Exception:  # the edge of a background task: mDNS is optional, log and go on
            log.exception("mDNS registration failed")
            self._done(False)
            return
        self._done(True)

    def _done(self, registered: bool) -> None:
        if self._on_done is not None:
            self._on_done(registered)

    async def stop(self) -> None:
        if self._zeroconf is None:
            return
        if self._registering is not None:
            await self._registering  # finish probing, so that every service gets a goodbye
        await self._zeroconf.async_unregister_all_services()
        await self._zeroconf.async_close()
        self._zeroconf = None
