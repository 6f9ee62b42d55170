"""Real clients on loopback: Debian's hdhomerun_config, gssdp-discover, a zeroconf browser.

hdhomerun_config needs the fixed port 65001 and SSDP the fixed port 1900: these tests take a
file lock so that two runs never overlap. Everything is bound to 127.0.0.1; nothing leaves lo.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
from zeroconf import IPVersion, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService

pytestmark = pytest.mark.usefixtures("fixed_ports")


@pytest.fixture
async def discoverable(
    channels_db: Database, streams: FakeStreamService
) -> AsyncIterator[RunningStation]:
    # NOTIFYs are far apart: what gssdp-discover sees are answers to its M-SEARCH
    config = station_config(enable_udp=True, enable_ssdp=True, notify_interval_s=3600)
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=streams
    ) as running:
        yield running


async def run_tool(*args: str, timeout_s: float = 15.0) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout_s)
    return int(process.returncode or 0), out.decode(errors="replace")


needs_hdhomerun_config = pytest.mark.skipif(
    shutil.which("hdhomerun_config") is None, reason="Debian package hdhomerun-config missing"
)
needs_gssdp = pytest.mark.skipif(
    shutil.which("gssdp-discover") is None, reason="Debian package gupnp-tools missing"
)


@needs_hdhomerun_config
async def test_hdhomerun_config_discovers_the_device(discoverable: RunningStation) -> None:
    code, out = await run_tool("hdhomerun_config", "discover", "127.0.0.1")
    assert code == 0, out
    assert f"hdhomerun device {discoverable.device.device_id} found at 127.0.0.1" in out


@needs_hdhomerun_config
async def test_hdhomerun_config_gets_variables(discoverable: RunningStation) -> None:
    code, out = await run_tool("hdhomerun_config", "127.0.0.1", "get", "/sys/model")
    assert (code, out.strip()) == (0, "hdhomerun5_atsc")
    code, out = await run_tool("hdhomerun_config", "127.0.0.1", "get", "/sys/hwmodel")
    assert (code, out.strip()) == (0, "HDHR5-4US")
    code, out = await run_tool("hdhomerun_config", "127.0.0.1", "get", "/sys/bogus")
    assert "unknown getset variable" in out


@needs_hdhomerun_config
async def test_no_udp_means_nothing_answers(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async with run_station(
        station_config(), database=channels_db, clock=SystemClock(), stream_service=streams
    ):
        code, out = await run_tool("hdhomerun_config", "discover", "127.0.0.1")
    assert "found at" not in out
    assert code != 0 or "no devices found" in out


@needs_gssdp
async def test_gssdp_discover_finds_the_media_server(discoverable: RunningStation) -> None:
    code, out = await run_tool(
        "gssdp-discover", "-i", "lo", "-n", "3", "-t", "urn:schemas-upnp-org:device:MediaServer:1"
    )
    assert code == 0, out
    location = f"Location: {discoverable.device.base_url}/device.xml"
    assert location in out, out
    assert f"uuid:{discoverable.device.udn}" in out


async def test_zeroconf_browser_on_loopback_sees_the_service_come_and_go(
    channels_db: Database, streams: FakeStreamService
) -> None:
    config = station_config(enable_mdns=True)
    async with Browser("_hdhomerun._tcp.local.") as browser:
        async with run_station(
            config, database=channels_db, clock=SystemClock(), stream_service=streams
        ) as running:
            name = await browser.next_change(ServiceStateChange.Added)
            found = await browser.resolve(name)
        assert await browser.next_change(ServiceStateChange.Removed) == name
    assert found is not None
    assert found.properties[b"DeviceID"] == running.device.device_id.encode()
    assert found.properties[b"BaseURL"] == running.device.base_url.encode()
    assert found.port == running.api_port
    assert found.parsed_addresses() == ["127.0.0.1"]
    assert found.server == f"{running.device.device_id}.local."


class Browser:
    """A zeroconf browser restricted to loopback."""

    def __init__(self, service_type: str) -> None:
        self._type = service_type
        self._aiozc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
        self._changes: asyncio.Queue[tuple[ServiceStateChange, str]] = asyncio.Queue()
        self._browser: AsyncServiceBrowser | None = None

    def _on_change(
        self, zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        self._changes.put_nowait((state_change, name))

    async def __aenter__(self) -> Browser:
        self._browser = AsyncServiceBrowser(
            self._aiozc.zeroconf, [self._type], handlers=[self._on_change]
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._browser is not None:
            await self._browser.async_cancel()
        await self._aiozc.async_close()

    async def next_change(self, wanted: ServiceStateChange, timeout_s: float = 8.0) -> str:
        async with asyncio.timeout(timeout_s):
            while True:
                change, name = await self._changes.get()
                if change is wanted:
                    return name

    async def resolve(self, name: str) -> AsyncServiceInfo | None:
        info = AsyncServiceInfo(self._type, name)
        return info if await info.async_request(self._aiozc.zeroconf, 3000) else None
