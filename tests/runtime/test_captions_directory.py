"""The directory gives each item the caption track its channel's setting picks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrovue.clock import FakeClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.runtime.directory import CaptionChoice, DatabaseDirectory, PlaylogTimeline
from retrovue.runtime.playout.captions import CaptionTrack

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MEDIA_INFO = {
    "subtitle_files": [{"path": "/tv/a.fr.srt", "format": "srt", "language": "fr"}],
    "subtitle_tracks": [
        {"index": 2, "codec": "subrip", "language": "eng"},
        {"index": 3, "codec": "pgssub", "language": "eng"},
    ],
}


def _seed(database: Database, captions: str | None, burn: str | None = None) -> None:
    with database.transaction() as session:
        channel = Channel(
            number="7", name="Seven", timezone="UTC", profile="480p", audio_language="fre",
            captions=captions, burn_subtitles=burn, created_utc=T0, updated_utc=T0,
        )  # fmt: skip
        asset = CatalogAsset(
            kind="episode", guide_title="Show", duration_ms=60_000, file_path="/tv/a.mkv",
            canonical=True, available=True, media_info=MEDIA_INFO, created_utc=T0,
            updated_utc=T0,
        )  # fmt: skip
        session.add_all([channel, asset])
        session.flush()
        session.add(
            PlaylogEvent(
                channel_id=channel.id, broadcast_day=T0.date(), start_utc=T0,
                end_utc=T0 + timedelta(minutes=1), catalog_asset_id=asset.id,
                kind="programme", offset_ms=0, title="Show", built_utc=T0,
            )
        )  # fmt: skip


@pytest.mark.parametrize(
    ("setting", "track"),
    [
        (None, CaptionTrack("sidecar", path="/tv/a.fr.srt", language="fr")),  # audio language
        ("en", CaptionTrack("embedded", stream_index=2, language="eng")),
        ("off", None),
    ],
)
def test_each_item_gets_the_track_the_setting_picks(
    db: Database, tmp_path: Path, setting: str | None, track: CaptionTrack | None
) -> None:
    _seed(db, setting)
    clock = FakeClock(T0)
    setup = DatabaseDirectory(db, Settings(data_dir=tmp_path), clock).lookup("7")
    assert setup.info.captions is (setting != "off")
    [item, *_] = setup.timeline.items_from(T0 + timedelta(seconds=5), 2)
    assert item.captions == track
    # a worker process builds its timeline from the channel info it is sent: the same choice
    assert setup.channel_id is not None
    in_worker = PlaylogTimeline(db, setup.channel_id, -24.0, CaptionChoice.of(setup.info))
    assert in_worker.items_from(T0 + timedelta(seconds=5), 1)[0].captions == track


@pytest.mark.parametrize(("burn", "stream"), [("en", 3), ("fr", None), (None, None)])
def test_the_image_track_to_burn_in_is_picked_by_language(
    db: Database, tmp_path: Path, burn: str | None, stream: int | None
) -> None:
    _seed(db, "off", burn)
    setup = DatabaseDirectory(db, Settings(data_dir=tmp_path), FakeClock(T0)).lookup("7")
    [item, *_] = setup.timeline.items_from(T0 + timedelta(seconds=5), 2)
    assert item.burn_stream == stream
    assert item.captions is None
    assert setup.channel_id is not None
    in_worker = PlaylogTimeline(db, setup.channel_id, -24.0, CaptionChoice.of(setup.info))
    assert in_worker.items_from(T0 + timedelta(seconds=5), 1)[0].burn_stream == stream
