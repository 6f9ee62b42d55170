"""Loudness at ingest: measured with the probe, carried to the catalog at promotion, measured
again when the file changes, and measured for assets ingested before there was a meter."""

from __future__ import annotations

import os

from sqlalchemy import select, update

from retrovue.broadcast.promotion import promote
from retrovue.db.models.broadcast import CatalogAsset
from retrovue.db.models.library import LibraryAsset
from retrovue.testing.media import AudioSpec, MediaSpec, make_media
from tests.library.conftest import SMALL, Station

PILOT = "TV/Show (2005)/Season 01/Show - S01E01 - Pilot.mkv"


def loudness(station: Station) -> dict[str, dict[str, object]]:
    with station.database.transaction() as session:
        return {a.external_key: dict(a.loudness) for a in session.scalars(select(LibraryAsset))}


def test_every_probed_file_is_measured_or_says_why(station: Station) -> None:
    station.sync()
    found = loudness(station)
    measured = {k: v for k, v in found.items() if "integrated_lufs" in v}
    assert PILOT in measured
    pilot = measured[PILOT]
    assert isinstance(pilot["integrated_lufs"], float)
    assert -16.0 < pilot["integrated_lufs"] < -10.0  # the test tone, about -12 dBFS
    assert isinstance(pilot["true_peak_dbtp"], float)
    assert pilot["true_peak_dbtp"] < 0.0
    no_audio = [v for v in found.values() if v.get("error") == "no audio track"]
    assert no_audio  # the library's clip without sound
    failed = [k for k, v in found.items() if v == {}]
    assert len(failed) == 3  # the corrupt files: no probe, so nothing measured


def test_promotion_carries_it_and_a_changed_file_is_measured_again(station: Station) -> None:
    station.sync()
    with station.database.transaction() as session:
        pilot_id = session.scalars(
            select(LibraryAsset.id).where(LibraryAsset.external_key == PILOT)
        ).one()
    promote(station.database, station.clock, asset_ids=[pilot_id])
    before = loudness(station)[PILOT]
    with station.database.transaction() as session:
        [media_info] = session.scalars(select(CatalogAsset.media_info)).all()
    assert media_info["loudness"] == before
    target = station.media / PILOT
    quiet = AudioSpec(peak_dbfs=-30.0)
    make_media(target, MediaSpec(**{**SMALL, "audio": (quiet,)}))  # type: ignore[arg-type]
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    station.sync()
    after = loudness(station)[PILOT]
    assert isinstance(after["integrated_lufs"], float)
    assert isinstance(before["integrated_lufs"], float)
    assert after["integrated_lufs"] < before["integrated_lufs"] - 15


def test_an_asset_never_measured_is_measured_on_the_next_sync(station: Station) -> None:
    station.sync()
    with station.database.transaction() as session:
        session.execute(update(LibraryAsset).values(loudness={}))
    summary = station.sync()
    assert summary.updated == 9  # the good files, probed and measured again
    assert "integrated_lufs" in loudness(station)[PILOT]
    assert station.sync().unchanged == 12  # and then left alone
