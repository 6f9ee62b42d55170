"""The runtime reads the scheduler's playlog: timeline items, channel setup, copy check."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import av
import pytest

from retrovue.clock import FakeClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.errors import NotFoundError
from retrovue.runtime.copy.check import check_copy
from retrovue.runtime.directory import DatabaseDirectory, PlaylogTimeline, resolve_profile
from retrovue.runtime.playout.channel import ProducerOptions
from retrovue.runtime.playout.profiles import CopyProfile
from retrovue.runtime.service import RuntimeStreamService
from retrovue.testing.media import MediaSpec, make_media, read_frame_code
from tests.runtime.conftest import Clip

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _seed(database: Database, clips: dict[str, Clip], *, profile: str = "480p") -> int:
    with database.transaction() as session:
        channel = Channel(
            number="7",
            name="Retro Seven",
            timezone="Europe/Paris",
            profile=profile,
            audio_language="fre",
            created_utc=T0,
            updated_utc=T0,
        )
        session.add(channel)
        assets = [
            CatalogAsset(
                kind="episode",
                guide_title=key,
                duration_ms=3000,
                file_path=clips[key].path,
                canonical=True,
                available=True,
                created_utc=T0,
                updated_utc=T0,
            )
            for key in ("mp4", "mkv_bframes")
        ]
        session.add_all(assets)
        session.flush()
        plan = [(0, 2, assets[0], 500, "First"), (3, 5, assets[1], 0, "Second")]
        for start_s, end_s, asset, offset_ms, title in plan:
            session.add(
                PlaylogEvent(
                    channel_id=channel.id,
                    broadcast_day=T0.date(),
                    start_utc=T0 + timedelta(seconds=start_s),
                    end_utc=T0 + timedelta(seconds=end_s),
                    catalog_asset_id=asset.id,
                    kind="programme",
                    offset_ms=offset_ms,
                    title=title,
                    episode_title="Pilot" if title == "First" else None,
                    built_utc=T0,
                )
            )
        return channel.id


def test_playlog_timeline_gives_items_with_file_offsets_and_slates_in_gaps(
    db: Database, clips: dict[str, Clip]
) -> None:
    channel_id = _seed(db, clips)
    items = PlaylogTimeline(db, channel_id).items_from(T0 + timedelta(seconds=1), 3)
    assert [i.kind for i in items] == ["programme", "slate", "programme"]
    first, gap, second = items
    assert first.start_utc == T0
    assert first.asset_offset_ms == 500  # the file offset at the event start, not at the instant
    assert first.file_position_s(T0 + timedelta(seconds=1)) == pytest.approx(1.5)
    assert first.title == "First: Pilot"
    assert first.file_path == clips["mp4"].path
    assert (gap.start_utc, gap.end_utc) == (T0 + timedelta(seconds=2), T0 + timedelta(seconds=3))
    assert second.file_path == clips["mkv_bframes"].path
    assert PlaylogTimeline(db, channel_id).items_from(T0 + timedelta(hours=1), 2)[0].kind == "slate"


def test_database_directory_reads_the_channel_setup(
    db: Database, clips: dict[str, Clip], tmp_path: Path
) -> None:
    _seed(db, clips)
    settings = Settings(data_dir=tmp_path, x264_preset="ultrafast")
    setup = DatabaseDirectory(db, settings, FakeClock(T0)).lookup("7")
    info = setup.info
    assert (info.name, info.profile.name, info.audio_language) == ("Retro Seven", "480p", "fre")
    assert (info.timezone, info.x264_preset) == ("Europe/Paris", "ultrafast")
    with pytest.raises(NotFoundError):
        DatabaseDirectory(db, settings, FakeClock(T0)).lookup("99")


def test_copy_is_checked_and_normalised_with_a_warning_when_files_differ(
    clips: dict[str, Clip], caplog: pytest.LogCaptureFixture
) -> None:
    same = [clips["mp4"].path, clips["mp4"].path]
    mixed = [clips["mp4"].path, clips["mkv_bframes"].path]
    assert check_copy(same).ok
    verdict = check_copy(mixed)
    assert not verdict.ok
    assert "b.mkv differs" in verdict.reason
    assert not check_copy([clips["mp4"].path, "/nonexistent.mkv"]).ok
    with caplog.at_level(logging.WARNING):
        profile = resolve_profile("7", "copy", lambda: mixed)
    assert profile.name == "720p"
    assert not isinstance(profile, CopyProfile)
    assert "copy refused" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        copied = resolve_profile("7", "copy", lambda: same)
    assert isinstance(copied, CopyProfile)
    assert (copied.name, copied.width, copied.height) == ("copy", 320, 180)
    assert copied.parameters == check_copy(same).parameters
    assert caplog.text == ""


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("no_audio", "no audio"),
        ("mpeg2_interlaced", "copy needs H.264"),
        ("webm", "copy needs H.264"),
    ],
)
def test_copy_is_refused_for_what_it_cannot_carry(
    clips: dict[str, Clip], key: str, reason: str
) -> None:
    verdict = check_copy([clips[key].path])
    assert not verdict.ok
    assert reason in verdict.reason
    assert resolve_profile("7", "copy", lambda: [clips[key].path]).name == "720p"


def test_interlaced_h264_is_refused(tmp_path: Path) -> None:
    path = make_media(tmp_path / "i.mp4", MediaSpec(duration_s=0.5, interlaced=True))
    assert "interlaced" in check_copy([str(path)]).reason


async def test_a_channel_from_the_database_airs_its_playlog(
    sqlite_db: Database, clips: dict[str, Clip], tmp_path: Path
) -> None:
    _seed(sqlite_db, clips)
    clock = FakeClock(T0 + timedelta(seconds=1))
    settings = Settings(data_dir=tmp_path, x264_preset="ultrafast")
    service = RuntimeStreamService(
        DatabaseDirectory(sqlite_db, settings, clock),
        clock,
        options=ProducerOptions(paced=False, max_frames=60),
    )
    session = await service.open("7", client="test")
    data = bytearray()
    async with asyncio.timeout(30):
        async for chunk in session:
            data += chunk
    await session.close()
    await service.close()
    with av.open(BytesIO(bytes(data)), format="mpegts") as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (854, 480)
        codes = [read_frame_code(frame) for frame in container.decode(video=0)]
    assert len(codes) == 60
    assert codes[0] == (clips["mp4"].tag, 37)  # 1 s into an event that starts at 0.5 s: 1.5 s
    assert all(code[0] == clips["mp4"].tag for code in codes[:30])
    assert all(code[0] != clips["mp4"].tag for code in codes[31:60])  # the gap's slate
