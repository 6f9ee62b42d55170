"""The importer registry: any importer feeds the shared sync (what the Plex source relies on)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.clock import FakeClock
from retrovue.db import Database
from retrovue.db.models.library import LibraryAsset
from retrovue.errors import SourceError
from retrovue.library.ingest import sync_source
from retrovue.library.probe import ProbeResult, probe_file
from retrovue.library.registry import (
    ItemMarker,
    ItemMetadata,
    ScannedItem,
    SourceSpec,
    importer_for,
    register_importer,
    unregister_importer,
)
from retrovue.library.sources import add_source


class ServerImporter:
    """A small real importer: items as a media server would describe them."""

    kind = "plex"

    def __init__(self, items: list[ScannedItem]) -> None:
        self.items = items
        self.scanned: list[SourceSpec] = []

    def scan(self, source: SourceSpec) -> Iterator[ScannedItem]:
        self.scanned.append(source)
        yield from self.items


@pytest.fixture
def server_items(library_template: Path) -> list[ScannedItem]:
    local = library_template / "Movies/Alien (1979)/Alien (1979).mkv"
    return [
        ScannedItem(
            external_key="/library/metadata/101",
            file_path=str(local),
            metadata=ItemMetadata(kind="movie", title="Alien", year=1979, genres=("Horror",)),
            file_size=1,
            file_mtime_ns=1_700_000_000_000_000_000,
            probe_path=local,
            markers=(ItemMarker("intro", 0, 300), ItemMarker("credits", 800, 1000)),
        ),
        ScannedItem(
            external_key="/library/metadata/102",
            file_path="/data/movies/Heat (1995).mkv",
            metadata=ItemMetadata(kind="movie", title="Heat", year=1995),
            file_size=2,
            file_mtime_ns=1_700_000_000_000_000_000,
            probe=probe_file(library_template / "Movies/Heat (1995).mp4"),
            unplayable_reason="no path mapping covers /data/movies/Heat (1995).mkv",
        ),
    ]


def test_any_registered_importer_feeds_the_shared_sync(
    db: Database, clock: FakeClock, server_items: list[ScannedItem]
) -> None:
    importer = ServerImporter(server_items)
    register_importer("plex", lambda: importer)
    try:
        add_source(
            db,
            clock,
            name="server",
            kind="plex",
            settings={"url": "http://127.0.0.1:1"},
            tags=["Movies"],
        )
        probes: list[Path] = []

        def counting(path: Path) -> ProbeResult:
            probes.append(path)
            return probe_file(path)

        summary = sync_source(
            db, clock, "server", on_assets_removed=invalidate_library_assets, probe=counting
        )
        assert (summary.added, summary.failed) == (2, 0)
        assert importer.scanned[0].settings == {"url": "http://127.0.0.1:1"}
        assert probes == [server_items[0].probe_path]  # the unmapped item uses the server's data
        with db.transaction() as session:
            rows = {r.external_key: r for r in session.scalars(select(LibraryAsset))}
            alien, heat = rows["/library/metadata/101"], rows["/library/metadata/102"]
            assert [(m.kind, m.start_ms) for m in alien.markers] == [("intro", 0), ("credits", 800)]
            assert alien.tags == ["movies"]
            assert heat.duration_ms is not None
            assert (heat.playable, heat.unplayable_reason) == (
                False,
                "no path mapping covers /data/movies/Heat (1995).mkv",
            )
        again = sync_source(db, clock, "server", on_assets_removed=invalidate_library_assets)
        assert again.unchanged == 2
        importer.items = importer.items[:1]
        gone = sync_source(db, clock, "server", on_assets_removed=invalidate_library_assets)
        assert gone.removed == 1
    finally:
        unregister_importer("plex")


def test_unknown_kind_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="no importer for source kind 'ftp'"):
        importer_for("ftp")
    assert importer_for("filesystem").kind == "filesystem"
