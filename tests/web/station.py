"""A small real station for the web tests: media made with PyAV, a filesystem source synced and
promoted, one channel programmed back to back, two days of schedule, one asset left pending."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

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

CLIP_S = 20.0
LOOPS = 30  # an episode is its clip 30 times over: 10 minutes, made without encoding again
FPS = 25
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
        clip = make_media(
            root / f"clip{number}.mp4",
            MediaSpec(duration_s=CLIP_S, width=320, height=240, fps=Fraction(FPS), tag=number),
        )
        loop_media(clip, show / f"Test Show - S01E0{number} - {title}.mp4", LOOPS)
        clip.unlink()
    inbox = root / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    make_media(inbox / "Waiting Film (1999).mp4", MediaSpec(duration_s=4.0, tag=9))
    return root


def loop_media(source: Path, target: Path, times: int) -> Path:
    """``source`` played ``times`` times in a row, as one file (its packets copied)."""
    with av.open(str(source)) as src:
        packets = [p for p in src.demux() if p.dts is not None]
        length: dict[int, int] = {}
        for stream in src.streams:
            own = [p for p in packets if p.stream.index == stream.index]
            end = max((p.pts if p.pts is not None else p.dts) + (p.duration or 0) for p in own)
            length[stream.index] = end - min(int(p.dts) for p in own)
        with av.open(str(target), "w") as dst:
            streams = {s.index: dst.add_stream_from_template(s) for s in src.streams}
            for turn in range(times):
                for packet in packets:
                    shift = turn * length[packet.stream.index]
                    copy = av.Packet(bytes(packet))
                    copy.pts = None if packet.pts is None else packet.pts + shift
                    copy.dts = packet.dts + shift
                    copy.duration = packet.duration
                    copy.time_base = packet.time_base
                    copy.is_keyframe = packet.is_keyframe
                    copy.stream = streams[packet.stream.index]
                    dst.mux(copy)
    return target


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
