"""The API's reads and an operator write on PostgreSQL, the database several appliances share."""

from __future__ import annotations

import pytest

from retrovue.library.review import show_asset
from tests.web.conftest import PASSWORD, Served

pytestmark = [pytest.mark.timeout(60), pytest.mark.postgres]


async def test_reads_and_a_write(served_pg: Served) -> None:
    served = served_pg
    async with served.http.get(served.base + "/api/v1/on-now") as response:
        assert response.status == 200
        now = (await response.json())["channels"][0]["now"]
    assert now["title"] == "Test Show"
    async with served.http.get(served.base + "/api/v1/guide?channel=7") as response:
        programmes = (await response.json())["channels"][0]["programmes"]
    assert {p["title"] for p in programmes} == {"Test Show"}
    async with served.http.get(served.base + "/api/v1/assets?state=pending") as response:
        assert (await response.json())["total"] == 1
    asset = served.station.pending_id
    async with served.http.post(
        f"{served.base}/api/v1/assets/{asset}/approve",
        headers={"Authorization": f"Bearer {PASSWORD}"},
    ) as response:
        assert response.status == 200
    assert show_asset(served.database, asset)["state"] == "approved"
