"""Create the demo station once: library, sources, promotion, channels, templates, a week ahead.

Every step is skipped when what it would create exists already, so ``serve --demo`` is safe to run
again and never touches a station an operator configured (a station with channels is left as is).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from retrovue.broadcast.admin.channels import ChannelOptions, add_channel
from retrovue.broadcast.admin.schedule import DaySelection, assign
from retrovue.broadcast.admin.templates import add_block, add_template
from retrovue.broadcast.catalog import invalidate_library_assets
from retrovue.broadcast.promotion import promote
from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models import Channel, Source
from retrovue.demo.library import FILMS, SERIES, ensure_demo_library
from retrovue.library.ingest import sync_source
from retrovue.library.sources import add_filesystem_source
from retrovue.scheduler.horizon import build_horizon

log = logging.getLogger(__name__)
DEMO_DAYS = 7


@dataclass(frozen=True)
class DemoSource:
    name: str
    folder: str
    is_filler: bool = False
    tags: tuple[str, ...] = ()


SOURCES = (
    DemoSource("demo-shows", "shows"),
    DemoSource("demo-films", "films"),
    DemoSource("demo-filler", "filler", is_filler=True, tags=("bumper", "ident")),
)


@dataclass(frozen=True)
class DemoBlock:
    start: int  # minutes after local midnight
    duration_minutes: int
    name: str
    rule: dict[str, object]


@dataclass(frozen=True)
class DemoChannel:
    number: str
    name: str
    call_sign: str
    grid_minutes: int
    blocks: tuple[DemoBlock, ...]


def _series_rule(title: str) -> dict[str, object]:
    return {"series": title, "order": "sequential", "align": "grid", "episodes_per_slot": 2}


def _movie_rule() -> dict[str, object]:
    """Films with a break of bumpers and idents half way, and an Up next card closing each slot."""
    breaks = {
        "at": "computed",
        "min_programme": "3m",
        "min_spacing": "2m",
        "cooldown": "0s",
        "up_next": "8s",
    }
    return {"kind": "movie", "order": "shuffle", "breaks": breaks}


CHANNELS = (
    DemoChannel(
        "2",
        "RetroVue One",
        "RVONE",
        5,
        (
            DemoBlock(6 * 60, 12 * 60, "Daytime", _series_rule(SERIES[0].title)),
            DemoBlock(18 * 60, 12 * 60, "Evening", _series_rule(SERIES[1].title)),
        ),
    ),
    DemoChannel(
        "3",
        "RetroVue Movies",
        "RVMOV",
        10,
        (DemoBlock(6 * 60, 24 * 60, "Movies", _movie_rule()),),
    ),
    DemoChannel(
        "4",
        "RetroVue Mix",
        "RVMIX",
        5,
        (
            DemoBlock(6 * 60, 18 * 60, "Mix", {"order": "shuffle", "align": "back_to_back"}),
            DemoBlock(0, 6 * 60, "Late", _series_rule(SERIES[2].title)),
        ),
    ),
)


@dataclass
class DemoSummary:
    library: Path
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        made = ", ".join(self.created) or "nothing new"
        return f"demo station in {self.library}: created {made}"


def _count(database: Database, model: type[Channel] | type[Source], **where: str) -> int:
    with database.transaction() as session:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return session.scalar(query) or 0


def _ensure_sources(database: Database, clock: Clock, root: Path, summary: DemoSummary) -> None:
    for source in SOURCES:
        if _count(database, Source, name=source.name):
            summary.skipped.append(f"source {source.name}")
            continue
        add_filesystem_source(
            database,
            clock,
            source.name,
            str(root / source.folder),
            is_filler=source.is_filler,
            tags=source.tags,
        )
        sync_source(database, clock, source.name, on_assets_removed=invalidate_library_assets)
        promote(database, clock, source=source.name)
        summary.created.append(f"source {source.name}")


def _create_channel(database: Database, clock: Clock, channel: DemoChannel) -> None:
    options = ChannelOptions(
        call_sign=channel.call_sign, grid_minutes=channel.grid_minutes, profile="480p"
    )
    add_channel(database, clock, channel.number, channel.name, options)
    template = f"{channel.name} day"
    add_template(database, clock, template, f"Demo programming for {channel.name}")
    for block in channel.blocks:
        add_block(
            database,
            clock,
            template,
            start_minutes=block.start,
            duration_minutes=block.duration_minutes,
            rule_json=block.rule,
            name=block.name,
        )
    assign(database, clock, channel.number, template, DaySelection.default())


def _ensure_channels(database: Database, clock: Clock, summary: DemoSummary) -> None:
    if _count(database, Channel):
        summary.skipped.append("channels (the station has channels already)")
        return
    for channel in CHANNELS:
        _create_channel(database, clock, channel)
        summary.created.append(f"channel {channel.number}")


def ensure_demo_station(
    database: Database,
    clock: Clock,
    data_dir: Path,
    *,
    progress: Callable[[str], None] = log.info,
) -> DemoSummary:
    """Generate, ingest, promote and programme the demo station; skip what exists."""
    root = data_dir / "demo-library"
    progress(f"demo library in {root} ({len(SERIES)} series, {len(FILMS)} films, filler)")
    ensure_demo_library(root)
    summary = DemoSummary(root)
    _ensure_sources(database, clock, root, summary)
    _ensure_channels(database, clock, summary)
    progress("building a week of schedule")
    build_horizon(database, clock, days=DEMO_DAYS)
    return summary
