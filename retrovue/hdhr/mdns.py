"""mDNS advertisement with zeroconf: ``_hdhomerun._tcp`` and ``_http._tcp`` on one interface."""

from __future__ import annotations

import asyncio
import logging
import socket

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

    def __init__(self, device: Device, interface_ip: str, port: int) -> None:
        self._device = device
        self._interface_ip = interface_ip
        self._port = port
        self._zeroconf: AsyncZeroconf | None = None
        self._infos: list[AsyncServiceInfo] = []

    async def start(self) -> None:
        self._zeroconf = AsyncZeroconf(interfaces=[self._interface_ip], ip_version=IPVersion.V4Only)
        self._infos = service_infos(self._device, self._interface_ip, self._port)
        pending = [
            await self._zeroconf.async_register_service(info, allow_name_change=True)
            for info in self._infos
        ]
        await asyncio.gather(*pending)  # probing and announcing take about a second
        log.info("mDNS: %s on %s", ", ".join(SERVICE_TYPES), self._interface_ip)

    async def stop(self) -> None:
        if self._zeroconf is None:
            return
        await self._zeroconf.async_unregister_all_services()
        await self._zeroconf.async_close()
        self._zeroconf = None
