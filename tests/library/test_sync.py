"""The sync service on a realistic generated library, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.broadcast.promotion import promote
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset, Source
from retrovue.errors import SourceError
from retrovue.library.probe import ProbeResult, probe_file
from retrovue.library.sources import add_filesystem_source
from retrovue.testing.media import MediaSpec, make_media
from tests.library.conftest import CORRUPT, EXPECTED_GOOD, SMALL, Station

PILOT = "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv"


class CountingProbe:
    """The real probe, counting calls; optionally interrupts the sync on call number N."""

    def __init__(self, interrupt_on: int | None = None) -> None:
        self.calls: list[Path] = []
        self.interrupt_on = interrupt_on

    def __call__(self, path: Path) -> ProbeResult:
        self.calls.append(path)
        if self.interrupt_on is not None and len(self.calls) == self.interrupt_on:
            raise KeyboardInterrupt
        return probe_file(path)


def assets(station: Station) -> dict[str, LibraryAsset]:
    with station.database.transaction() as session:
        rows = session.scalars(select(LibraryAsset)).all()
        for row in rows:
            _ = row.markers
        return {row.external_key: row for row in rows}


def catalog(station: Station) -> list[CatalogAsset]:
    with station.database.transaction() as session:
        return list(session.scalars(select(CatalogAsset).order_by(CatalogAsset.id)))


def test_first_sync_adds_good_files_and_records_bad_ones(station: Station) -> None:
    summary = station.sync()
    assert (summary.total, summary.added, summary.failed) == (12, 9, 3)
    assert (summary.updated, summary.unchanged, summary.removed) == (0, 0, 0)
    rows = assets(station)
    assert set(rows) == set(EXPECTED_GOOD) | CORRUPT  # hidden folder and readme.txt skipped
    for key, (kind, series, season, episode) in EXPECTED_GOOD.items():
        row = rows[key]
        assert (row.kind, row.series_title, row.season, row.episode) == (
            kind,
            series,
            season,
            episode,
        ), key
        assert row.review_state == "pending"
        assert row.duration_ms is not None
        assert row.duration_ms > 0
        assert row.tags == ["retro"]
        assert row.file_path == str(station.media / key)
    for key in CORRUPT:
        assert rows[key].review_state == "failed"
        assert rows[key].review_reason
        assert rows[key].duration_ms is None
    assert rows["broken/empty.mkv"].review_reason == "empty file (0 bytes)"
    assert {f["path"] for f in summary.failures} == CORRUPT


def test_metadata_from_nfo_artwork_and_probe(station: Station) -> None:
    station.sync()
    rows = assets(station)
    pilot = rows[PILOT]
    assert pilot.title == "Pilot Episode"
    assert pilot.series_title == "The Show"
    assert pilot.description == "Everything starts here."
    assert pilot.genres == ["Comedy", "Drama"]
    assert pilot.content_rating == "TV-PG"
    assert str(pilot.aired_date) == "2005-09-01"
    assert pilot.artwork_url == (station.media / "TV/Show (2005)/poster.jpg").as_uri()
    assert [(m.kind, m.start_ms, m.end_ms, m.title) for m in pilot.markers] == [
        ("chapter", 0, 400, "Cold open"),
        ("chapter", 400, 1000, "Act One"),
    ]
    assert [t["language"] for t in pilot.audio_tracks] == ["eng", "fra"]
    assert (pilot.video_codec, pilot.width, pilot.height, pilot.interlaced) == (
        "h264",
        160,
        120,
        False,
    )
    double = rows["TV/Show (2005)/Season 01/Show - S01E02E03 - Double.mp4"]
    assert (double.episode, double.episode_end) == (2, 3)
    alien = rows["Movies/Alien (1979)/Alien (1979).mkv"]
    assert (alien.title, alien.year, alien.content_rating) == ("Alien", 1979, "R")
    assert alien.genres == ["Horror", "Science Fiction"]
    assert alien.artwork_url is not None
    assert alien.artwork_url.endswith("folder.jpg")
    daily = rows["TV/Daily/Daily - 2024-01-05 - Guest.ts"]
    assert (daily.title, str(daily.aired_date), daily.interlaced) == ("Guest", "2024-01-05", True)
    subs = rows["Misc/with subs.mkv"]
    assert [t["language"] for t in subs.subtitle_tracks] == ["spa"]


def test_second_sync_is_idempotent_and_probes_nothing(station: Station) -> None:
    station.sync()
    before = assets(station)
    station.clock.advance(3600)
    probe = CountingProbe()
    summary = station.sync(probe=probe)
    assert probe.calls == []
    assert (summary.added, summary.updated, summary.failed, summary.removed) == (0, 0, 0, 0)
    assert summary.unchanged == 12
    after = assets(station)
    assert {k: (r.id, r.probed_utc, r.updated_utc) for k, r in after.items()} == {
        k: (r.id, r.probed_utc, r.updated_utc) for k, r in before.items()
    }


def test_changed_file_is_reprobed_and_loses_its_clearance(station: Station) -> None:
    station.sync()
    promote(station.database, station.clock, asset_ids=[assets(station)[PILOT].id])
    target = station.media / PILOT
    make_media(target, MediaSpec(**{**SMALL, "duration_s": 2.0}))
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    station.clock.advance(60)
    probe = CountingProbe()
    summary = station.sync(probe=probe)
    assert probe.calls == [target]
    assert (summary.updated, summary.unchanged, summary.added) == (1, 11, 0)
    row = assets(station)[PILOT]
    assert row.duration_ms is not None
    assert row.duration_ms >= 1900
    assert row.markers == []  # the new file has no chapters
    assert row.probed_utc == station.clock.now_utc()
    assert [(c.canonical, c.available) for c in catalog(station)] == [(False, False)]


def test_touched_file_is_reprobed_but_stays_cleared(station: Station) -> None:
    station.sync()
    promote(station.database, station.clock, asset_ids=[assets(station)[PILOT].id])
    target = station.media / PILOT
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1_000_000_000))
    probe = CountingProbe()
    summary = station.sync(probe=probe)
    assert probe.calls == [target]
    assert summary.updated == 1
    assert [(c.canonical, c.available) for c in catalog(station)] == [(True, True)]


def test_sidecar_edit_updates_metadata_without_probing(station: Station) -> None:
    station.sync()
    nfo = station.media / "Movies/Alien (1979)/movie.nfo"
    nfo.write_text("<movie><title>Alien: Director's Cut</title></movie>")
    probe = CountingProbe()
    summary = station.sync(probe=probe)
    assert probe.calls == []
    assert summary.updated == 1
    assert assets(station)["Movies/Alien (1979)/Alien (1979).mkv"].title == "Alien: Director's Cut"


def test_removed_file_is_soft_deleted_and_its_catalog_entry_invalidated(station: Station) -> None:
    station.sync()
    pilot_id = assets(station)[PILOT].id
    promote(station.database, station.clock, asset_ids=[pilot_id])
    assert [(c.canonical, c.available) for c in catalog(station)] == [(True, True)]
    (station.media / PILOT).unlink()
    summary = station.sync()
    assert (summary.removed, summary.unchanged) == (1, 11)
    row = assets(station)[PILOT]
    assert row.deleted is True
    assert [(c.canonical, c.available) for c in catalog(station)] == [(False, False)]
    # a second sync does not remove it again; putting it back revives the library row only
    assert station.sync().removed == 0
    make_media(station.media / PILOT, MediaSpec(**SMALL))
    summary = station.sync()
    assert summary.updated == 1
    assert assets(station)[PILOT].deleted is False
    assert [(c.canonical, c.available) for c in catalog(station)] == [(False, False)]


def test_good_file_turning_corrupt_fails_and_invalidates_catalog(station: Station) -> None:
    station.sync()
    pilot_id = assets(station)[PILOT].id
    promote(station.database, station.clock, asset_ids=[pilot_id])
    (station.media / PILOT).write_bytes(b"garbage" * 100)
    summary = station.sync()
    assert summary.failed == 1
    row = assets(station)[PILOT]
    assert row.review_state == "failed"
    assert row.duration_ms is None
    assert [(c.canonical, c.available) for c in catalog(station)] == [(False, False)]


def test_failed_file_repaired_returns_to_pending(station: Station) -> None:
    station.sync()
    make_media(station.media / "broken/empty.mkv", MediaSpec(**SMALL))
    summary = station.sync()
    assert (summary.updated, summary.failed) == (1, 0)
    row = assets(station)["broken/empty.mkv"]
    assert (row.review_state, row.review_reason) == ("pending", None)


def test_interrupted_sync_leaves_consistent_rows_and_resumes(station: Station) -> None:
    probe = CountingProbe(interrupt_on=5)
    summary = station.sync(probe=probe)
    assert summary.interrupted is True
    assert summary.done == 4
    rows = assets(station)
    assert len(rows) == 4
    for row in rows.values():  # every written row is complete: probed, or failed with a reason
        assert row.probed_utc is not None
        assert (row.duration_ms or 0) > 0 or (row.review_state == "failed" and row.review_reason)
    with station.database.transaction() as session:
        source = session.scalars(select(Source)).one()
        assert source.last_synced_utc is None  # only a complete sync counts as synced
    resumed = station.sync()
    assert resumed.interrupted is False
    assert resumed.unchanged == 4
    assert resumed.added + resumed.failed == 8
    assert len(assets(station)) == 12


def test_missing_folder_fails_the_sync_and_writes_nothing(station: Station) -> None:
    shutil.rmtree(station.media)
    with pytest.raises(SourceError, match="does not exist"):
        station.sync()
    assert assets(station) == {}


def test_filler_source_assets_are_filler_with_source_tags(station: Station, filler: Path) -> None:
    add_filesystem_source(
        station.database,
        station.clock,
        "bumpers",
        str(filler),
        is_filler=True,
        tags=["Bumper", "ident"],
    )
    summary = station.sync("bumpers")
    assert summary.added == 2
    rows = [r for r in assets(station).values() if r.file_path.startswith(str(filler))]
    assert {r.kind for r in rows} == {"filler"}
    assert all(r.tags == ["bumper", "ident"] for r in rows)


def test_empty_scan_of_a_known_source_is_refused(station: Station) -> None:
    station.sync()
    for child in station.media.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    with pytest.raises(SourceError, match="found no media files but 12 are known"):
        station.sync()
    rows = assets(station)
    assert not any(r.deleted for r in rows.values())


def test_symlink_loops_are_cut_and_linked_folders_followed(
    station: Station, tmp_path: Path
) -> None:
    (station.media / "TV" / "loop").symlink_to(station.media / "TV")
    extra = tmp_path / "elsewhere"
    make_media(extra / "Linked (2001).mkv", MediaSpec(**SMALL))
    (station.media / "linked").symlink_to(extra)
    summary = station.sync()
    assert summary.total == 13
    assert "linked/Linked (2001).mkv" in assets(station)


def test_file_names_that_are_not_utf8_are_skipped(station: Station) -> None:
    good = (station.media / "Movies/Heat (1995).mp4").read_bytes()
    with open(os.path.join(os.fsencode(station.media), b"Misc", b"bad\xff name.mkv"), "wb") as f:
        f.write(good)
    summary = station.sync()
    assert (summary.total, summary.added, summary.failed) == (12, 9, 3)


def test_a_probe_that_crashes_is_recorded_and_the_sync_goes_on(station: Station) -> None:
    def crashing(path: Path) -> ProbeResult:
        if path.name == "clip.webm":
            raise RuntimeError("decoder exploded")
        return probe_file(path)

    summary = station.sync(probe=crashing)
    assert (summary.added, summary.failed) == (8, 4)
    row = assets(station)["Misc/clip.webm"]
    assert row.review_state == "failed"
    assert row.review_reason == "probe crashed (RuntimeError: decoder exploded)"
