"""The HTTP API on both ports: documents exactly as DVRs expect them, and stream accounting."""

from __future__ import annotations

import asyncio
import json
from xml.etree import ElementTree

import aiohttp
import pytest
from aiohttp import web

from retrovue.app import RunningStation, run_station
from retrovue.clock import SystemClock
from retrovue.db import Database
from retrovue.hdhr.identity import check_digit_valid
from tests.hdhr.conftest import station_config
from tests.hdhr.fakes import FakeStreamService, pids, ts_packets

UPNP = "{urn:schemas-upnp-org:device-1-0}"


def url(station: RunningStation, path: str, *, stream_port: bool = False) -> str:
    port = station.stream_port if stream_port else station.api_port
    return f"http://127.0.0.1:{port}{path}"


async def get_json(station: RunningStation, path: str, **kw: bool) -> object:
    async with aiohttp.ClientSession() as client, client.get(url(station, path, **kw)) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/json"
        return json.loads(await resp.text())


@pytest.mark.parametrize("stream_port", [False, True])
async def test_discover_json_on_both_ports(station: RunningStation, stream_port: bool) -> None:
    assert station.api_port != station.stream_port
    doc = await get_json(station, "/discover.json", stream_port=stream_port)
    base = f"http://127.0.0.1:{station.api_port}"
    assert isinstance(doc, dict)
    assert set(doc) == {
        "FriendlyName", "ModelNumber", "FirmwareName", "FirmwareVersion", "DeviceID",
        "DeviceAuth", "BaseURL", "LineupURL", "TunerCount",
    }  # fmt: skip
    assert doc["FriendlyName"] == "RetroVue"
    assert doc["ModelNumber"] == "HDHR5-4US"
    assert "hdtc" not in str(doc["ModelNumber"]).lower()
    assert doc["BaseURL"] == base
    assert doc["LineupURL"] == base + "/lineup.json"
    assert doc["TunerCount"] == 2
    assert type(doc["TunerCount"]) is int
    assert len(str(doc["FirmwareVersion"])) == 8
    assert str(doc["FirmwareVersion"]).isdigit()
    assert len(str(doc["DeviceAuth"])) == 24
    assert check_digit_valid(int(str(doc["DeviceID"]), 16))


async def test_lineup_json_lists_enabled_channels_without_query_strings(
    station: RunningStation,
) -> None:
    lineup = await get_json(station, "/lineup.json")
    stream_base = f"http://127.0.0.1:{station.stream_port}"
    assert lineup == [
        {"GuideNumber": "2", "GuideName": "RetroVue Two", "VideoCodec": "H264",
         "AudioCodec": "AAC", "HD": 1, "URL": f"{stream_base}/auto/v2"},
        {"GuideNumber": "4.1", "GuideName": "Cartoons", "VideoCodec": "H264",
         "AudioCodec": "AAC", "URL": f"{stream_base}/auto/v4.1"},
        {"GuideNumber": "10", "GuideName": "Movies", "VideoCodec": "H264",
         "AudioCodec": "AAC", "HD": 1, "URL": f"{stream_base}/auto/v10"},
    ]  # fmt: skip
    assert all("?" not in entry["URL"] for entry in lineup)  # type: ignore[index,union-attr]


async def test_lineup_xml_matches_the_json(station: RunningStation) -> None:
    async with aiohttp.ClientSession() as client, client.get(url(station, "/lineup.xml")) as resp:
        root = ElementTree.fromstring(await resp.read())
    assert root.tag == "Lineup"
    programs = root.findall("Program")
    assert [p.findtext("GuideNumber") for p in programs] == ["2", "4.1", "10"]
    assert programs[0].findtext("HD") == "1"
    assert programs[1].find("HD") is None


async def test_lineup_status_idle(station: RunningStation) -> None:
    assert await get_json(station, "/lineup_status.json") == {
        "ScanInProgress": 0, "ScanPossible": 1, "Source": "Cable", "SourceList": ["Cable"],
    }  # fmt: skip


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_lineup_post_answers_200_with_empty_body(
    station: RunningStation, method: str
) -> None:
    for query in ("?scan=start", "?scan=start&source=Cable", "?scan=abort", ""):
        async with (
            aiohttp.ClientSession() as client,
            client.request(method, url(station, "/lineup.post" + query)) as resp,
        ):
            assert resp.status == 200
            assert await resp.read() == b""


@pytest.mark.parametrize("path", ["/device.xml", "/capability"])
async def test_device_description(station: RunningStation, path: str) -> None:
    async with aiohttp.ClientSession() as client, client.get(url(station, path)) as resp:
        assert resp.status == 200
        root = ElementTree.fromstring(await resp.read())
    assert root.tag == f"{UPNP}root"
    assert root.findtext(f"{UPNP}URLBase") == station.device.base_url
    device = root.find(f"{UPNP}device")
    assert device is not None
    assert device.findtext(f"{UPNP}deviceType") == "urn:schemas-upnp-org:device:MediaServer:1"
    assert device.findtext(f"{UPNP}manufacturer") == "Silicondust"
    assert device.findtext(f"{UPNP}modelNumber") == "HDHR5-4US"
    assert device.findtext(f"{UPNP}serialNumber") == station.device.device_id
    assert device.findtext(f"{UPNP}UDN") == f"uuid:{station.device.udn}"


async def read_some(resp: aiohttp.ClientResponse, at_least: int) -> bytes:
    data = b""
    while len(data) < at_least:
        chunk = await resp.content.read(4096)
        assert chunk, "stream ended early"
        data += chunk
    return data


async def wait_until(predicate: object, timeout_s: float = 3.0) -> None:
    for _ in range(int(timeout_s / 0.02)):
        if callable(predicate) and predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached in time")


async def test_stream_serves_ts_and_status_shows_the_slot(
    station: RunningStation, streams: FakeStreamService
) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.get(url(station, "/auto/v2", stream_port=True)) as resp:
            assert resp.status == 200
            assert resp.content_type == "video/mp2t"
            packets = ts_packets(await read_some(resp, 188 * 50))
            assert {0x0000, 0x1000}.issubset(pids(packets))
            status = await get_json(station, "/status.json")
            assert status == [
                {"Resource": "tuner0", "VctNumber": "2", "VctName": "RetroVue Two",
                 "TargetIP": "127.0.0.1"},
                {"Resource": "tuner1"},
            ]  # fmt: skip
        await wait_until(lambda: station.state.tuners.busy_count() == 0)
    assert streams.sessions[0].closed
    assert streams.sessions[0].client == "127.0.0.1"


async def test_unknown_and_disabled_channels_are_404(station: RunningStation) -> None:
    async with aiohttp.ClientSession() as client:
        for path in ("/auto/v99", "/auto/v7", "/tuner0/v99", "/tuner5/v2"):
            async with client.get(url(station, path)) as resp:
                assert resp.status == 404, path
                assert await resp.read() == b""
    assert station.state.tuners.busy_count() == 0


async def test_huge_tuner_numbers_are_404(station: RunningStation) -> None:
    async with aiohttp.ClientSession() as client:
        for path in ("/tuner" + "9" * 5000 + "/v2", "/tuner" + "0" * 5000 + "2/v2", "/tuner00/v2"):
            async with client.get(url(station, path)) as resp:
                expected = 200 if path == "/tuner00/v2" else 404
                assert resp.status == expected, path[:40]
    await wait_until(lambda: station.state.tuners.busy_count() == 0)


async def test_all_tuners_busy_is_503_805_with_empty_body(station: RunningStation) -> None:
    async with aiohttp.ClientSession() as client:
        first = await client.get(url(station, "/auto/v2"))
        second = await client.get(url(station, "/auto/v4.1?transcode=heavy"))
        assert (first.status, second.status) == (200, 200)
        async with client.get(url(station, "/auto/v10")) as third:
            assert third.status == 503
            assert third.headers["X-HDHomeRun-Error"] == "805 All Tuners In Use"
            assert await third.read() == b""
        first.close()
        await wait_until(lambda: station.state.tuners.busy_count() == 1)
        async with client.get(url(station, "/auto/v10")) as again:
            assert again.status == 200
            assert station.state.tuners.states()[0].use is not None
        second.close()


async def test_busy_specific_tuner_is_804(station: RunningStation) -> None:
    async with aiohttp.ClientSession() as client:
        holder = await client.get(url(station, "/tuner1/v2"))
        assert holder.status == 200
        assert station.state.tuners.states()[1].use is not None
        async with client.get(url(station, "/tuner1/v10")) as busy:
            assert busy.status == 503
            assert busy.headers["X-HDHomeRun-Error"] == "804 Tuner In Use"
            assert await busy.read() == b""
        async with client.get(url(station, "/tuner0/v10")) as free:
            assert free.status == 200
        holder.close()


async def test_head_takes_no_slot(station: RunningStation, streams: FakeStreamService) -> None:
    async with aiohttp.ClientSession() as client:
        for _ in range(3):
            async with client.head(url(station, "/auto/v2")) as resp:
                assert resp.status == 200
                assert resp.content_type == "video/mp2t"
        assert station.state.tuners.busy_count() == 0
        assert streams.sessions == []


async def test_duration_ends_the_stream_and_frees_the_slot(station: RunningStation) -> None:
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as client:
        started = loop.time()
        async with client.get(url(station, "/auto/v2?duration=1")) as resp:
            body = await resp.read()
        elapsed = loop.time() - started
    assert 0.9 <= elapsed < 3.0
    ts_packets(body)
    await wait_until(lambda: station.state.tuners.busy_count() == 0)


async def test_stream_service_failure_frees_the_slot(
    station: RunningStation, streams: FakeStreamService
) -> None:
    streams.broken.add("2")
    streams.missing.add("10")
    async with aiohttp.ClientSession() as client:
        async with client.get(url(station, "/auto/v2")) as resp:
            assert resp.status == 503
            assert resp.headers["X-HDHomeRun-Error"] == "806 Tune Failed"
            assert await resp.read() == b""
        async with client.get(url(station, "/auto/v10")) as resp:
            assert resp.status == 404
    assert station.state.tuners.busy_count() == 0


async def test_network_cannot_change_configuration(station: RunningStation) -> None:
    async with aiohttp.ClientSession() as client:
        for method, path in (("POST", "/lineup.json"), ("PUT", "/discover.json"),
                             ("DELETE", "/lineup.json"), ("GET", "/../etc/passwd")):  # fmt: skip
            async with client.request(method, url(station, path)) as resp:
                assert resp.status in (404, 405), (method, path)


async def test_extra_route_registrars_answer_on_both_ports(
    channels_db: Database, streams: FakeStreamService
) -> None:
    async def m3u(_request: web.Request) -> web.Response:
        return web.Response(text="#EXTM3U\n")

    def register(app: web.Application, _device: object) -> None:
        app.router.add_get("/lineup.m3u", m3u)

    async with (
        run_station(
            station_config(),
            database=channels_db,
            clock=SystemClock(),
            stream_service=streams,
            route_registrars=[register],
        ) as running,
        aiohttp.ClientSession() as client,
    ):
        for port in (running.api_port, running.stream_port):
            async with client.get(f"http://127.0.0.1:{port}/lineup.m3u") as resp:
                assert await resp.text() == "#EXTM3U\n"


async def test_shutdown_closes_open_streams_promptly(
    channels_db: Database, streams: FakeStreamService
) -> None:
    loop = asyncio.get_running_loop()
    async with aiohttp.ClientSession() as client:
        async with run_station(
            station_config(), database=channels_db, clock=SystemClock(), stream_service=streams
        ) as running:
            viewer = await client.get(url(running, "/auto/v2"))
            await read_some(viewer, 1000)
            stopping = loop.time()
        stopped_s = loop.time() - stopping
        viewer.close()
    assert stopped_s < 2.5
    assert streams.sessions[0].closed
    assert running.state.tuners.busy_count() == 0
