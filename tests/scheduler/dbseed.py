"""Insert channel, template, assignment and catalog rows directly with the ORM (test helpers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from retrovue.db import Database
from retrovue.db.models import CatalogAsset, Channel, ScheduleDay, Template, TemplateBlock

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def add_channel(
    database: Database,
    number: str = "2",
    *,
    timezone: str = "UTC",
    grid_minutes: int = 30,
    day_start_minutes: int = 360,
    name: str | None = None,
) -> int:
    with database.transaction() as session:
        channel = Channel(
            number=number,
            name=name or f"Retro {number}",
            timezone=timezone,
            day_start_minutes=day_start_minutes,
            grid_minutes=grid_minutes,
            grid_offset_minutes=0,
            created_utc=T0,
            updated_utc=T0,
        )
        session.add(channel)
        session.flush()
        return channel.id


def add_template(
    database: Database, name: str, blocks: Sequence[tuple[str, int, Mapping[str, Any], str | None]]
) -> int:
    """``blocks``: (HH:MM, minutes, rule_json, block name)."""
    with database.transaction() as session:
        template = Template(name=name, created_utc=T0, updated_utc=T0)
        session.add(template)
        session.flush()
        for start, minutes, rule, block_name in blocks:
            hours, mins = (int(p) for p in start.split(":"))
            session.add(
                TemplateBlock(
                    template_id=template.id,
                    start_minutes=hours * 60 + mins,
                    duration_minutes=minutes,
                    name=block_name,
                    rule_json=dict(rule),
                )
            )
        return template.id


def assign(
    database: Database,
    channel_id: int,
    template_id: int,
    *,
    weekday: int | None = None,
    on: datetime | None = None,
) -> None:
    with database.transaction() as session:
        if on is not None:
            kind, selector = "date", on.date().isoformat()
        elif weekday is not None:
            kind, selector = "weekday", ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[weekday]
        else:
            kind, selector = "default", "default"
        session.add(
            ScheduleDay(
                channel_id=channel_id,
                template_id=template_id,
                selector_kind=kind,
                selector=selector,
                date=on.date() if on is not None else None,
                weekday=weekday,
                created_utc=T0,
            )
        )


def add_assets(database: Database, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Catalog rows; defaults: canonical, available, an episode of 22 minutes."""
    with database.transaction() as session:
        assets = []
        for n, row in enumerate(rows):
            values: dict[str, Any] = {
                "kind": "episode",
                "guide_title": f"Show {n}",
                "duration_ms": 22 * 60_000,
                "file_path": f"/media/{n}.mkv",
                "canonical": True,
                "available": True,
                "created_utc": T0,
                "updated_utc": T0,
                "genres": [],
                "tags": [],
            }
            values.update(row)
            asset = CatalogAsset(**values)
            session.add(asset)
            assets.append(asset)
        session.flush()
        return [asset.id for asset in assets]


def series_rows(series: str, count: int, minutes: float = 22, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "guide_title": series,
            "series_title": series,
            "season": 1,
            "episode": n + 1,
            "episode_title": f"{series} #{n + 1}",
            "duration_ms": int(minutes * 60_000),
            **extra,
        }
        for n in range(count)
    ]


def filler_rows(count: int, seconds: int = 30) -> list[dict[str, Any]]:
    return [
        {"kind": "filler", "guide_title": f"Bumper {n}", "duration_ms": seconds * 1000}
        for n in range(count)
    ]
