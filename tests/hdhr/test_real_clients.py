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


async def test_zeroconf_browser_on_loopback_sees_the_service(
    channels_db: Database, streams: FakeStreamService
) -> None:
    config = station_config(enable_mdns=True)
    async with run_station(
        config, database=channels_db, clock=SystemClock(), stream_service=streams
    ) as running:
        found = await browse("_hdhomerun._tcp.local.")
    assert found is not None
    assert found.properties[b"DeviceID"] == running.device.device_id.encode()
    assert found.properties[b"BaseURL"] == running.device.base_url.encode()
    assert found.port == running.api_port
    assert found.parsed_addresses() == ["127.0.0.1"]


async def browse(service_type: str, timeout_s: float = 8.0) -> AsyncServiceInfo | None:
    aiozc = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    names: asyncio.Queue[str] = asyncio.Queue()

    def on_change(
        zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange
    ) -> None:
        if state_change is ServiceStateChange.Added:
            names.put_nowait(name)

    browser = AsyncServiceBrowser(aiozc.zeroconf, [service_type], handlers=[on_change])
    try:
        name = await asyncio.wait_for(names.get(), timeout_s)
        info = AsyncServiceInfo(service_type, name)
        if not await info.async_request(aiozc.zeroconf, 3000):
            return None
        return info
    finally:
        await browser.async_cancel()
        await aiozc.async_close()
