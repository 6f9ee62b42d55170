"""The loudness gain: its arithmetic, and how the measured loudness reaches the timeline items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from retrovue.clock import FakeClock
from retrovue.config import Settings
from retrovue.db import Database
from retrovue.db.models import CatalogAsset, Channel, PlaylogEvent
from retrovue.db.models.library import LibraryAsset, Source
from retrovue.runtime.directory import DatabaseDirectory
from retrovue.runtime.playout.loudness import MAX_BOOST_DB, db_to_linear, loudness_gain_db
from retrovue.runtime.playout.timeline import TimelineItem

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_gain_reaches_the_target_unless_the_true_peak_would_pass_minus_one() -> None:
    assert loudness_gain_db(-24.0, -34.0, -31.0) == 10.0  # quiet programme: raised
    assert loudness_gain_db(-24.0, -3.0, -2.0) == -21.0  # loud spot: lowered
    assert loudness_gain_db(-24.0, -30.0, -4.0) == 3.0  # peak-capped: -4 + 3 = -1 dBTP
    assert loudness_gain_db(-24.0, -69.0, -60.0) == MAX_BOOST_DB  # near-silence: boost capped
    assert loudness_gain_db(-24.0, None, None) == 0.0  # not measured: unity
    assert loudness_gain_db(-20.0, -24.0, None) == 4.0


def test_the_item_gain_is_the_loudness_gain_times_the_fade() -> None:
    item = TimelineItem(
        T0, T0 + timedelta(seconds=10), "programme", "x", "/x.mp4",
        fade_in_ms=1000, loudness_gain_db=-6.0,
    )  # fmt: skip
    half = db_to_linear(-6.0) / 2
    assert item.gain(T0 + timedelta(milliseconds=500)) == pytest.approx(half)
    assert item.gain(T0 + timedelta(seconds=5)) == pytest.approx(0.501, abs=0.001)
    assert TimelineItem(T0, T0 + timedelta(seconds=1), "programme", "y").gain(T0) == 1.0


def _seed(
    database: Database, infos: list[dict[str, Any]], remeasured: dict[str, Any] | None = None
) -> None:
    """Channel 7 (target -20 LUFS) airing one catalog asset per ``infos`` entry; the first one
    promoted from a library asset whose loudness is ``remeasured`` (measured again since)."""
    with database.transaction() as session:
        source = Source(name="tv", kind="filesystem", created_utc=T0, updated_utc=T0)
        session.add(source)
        session.flush()
        library = LibraryAsset(
            source_id=source.id, external_key="a0.mkv", file_path="/media/a0.mkv",
            loudness=remeasured or {}, created_utc=T0, updated_utc=T0,
        )  # fmt: skip
        session.add(library)
        session.flush()
        channel = Channel(
            number="7", name="Seven", timezone="UTC", profile="480p",
            loudness_target_lufs=-20.0, created_utc=T0, updated_utc=T0,
        )  # fmt: skip
        session.add(channel)
        assets = [
            CatalogAsset(
                kind="episode",
                guide_title=f"a{index}",
                duration_ms=3000,
                file_path=f"/media/a{index}.mkv",
                canonical=True,
                available=True,
                media_info=info,
                created_utc=T0,
                updated_utc=T0,
            )
            for index, info in enumerate(infos)
        ]
        assets[0].source_ingest_asset_id = library.id
        session.add_all(assets)
        session.flush()
        for index, asset in enumerate(assets):
            session.add(
                PlaylogEvent(
                    channel_id=channel.id,
                    broadcast_day=T0.date(),
                    start_utc=T0 + timedelta(seconds=3 * index),
                    end_utc=T0 + timedelta(seconds=3 * index + 3),
                    catalog_asset_id=asset.id,
                    kind="programme",
                    offset_ms=0,
                    title=f"a{index}",
                    built_utc=T0,
                )
            )


def test_timeline_items_carry_the_gain_for_the_channels_target(
    db: Database, tmp_path: Path
) -> None:
    _seed(
        db,
        [
            {"loudness": {"integrated_lufs": -30.0, "true_peak_dbtp": -25.0, "track": 1}},
            {"loudness": {"integrated_lufs": -5.0, "true_peak_dbtp": -2.0, "track": 1}},
            {"loudness": {"error": "no audio track", "track": None}},
            {},  # promoted before loudness was measured
        ],
    )
    settings = Settings(data_dir=tmp_path, x264_preset="ultrafast")
    setup = DatabaseDirectory(db, settings, FakeClock(T0)).lookup("7")
    assert setup.info.loudness_target_lufs == -20.0
    items = setup.timeline.items_from(T0, 4)
    assert [i.loudness_gain_db for i in items] == [10.0, -15.0, 0.0, 0.0]
    assert all(i.kind == "programme" for i in items)  # unmeasured items still air


def test_a_remeasured_file_airs_at_its_new_level_without_a_new_promotion(
    db: Database, tmp_path: Path
) -> None:
    promoted = {"loudness": {"integrated_lufs": -30.0, "true_peak_dbtp": -25.0, "track": 1}}
    now = {"integrated_lufs": -14.0, "true_peak_dbtp": -10.0, "track": 1}
    _seed(db, [promoted], remeasured=now)
    settings = Settings(data_dir=tmp_path, x264_preset="ultrafast")
    [item] = DatabaseDirectory(db, settings, FakeClock(T0)).lookup("7").timeline.items_from(T0, 1)
    assert item.loudness_gain_db == -6.0
