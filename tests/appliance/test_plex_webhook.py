"""Plex webhooks: an authenticated library.new or library.delete asks for an early sync."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.errors import ValidationError
from retrovue.library.plex_sources import add_plex_source, enable_webhook, source_for_webhook
from retrovue.library.sources import add_filesystem_source
from retrovue.sync_keeper import SyncKeeper
from retrovue.testing.fake_plex import FakePlexServer
from tests.library.plex_support import TOKEN, serve_fake_plex

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def fake_plex() -> Iterator[FakePlexServer]:
    yield from serve_fake_plex()


def _form(event: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("payload", json.dumps({"event": event, "Server": {"title": "Basement Plex"}}))
    return form


async def _until(keeper: SyncKeeper, count: int) -> None:
    for _ in range(1000):
        if sum(keeper.runs.values()) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no sync")


async def test_webhook_requests_an_early_sync_and_nothing_else(
    sqlite_db: Database,
    clock: FakeClock,
    fake_plex: FakePlexServer,
    tmp_path: Path,
    aiohttp_client: Any,
) -> None:
    add_plex_source(
        sqlite_db, clock, name="home", url=fake_plex.url, token=TOKEN,
        libraries=["Movies"], mappings=[f"/data={tmp_path}"], timeout_s=5,
    )  # fmt: skip
    secret = enable_webhook(sqlite_db, clock, "home")
    assert source_for_webhook(sqlite_db, secret) == "home"
    other = "y" if secret.endswith("x") else "x"  # a random secret may end in either
    assert source_for_webhook(sqlite_db, secret[:-1] + other) is None
    keeper = SyncKeeper(sqlite_db, clock, busy_tuners=lambda: 0, sample_s=5)
    app = web.Application()
    keeper.registrar(app, None)  # type: ignore[arg-type]
    client = await aiohttp_client(app)

    for _ in range(1000):  # the keeper's first pass: nothing due (the source is manual)
        if keeper.naps:
            break
        await asyncio.sleep(0.01)
    assert (await client.post("/webhooks/plex/wrong", data=_form("library.new"))).status == 404
    assert (await client.post(f"/webhooks/plex/{secret}", data=_form("media.play"))).status == 204
    assert (await client.post(f"/webhooks/plex/{secret}", data={"payload": "{"})).status == 400
    assert (await client.get(f"/webhooks/plex/{secret}")).status == 405
    assert not keeper.runs

    answer = await client.post(f"/webhooks/plex/{secret}", data=_form("library.new"))
    assert answer.status == 202
    assert await answer.json() == {"source": "home", "sync": "requested"}
    clock.advance(5)  # the next pass (well before the next regular check)
    await _until(keeper, 1)
    assert keeper.runs == {("home", "ok"): 1}
    assert keeper.items[("home", "added")] > 0

    rotated = enable_webhook(sqlite_db, clock, "home")
    assert source_for_webhook(sqlite_db, secret) is None
    assert source_for_webhook(sqlite_db, rotated) == "home"
    folder = tmp_path / "folder"
    folder.mkdir()
    add_filesystem_source(sqlite_db, clock, "files", str(folder))
    with pytest.raises(ValidationError, match="webhooks are Plex's"):
        enable_webhook(sqlite_db, clock, "files")
