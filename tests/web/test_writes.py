"""Operator writes over real HTTP: the password opens them; anything else is 401/403 and
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from retrovue.library.review import show_asset
from tests.web.conftest import PASSWORD, Served

pytestmark = pytest.mark.timeout(60)


def _state(served: Served, asset_id: int) -> str:
    return str(show_asset(served.database, asset_id)["state"])


async def _post(
    served: Served, path: str, *, status: int, token: str | None = None, body: Any = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with served.http.post(served.base + path, headers=headers, json=body) as response:
        assert response.status == status, await response.text()
        return await response.json()


async def test_approve_needs_the_password(served: Served) -> None:
    asset = served.station.pending_id
    path = f"/api/v1/assets/{asset}/approve"
    async with served.http.post(served.base + path) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await response.json())["error"] == "sign in as the operator first"
    wrong = await _post(served, path, status=401, token="not the password")
    assert wrong == {"error": "wrong operator password"}
    assert _state(served, asset) == "pending"
    done = await _post(served, path, status=200, token=PASSWORD)
    assert done == {"approved": [asset]}
    assert _state(served, asset) == "approved"


async def test_reject_and_promote(served: Served) -> None:
    asset = served.station.pending_id
    no_reason = await _post(served, f"/api/v1/assets/{asset}/reject", status=400, token=PASSWORD)
    assert "reason" in no_reason["error"]
    assert _state(served, asset) == "pending"
    rejected = await _post(
        served,
        f"/api/v1/assets/{asset}/reject",
        status=200,
        token=PASSWORD,
        body={"reason": "wrong film"},
    )
    assert rejected == {"rejected": [asset]}
    assert show_asset(served.database, asset)["reason"] == "wrong film"
    refused = await _post(served, f"/api/v1/assets/{asset}/promote", status=400, token=PASSWORD)
    assert refused == {"error": f"nothing promoted; refused: {asset}: rejected (wrong film)"}
    assert _state(served, asset) == "rejected"
    await _post(served, f"/api/v1/assets/{asset}/approve", status=200, token=PASSWORD)
    promoted = await _post(
        served,
        f"/api/v1/assets/{asset}/promote",
        status=200,
        token=PASSWORD,
        body={"tags": ["late"]},
    )
    assert promoted["promoted_assets"] == [asset]
    assert len(promoted["created"]) == 1
    assert _state(served, asset) == "approved"
    missing = await _post(served, "/api/v1/assets/999/approve", status=404, token=PASSWORD)
    assert missing == {"error": "no library asset with id 999"}


async def test_bad_bodies_change_nothing(served: Served) -> None:
    asset = served.station.pending_id
    async with served.http.post(
        served.base + f"/api/v1/assets/{asset}/reject",
        headers={"Authorization": f"Bearer {PASSWORD}", "Content-Type": "application/json"},
        data=b"{not json",
    ) as response:
        assert response.status == 400
        assert await response.json() == {"error": "the request body is not JSON"}
    basic = {"Authorization": "Basic b3BlcmF0b3I6eA=="}
    async with served.http.post(
        served.base + f"/api/v1/assets/{asset}/approve", headers=basic
    ) as response:
        assert response.status == 401
    assert _state(served, asset) == "pending"
