"""A station for the horizon keeper to build: a generated catalog (series, movies, filler; 2 %
never promoted), ten day-part templates with six blocks each (shuffle, random, series, back to
back, truncate; breaks when asked) and channels in five time zones assigned to them (a Saturday
template too). For the schedule-build benchmark and the event-loop test.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from retrovue.db import Database
from retrovue.db.models import CatalogAsset, Channel, ScheduleDay, Template, TemplateBlock

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe"]
TAGS = ["comedy", "drama", "kids", "scifi", "80s", "90s", "classic", "western"]
SERIES_COUNT = 200


def _catalog_rows(count: int, rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    fillers = count // 4
    movies = count // 8
    episodes = count - fillers - movies
    per_series = max(1, episodes // SERIES_COUNT)
    for n in range(episodes):
        series = n // per_series % SERIES_COUNT
        rows.append(
            {
                "kind": "episode",
                "guide_title": f"Series {series}",
                "series_title": f"Series {series}",
                "season": 1 + (n % per_series) // 20,
                "episode": 1 + (n % per_series) % 20,
                "episode_title": f"Episode {n}",
                "tags": [TAGS[series % len(TAGS)]],
                "genres": [TAGS[(series + 1) % len(TAGS)]],
                "duration_ms": rng.choice([22, 23, 24, 25, 44, 45, 48]) * 60_000
                + rng.randrange(60_000),
            }
        )
    for n in range(movies):
        rows.append(
            {
                "kind": "movie",
                "guide_title": f"Movie {n}",
                "tags": [TAGS[n % len(TAGS)]],
                "genres": [],
                "duration_ms": rng.randrange(80, 150) * 60_000,
            }
        )
    for n in range(fillers):
        rows.append(
            {
                "kind": "filler",
                "guide_title": f"Promo {n}",
                "tags": ["promo" if n % 2 else "bumper"],
                "genres": [],
                "duration_ms": rng.randrange(10, 120) * 1000,
            }
        )
    for n, row in enumerate(rows):
        row.update(
            file_path=f"/media/{n}.mkv",
            canonical=n % 50 != 0,  # 2 % never promoted: must never air
            available=True,
            created_utc=NOW,
            updated_utc=NOW,
            media_info={},
        )
    return rows


BREAKS = {
    "at": "computed",
    "fill": {"tags": ["promo"]},
    "bumpers": {"out": {"tags": ["bumper"]}, "in": {"tags": ["bumper"]}},
    "up_next": "10s",
}


def _templates(
    rng: random.Random, breaks: bool
) -> list[tuple[str, list[tuple[int, int, dict[str, Any], str]]]]:
    extra: dict[str, Any] = {"breaks": BREAKS} if breaks else {}
    templates = []
    for t in range(10):
        series = rng.sample(range(SERIES_COUNT), 6)
        blocks: list[tuple[int, int, dict[str, Any], str]] = [
            (6 * 60, 360, {"tags": [TAGS[t % len(TAGS)]], "order": "shuffle"}, "Morning"),
            (12 * 60, 240, {"kind": "movie", "order": "random", "no_repeat_days": 7}, "Matinee"),
            (
                16 * 60,
                120,
                {"series": [f"Series {s}" for s in series[:2]], **extra},
                "Afternoon",
            ),
            (
                18 * 60,
                60,
                {"series": f"Series {series[2]}", "filler": {"tags": ["promo"]}, **extra},
                "Access",
            ),
            (
                19 * 60,
                180,
                {"series": [f"Series {s}" for s in series[3:]], "align": "back_to_back"},
                "Prime",
            ),
            (22 * 60, 480, {"kind": "movie", "order": "shuffle", "overrun": "truncate"}, "Late"),
        ]
        templates.append((f"template-{t}", blocks))
    return templates


def seed(database: Database, channels: int, assets: int, breaks: bool = False) -> None:
    """Channels numbered from 2, the catalog and the templates, in one transaction."""
    rng = random.Random(5)
    with database.transaction() as session:
        session.execute(insert(CatalogAsset), _catalog_rows(assets, rng))
        template_ids = []
        for name, blocks in _templates(rng, breaks):
            template = Template(name=name, created_utc=NOW, updated_utc=NOW)
            session.add(template)
            session.flush()
            template_ids.append(template.id)
            for start, minutes, rule, block_name in blocks:
                session.add(
                    TemplateBlock(
                        template_id=template.id,
                        start_minutes=start,
                        duration_minutes=minutes,
                        rule_json=rule,
                        name=block_name,
                    )
                )
        for n in range(channels):
            channel = Channel(
                number=str(n + 2),
                name=f"Channel {n + 2}",
                timezone=ZONES[n % len(ZONES)],
                created_utc=NOW,
                updated_utc=NOW,
            )
            session.add(channel)
            session.flush()
            session.add(
                ScheduleDay(
                    channel_id=channel.id,
                    template_id=template_ids[n % len(template_ids)],
                    selector_kind="default",
                    selector="default",
                    created_utc=NOW,
                )
            )
            session.add(
                ScheduleDay(
                    channel_id=channel.id,
                    template_id=template_ids[(n + 1) % len(template_ids)],
                    selector_kind="weekday",
                    selector="sat",
                    weekday=5,
                    created_utc=NOW,
                )
            )
