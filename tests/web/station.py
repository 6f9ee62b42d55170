"""A small real station for the web tests: media made with PyAV, a filesystem source synced and
promoted, one channel programmed back to back, two days of schedule, one asset left pending."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrovue.broadcast.admin.channels import ChannelOptions, add_channel
from retrovue.broadcast.admin.schedule import DaySelection, assign
from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.broadcast.promotion import promote
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.library.ingest import sync_source
from retrovue.library.review import AssetFilter, list_assets
from retrovue.library.sources import add_filesystem_source
from retrovue.scheduler.horizon import build_horizon
from retrovue.testing.media import MediaSpec, make_media

EPISODE_S = 20.0
TITLES = ("Pilot", "Second", "Third")


@dataclass(frozen=True)
class WebStation:
    channel: str
    pending_id: int
    media: Path


def make_library(root: Path) -> Path:
    show = root / "shows" / "Test Show (2001)" / "Season 01"
    show.mkdir(parents=True, exist_ok=True)
    for number, title in enumerate(TITLES, start=1):
        spec = MediaSpec(duration_s=EPISODE_S, width=320, height=240, tag=number)
        make_media(show / f"Test Show - S01E0{number} - {title}.mp4", spec)
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    make_media(inbox / "Waiting Film (1999).mp4", MediaSpec(duration_s=4.0, tag=9))
    return root


def build_station(database: Database, clock: Clock, media: Path) -> WebStation:
    add_filesystem_source(database, clock, "shows", str(media / "shows"))
    sync_source(database, clock, "shows", on_assets_removed=invalidate_library_assets)
    promote(database, clock, source="shows")
    add_filesystem_source(database, clock, "inbox", str(media / "inbox"))
    sync_source(database, clock, "inbox", on_assets_removed=invalidate_library_assets)
    add_channel(database, clock, "7", "Web Seven", ChannelOptions(call_sign="WEB7", profile="480p"))
    add_template(database, clock, "web day", "Test Show all day")
    rule = {"series": "Test Show", "order": "sequential", "align": "back_to_back"}
    add_block(
        database, clock, "web day", start_minutes=6 * 60, duration_minutes=24 * 60, rule_json=rule
    )
    assign(database, clock, "7", "web day", DaySelection.default())
    build_horizon(database, clock, days=2)
    pending = list_assets(database, AssetFilter(source="inbox"))
    return WebStation("7", int(pending[0]["id"]), media)
