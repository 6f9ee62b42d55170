"""The demo library: three series of four episodes, two films, and bumpers and idents.

Files are test cards (colour bars, title, running clock, tone) named the way people's libraries are
(``Show (Year)/Season 01/Show - S01E02 - Title.mp4``), generated in parallel on all cores.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from retrovue.demo.cards import Card, write_card

COMPLETE_MARKER = ".complete"


@dataclass(frozen=True)
class DemoFile:
    relative_path: str
    card: Card


@dataclass(frozen=True)
class DemoSeries:
    title: str
    year: int
    episodes: tuple[str, ...]
    episode_s: tuple[float, ...]
    tone_hz: float


SERIES = (
    DemoSeries(
        "Space Patrol",
        1987,
        ("Launch Day", "The Red Moon", "Signal Lost", "Homecoming"),
        (118.0, 124.0, 112.0, 130.0),
        440.0,
    ),
    DemoSeries(
        "Kitchen Time",
        1994,
        ("Bread", "Soup", "Pie", "Feast"),
        (105.0, 126.0, 117.0, 121.0),
        523.25,
    ),
    DemoSeries(
        "Test Pattern Theatre",
        1979,
        ("Overture", "Bars", "Tone", "Finale"),
        (132.0, 108.0, 122.0, 114.0),
        659.25,
    ),
)
FILMS = (("The Long Signal", 1972, 400.0, 392.0), ("Night Shift", 1983, 372.0, 349.23))
FILLER = (
    ("Bumpers", "Up Next", 10.0),
    ("Bumpers", "Stay Tuned", 8.0),
    ("Bumpers", "We'll Be Right Back", 12.0),
    ("Idents", "RetroVue", 10.0),
    ("Idents", "RetroVue Classic", 15.0),
    ("Idents", "Good Night", 9.0),
)


def demo_files() -> list[DemoFile]:
    files = []
    for series in SERIES:
        for number, (title, seconds) in enumerate(
            zip(series.episodes, series.episode_s, strict=True), 1
        ):
            code = f"S01E{number:02d}"
            folder = f"shows/{series.title} ({series.year})/Season 01"
            files.append(
                DemoFile(
                    f"{folder}/{series.title} - {code} - {title}.mp4",
                    Card(series.title, f"{code} {title}", seconds, series.tone_hz),
                )
            )
    for title, year, seconds, tone in FILMS:
        files.append(
            DemoFile(
                f"films/{title} ({year})/{title} ({year}).mp4",
                Card(title, f"A film ({year})", seconds, tone),
            )
        )
    for folder, title, seconds in FILLER:
        files.append(
            DemoFile(f"filler/{folder}/{title}.mp4", Card(title, folder[:-1], seconds, 880.0))
        )
    return files


def _write(job: tuple[Path, Card]) -> str:
    path, card = job
    tmp = path.with_name(path.stem + ".partial" + path.suffix)
    write_card(tmp, card)
    tmp.replace(path)
    return str(path)


def ensure_demo_library(root: Path, workers: int | None = None) -> Path:
    """Generate the demo library under ``root`` once; later calls return at once."""
    if (root / COMPLETE_MARKER).is_file():
        return root
    jobs = [(root / f.relative_path, f.card) for f in demo_files()]
    missing = [job for job in jobs if not job[0].is_file()]
    missing.sort(key=lambda job: -job[1].duration_s)  # longest first keeps both cores busy
    for path, _card in missing:
        path.parent.mkdir(parents=True, exist_ok=True)
    count = workers or max(1, min(4, os.cpu_count() or 1))
    if count == 1 or len(missing) <= 1:
        for job in missing:
            _write(job)
    else:
        with ProcessPoolExecutor(max_workers=count) as pool:
            list(pool.map(_write, missing))
    (root / COMPLETE_MARKER).write_text("demo library complete\n")
    return root
