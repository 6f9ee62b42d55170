"""The JSON API on a real station over real HTTP: reads, paging, errors as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.web.conftest import Served

pytestmark = pytest.mark.timeout(60)


async def _get(served: Served, path: str, status: int = 200) -> Any:
    async with served.http.get(served.base + path) as response:
        assert response.status == status, await response.text()
        assert response.content_type == "application/json"
        return await response.json()


async def test_channels(served: Served) -> None:
    data = await _get(served, "/api/v1/channels")
    [channel] = data["channels"]
    assert channel["number"] == "7"
    assert channel["name"] == "Web Seven"
    assert channel["call_sign"] == "WEB7"
    assert channel["stream_url"].endswith("/auto/v7")
    one = await _get(served, "/api/v1/channels/7")
    assert one["channel"] == channel
    missing = await _get(served, "/api/v1/channels/99", 404)
    assert missing == {"error": "no channel '99'"}


async def test_guide_lists_the_programme_on_now(served: Served) -> None:
    data = await _get(served, "/api/v1/guide?start=2026-03-02T12:00:00Z&end=2026-03-02T12:02:00Z")
    assert data["start_utc"] == "2026-03-02T12:00:00+00:00"
    [channel] = data["channels"]
    programmes = channel["programmes"]
    assert programmes, channel
    starts = [datetime.fromisoformat(p["start_utc"]) for p in programmes]
    assert starts == sorted(starts)
    assert {p["title"] for p in programmes} == {"Test Show"}
    assert {p["sub_title"] for p in programmes} <= {"Pilot", "Second", "Third"}
    on_now = await _get(served, "/api/v1/on-now")
    now = on_now["channels"][0]["now"]
    assert now["title"] == "Test Show"
    covering = [
        p for p in programmes
        if p["start_utc"] <= "2026-03-02T12:00:00+00:00" < p["stop_utc"]
    ]  # fmt: skip
    assert [p["sub_title"] for p in covering] == [now["episode_title"]]
    one = await _get(served, "/api/v1/guide?channel=7")
    assert [c["number"] for c in one["channels"]] == ["7"]


async def test_on_now_reports_tuners_and_progress(served: Served) -> None:
    data = await _get(served, "/api/v1/on-now")
    assert data["at_utc"] == "2026-03-02T12:00:00+00:00"
    [channel] = data["channels"]
    assert 0.0 <= channel["progress"] <= 1.0
    assert channel["now"]["start_utc"] <= data["at_utc"] < channel["now"]["end_utc"]
    assert channel["next"]["start_utc"] == channel["now"]["end_utc"]
    assert channel["viewers"] == 0
    assert data["tuners_in_use"] == 0
    assert [t["index"] for t in data["tuners"]] == [0, 1, 2, 3]


async def test_assets_filters_and_paging(served: Served) -> None:
    everything = await _get(served, "/api/v1/assets")
    assert everything["total"] == 4
    pending = await _get(served, "/api/v1/assets?state=pending")
    assert [a["id"] for a in pending["assets"]] == [served.station.pending_id]
    page = await _get(served, "/api/v1/assets?source=shows&limit=2&offset=1")
    assert page["total"] == 3
    assert [a["title"] for a in page["assets"]] == ["Second", "Third"]
    detail = await _get(served, f"/api/v1/assets/{served.station.pending_id}")
    assert detail["asset"]["video_codec"] == "h264"
    assert detail["asset"]["state"] == "pending"
    bad = await _get(served, "/api/v1/assets?state=nonsense", 400)
    assert "state 'nonsense'" in bad["error"]
    bad_limit = await _get(served, "/api/v1/assets?limit=x", 400)
    assert bad_limit == {"error": "limit: not a whole number: 'x'"}
    await _get(served, "/api/v1/assets/999", 404)


async def test_as_run_and_health(served: Served) -> None:
    day = await _get(served, "/api/v1/as-run?channel=7")
    assert day["channel"] == "7"
    assert day["date"] == "2026-03-02"
    assert day["entries"] == []  # nothing has been played yet
    error = await _get(served, "/api/v1/as-run", 400)
    assert "channel" in error["error"]
    health = await _get(served, "/api/v1/health")
    names = {check["name"]: check for check in health["checks"]}
    assert names["database schema"]["ok"] is True
    assert names["PyAV codecs"]["ok"] is True
    assert names["advertise address"]["ok"] is False  # loopback, as in this test
    assert health["ok"] is False


async def test_errors_are_json(served: Served) -> None:
    assert await _get(served, "/api/v1/nothing-here", 404) == {"error": "no such API route"}
    async with served.http.delete(served.base + "/api/v1/channels") as response:
        assert response.status == 405
        assert await response.json() == {"error": "method not allowed"}
    bad = await _get(served, "/api/v1/guide?start=yesterday", 400)
    assert bad["error"].startswith("start: not an ISO 8601 time")
    naive = await _get(served, "/api/v1/guide?start=2026-03-02T12:00:00", 400)
    assert "time zone" in naive["error"]
    wide = await _get(
        served, "/api/v1/guide?start=2026-03-01T00:00:00Z&end=2026-03-30T00:00:00Z", 400
    )
    assert "at most 15 days" in wide["error"]


async def test_the_tuner_routes_still_answer_beside_the_web_side(served: Served) -> None:
    discover = await _get(served, "/discover.json")
    assert discover["DeviceID"] == served.appliance.station.device.device_id
    lineup = await _get(served, "/lineup.json")
    assert [c["GuideNumber"] for c in lineup] == ["7"]
    async with served.http.get(served.base + "/xmltv.xml") as response:
        assert response.status == 200
        assert "<display-name>7 Web Seven</display-name>" in await response.text()
    routes = [
        (r.method, r.resource.canonical)
        for r in served.appliance.station.app.router.routes()
        if r.resource is not None
    ]
    assert len(routes) == len(set(routes))
