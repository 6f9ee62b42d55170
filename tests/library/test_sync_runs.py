"""Recorded syncs: a sync stopped between items keeps what it wrote and says so."""

from __future__ import annotations

from sqlalchemy import func, select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.db.models.library import LibraryAsset
from retrovue.library.ingest import SyncStopped, SyncSummary
from retrovue.library.sources import list_sources
from retrovue.library.sync_runs import run_recorded_sync
from tests.library.conftest import Station


def test_stopped_sync_keeps_what_it_wrote_and_records_interrupted(station: Station) -> None:
    def stop_after_three(summary: SyncSummary) -> None:
        if summary.done >= 3:
            raise SyncStopped

    summary = run_recorded_sync(
        station.database, station.clock, "tv",
        on_assets_removed=invalidate_library_assets, progress=stop_after_three,
    )  # fmt: skip
    assert summary.interrupted
    assert summary.done == 3
    with station.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(LibraryAsset)) == 3
    (view,) = list_sources(station.database)
    assert view.last_sync_result == "interrupted"
    assert view.last_sync_message is not None
    assert view.last_sync_message.startswith("interrupted after 3 of ")

    again = run_recorded_sync(
        station.database, station.clock, "tv", on_assets_removed=invalidate_library_assets
    )
    assert not again.interrupted
    assert again.unchanged == 3
    assert list_sources(station.database)[0].last_sync_result == "ok"
