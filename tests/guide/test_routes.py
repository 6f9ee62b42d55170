"""The guide's HTTP routes through a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from lxml import etree

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.guide.service import GuideService
from retrovue.hdhr.guide_routes import accepts_gzip, add_guide_routes
from tests.guide.factories import add_channel, add_event

ADVERTISED = "http://192.0.2.7:5004"
ClientMaker = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def guide(sqlite_db: Database, clock: FakeClock, tmp_path: Path) -> GuideService:
    now = clock.now_utc()
    logo = tmp_path / "seven.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\nlogo-bytes")
    channel = add_channel(sqlite_db, now, "7", name="Seven & <Co>", logo=str(logo))
    add_channel(sqlite_db, now, "8", name="Eight")
    add_event(sqlite_db, channel, now, now + timedelta(minutes=30), title="Live & <Direct>")
    return GuideService(sqlite_db, clock, days=1)


async def _client(
    aiohttp_client: ClientMaker, guide: GuideService, base_url: object = ADVERTISED
) -> TestClient[Any, Any]:
    app = web.Application()
    add_guide_routes(app, guide, base_url)  # type: ignore[arg-type]
    return await aiohttp_client(app)


async def test_xmltv_with_validators_and_304(
    aiohttp_client: ClientMaker, guide: GuideService
) -> None:
    client = await _client(aiohttp_client, guide)
    response = await client.get("/xmltv.xml", headers={"Accept-Encoding": "identity"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    assert "Content-Encoding" not in response.headers
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert etag.startswith('"')
    assert modified.endswith("GMT")
    body = await response.read()
    doc = etree.fromstring(body)
    assert doc.findtext("programme/title") == "Live & <Direct>"
    icon = doc.find("channel/icon")
    assert icon is not None
    assert icon.get("src") == f"{ADVERTISED}/guide/logo/7"

    again = await client.get(
        "/xmltv.xml", headers={"If-None-Match": etag, "Accept-Encoding": "identity"}
    )
    assert again.status == 304
    assert again.headers["ETag"] == etag
    assert await again.read() == b""
    other = await client.get("/guide.xml", headers={"If-None-Match": '"stale"'})
    assert other.status == 200
    since = await client.get(
        "/guide.xml", headers={"If-Modified-Since": modified, "Accept-Encoding": "identity"}
    )
    assert since.status == 304
    assert guide.renders == 1


async def test_gzip_when_accepted(aiohttp_client: ClientMaker, guide: GuideService) -> None:
    client = await _client(aiohttp_client, guide)
    plain = await (await client.get("/xmltv.xml", headers={"Accept-Encoding": ""})).read()
    response = await client.get(
        "/xmltv.xml", headers={"Accept-Encoding": "br;q=1, gzip;q=0.8"}, auto_decompress=False
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(await response.read()) == plain
    gz_etag = response.headers["ETag"]
    cached = await client.get(
        "/xmltv.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": gz_etag}
    )
    assert cached.status == 304
    refused = await client.get(
        "/xmltv.xml", headers={"Accept-Encoding": "gzip;q=0"}, auto_decompress=False
    )
    assert "Content-Encoding" not in refused.headers
    assert await refused.read() == plain


async def test_m3u_on_both_paths(aiohttp_client: ClientMaker, guide: GuideService) -> None:
    client = await _client(aiohttp_client, guide)
    for path in ("/lineup.m3u", "/channels.m3u"):
        response = await client.get(path)
        assert response.status == 200
        assert "ETag" in response.headers
        text = await response.text()
        lines = text.splitlines()
        assert lines[0] == f'#EXTM3U url-tvg="{ADVERTISED}/xmltv.xml"'
        assert 'tvg-id="7.retrovue"' in lines[1]
        assert lines[2] == f"{ADVERTISED}/auto/v7"
        assert lines[4] == f"{ADVERTISED}/auto/v8"


async def test_base_url_from_the_request_when_not_given(
    aiohttp_client: ClientMaker, guide: GuideService
) -> None:
    client = await _client(aiohttp_client, guide, None)
    text = await (await client.get("/lineup.m3u")).text()
    host = f"http://{client.server.host}:{client.server.port}"
    assert text.splitlines()[2] == f"{host}/auto/v7"


async def test_logo_served_by_channel_number_only(
    aiohttp_client: ClientMaker, guide: GuideService
) -> None:
    client = await _client(aiohttp_client, guide)
    response = await client.get("/guide/logo/7")
    assert response.status == 200
    assert await response.read() == b"\x89PNG\r\n\x1a\nlogo-bytes"
    for missing in ("/guide/logo/8", "/guide/logo/99", "/guide/logo/..%2F7"):
        assert (await client.get(missing)).status == 404


async def test_guide_changes_reach_clients(
    aiohttp_client: ClientMaker, guide: GuideService, sqlite_db: Database, clock: FakeClock
) -> None:
    client = await _client(aiohttp_client, guide)
    first = await client.get("/xmltv.xml")
    etag = first.headers["ETag"]
    channel = add_channel(sqlite_db, clock.now_utc(), "9", name="Brand New")
    add_event(sqlite_db, channel, clock.now_utc(), clock.now_utc() + timedelta(hours=1))
    second = await client.get("/xmltv.xml", headers={"If-None-Match": etag})
    assert second.status == 200
    assert b"Brand New" in await second.read()


def test_accept_encoding_parsing() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("deflate, gzip;q=0.5")
    assert accepts_gzip("*")
    assert not accepts_gzip("")
    assert not accepts_gzip("identity")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("gzip; q=0.0")


async def test_m3u_streams_from_the_stream_port_when_given(
    aiohttp_client: ClientMaker, guide: GuideService
) -> None:
    app = web.Application()
    add_guide_routes(app, guide, ADVERTISED, stream_base_url="http://192.0.2.7:5005")
    client = await aiohttp_client(app)
    lines = (await (await client.get("/lineup.m3u")).text()).splitlines()
    assert lines[0] == f'#EXTM3U url-tvg="{ADVERTISED}/xmltv.xml"'
    assert lines[2] == "http://192.0.2.7:5005/auto/v7"


async def test_concurrent_requests_share_one_render_and_head_works(
    aiohttp_client: ClientMaker, guide: GuideService
) -> None:
    client = await _client(aiohttp_client, guide)
    responses = await asyncio.gather(*(client.get("/xmltv.xml") for _ in range(6)))
    assert {r.status for r in responses} == {200}
    assert len({r.headers["ETag"] for r in responses}) == 1
    assert guide.renders == 1
    head = await client.head("/lineup.m3u")
    assert head.status == 200
    assert "ETag" in head.headers
    assert await head.read() == b""
