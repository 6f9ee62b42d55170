"""The pages over real HTTP: each renders the station's data; the review forms need the
operator's session and its CSRF token, and refuse with 401/403 changing nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from retrovue.library.review import show_asset
from tests.web.conftest import PASSWORD, Served

pytestmark = pytest.mark.timeout(60)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def _page(http: aiohttp.ClientSession, url: str, status: int = 200) -> str:
    async with http.get(url) as response:
        assert response.status == status
        assert response.content_type == "text/html"
        return await response.text()


async def test_every_page_renders(served: Served) -> None:
    on_now = await _page(served.http, served.base + "/")
    assert "Web Seven" in on_now
    assert "Test Show" in on_now
    assert "/api/v1/channels/7/thumbnail.jpg" in on_now
    assert "tuner3" in on_now
    guide = await _page(served.http, served.base + "/guide")
    assert 'data-channel="7"' in guide
    assert 'class="prog on-now"' in guide
    assert "now-line" in guide
    assert "12:00" in guide  # a column at the current half hour (the channel is in UTC)
    watch = await _page(served.http, served.base + "/watch/7")
    assert 'src="/watch/7/stream.mp4"' in watch
    review = await _page(served.http, served.base + "/review")
    assert "Waiting Film" in review
    assert "Sign in</a> as the operator" in review
    assert "/review/4/approve" not in review  # no buttons for visitors
    as_run = await _page(served.http, served.base + "/as-run?channel=7")
    assert "broadcast day 2026-03-02" in as_run
    health = await _page(served.http, served.base + "/health")
    assert "database schema" in health
    missing = await _page(served.http, served.base + "/watch/99", 404)
    assert "no channel &#39;99&#39;" in missing


async def test_pages_refuse_framing_and_scripts(served: Served) -> None:
    async with served.http.get(served.base + "/review") as response:
        assert response.headers["X-Frame-Options"] == "DENY"
        policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'none'" in policy
    assert "form-action 'self'" in policy


async def test_the_guide_pages_through_fourteen_days(served: Served) -> None:
    guide = await _page(served.http, served.base + "/guide")
    assert guide.count("/guide?start=2026-03-") >= 14
    later = await _page(served.http, served.base + "/guide?start=2026-03-03T06:00:00Z")
    assert "now-line" not in later
    assert "Test Show" in later


async def test_review_needs_a_session_and_its_csrf_token(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    asset = served.station.pending_id
    url = f"{served.base}/review/{asset}/approve"
    async with browser.post(url, data={"csrf": "guess"}) as response:
        assert response.status == 401
    async with browser.post(
        served.base + "/login", data={"password": "wrong", "next": "/review"}
    ) as response:
        assert response.status == 401
    async with browser.post(
        served.base + "/login", data={"password": PASSWORD, "next": "https://evil.example/"}
    ) as response:
        assert response.status == 200
        assert response.url.path == "/review"  # never sent off the station
        page = await response.text()
    token = CSRF.findall(page)[0]
    assert f"/review/{asset}/approve" in page
    async with browser.post(url) as response:
        assert response.status == 403
    async with browser.post(url, data={"csrf": token + "x"}) as response:
        assert response.status == 403
    assert show_asset(served.database, asset)["state"] == "pending"
    async with browser.post(url, data={"csrf": token, "state": "pending"}) as response:
        assert response.status == 200
        assert f"Done: approved {asset}" in await response.text()
    assert show_asset(served.database, asset)["state"] == "approved"
    async with browser.post(
        f"{served.base}/review/{asset}/reject", data={"csrf": token, "reason": " "}
    ) as response:
        assert response.status == 400
    assert show_asset(served.database, asset)["state"] == "approved"
    async with browser.post(served.base + "/logout", data={"csrf": token}) as response:
        assert response.status == 200
    async with browser.post(url, data={"csrf": token}) as response:
        assert response.status == 401


async def test_a_signed_in_browser_uses_the_api_with_its_csrf_header(
    served: Served, browser: aiohttp.ClientSession
) -> None:
    asset = served.station.pending_id
    async with browser.post(
        served.base + "/login", data={"password": PASSWORD, "next": "/review"}
    ) as response:
        token = CSRF.findall(await response.text())[0]
    url = f"{served.base}/api/v1/assets/{asset}/approve"
    async with browser.post(url) as response:
        assert response.status == 403
        assert await response.json() == {"error": "missing or wrong CSRF token"}
    assert show_asset(served.database, asset)["state"] == "pending"
    async with browser.post(url, headers={"X-CSRF-Token": token}) as response:
        assert response.status == 200
    assert show_asset(served.database, asset)["state"] == "approved"
