"""What ``retrovue serve`` builds (``build_stream_service``) records what airs: rows a stopped
server left playing are finished at start, every item tuned gets a row, shutdown closes them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.clock import FakeClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db.models.broadcast import AsRun, Channel
from retrovue.runtime.onair.asrun import UNFINISHED_ERROR
from retrovue.runtime.service import build_stream_service
from retrovue.testing.media import make_media
from tests.runtime.conftest import MEDIA, Clip
from tests.runtime.test_playlog_timeline import T0, _seed
from tests.runtime_ops.opskit import asrun_rows


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    folder = tmp_path_factory.mktemp("serve-media")
    made: dict[str, Clip] = {}
    for key in ("mp4", "mkv_bframes"):
        name, spec = MEDIA[key]
        path = str(make_media(folder / name, spec))
        made[key] = Clip(path, spec.tag, spec.fps, spec.duration_s)
    return made


def _left_playing(database: Database) -> None:
    with database.transaction() as session:
        channel_id = session.scalars(select(Channel.id)).one()
        session.add(
            AsRun(
                channel_id=channel_id,
                kind="programme",
                title="Left over",
                planned_start_utc=T0 - timedelta(hours=1),
                planned_end_utc=T0,
                actual_start_utc=T0 - timedelta(hours=1),
                aired_until_utc=T0 - timedelta(minutes=20),  # the last heartbeat before a crash
                offset_ms=0,
                status="playing",
            )
        )


async def test_serve_records_the_as_run_log(
    sqlite_db: Database, clips: dict[str, Clip], tmp_path: Path
) -> None:
    _seed(sqlite_db, clips)
    _left_playing(sqlite_db)
    # Tuned 0.4 s into the 2 s event: on a clock that stands still the producer runs at most
    # 1.5 s of pictures ahead (the tune burst), so the event is still on air when it stops.
    clock = FakeClock(T0 + timedelta(seconds=0.4))
    settings = Settings(data_dir=tmp_path, x264_preset="ultrafast")
    service = build_stream_service(sqlite_db, settings, clock)
    assert service.operation is not None
    session = await service.open("7", client="test")
    data = bytearray()
    async with asyncio.timeout(30):
        async for chunk in session:
            data += chunk
            if len(data) > 40_000:
                break
    await session.close()
    await service.close()
    left, aired = asrun_rows(sqlite_db)
    assert (left.title, left.status, left.error) == ("Left over", "cut", UNFINISHED_ERROR)
    assert left.actual_end_utc == T0 - timedelta(minutes=20)  # not the restart time
    assert aired.title == "First: Pilot"
    assert aired.actual_start_utc == T0 + timedelta(seconds=0.4)
    assert aired.offset_ms == 400  # 0.4 s into the event (its file starts at 0.5 s)
    assert aired.status == "cut"  # the server stopped while it was on air
    assert aired.actual_end_utc is not None
    assert aired.playlog_event_id is not None
    assert aired.catalog_asset_id is not None
