"""Kodi-style ``.nfo`` sidecars (episode, movie, ``tvshow.nfo``) read with lxml.

Fields taken: ``title``, ``showtitle``, ``plot`` (or ``outline``), ``genre`` (repeated or
``/``-separated), ``aired``/``premiered`` (ISO date), ``year``, ``season``, ``episode`` and the
content rating from ``mpaa`` (or ``certification``, or a non-numeric ``rating``). A file that
is not XML (some tools write a bare URL) yields ``None``; a sidecar never fails a sync.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

_MAX_NFO_BYTES = 1_000_000


@dataclass(frozen=True)
class NfoInfo:
    title: str | None = None
    show_title: str | None = None
    plot: str | None = None
    genres: tuple[str, ...] = ()
    aired_date: date | None = None
    year: int | None = None
    season: int | None = None
    episode: int | None = None
    content_rating: str | None = None


def read_nfo(path: Path) -> NfoInfo | None:
    """Parse ``path``; ``None`` when it is missing, too big, or not an XML document."""
    try:
        if not path.is_file() or path.stat().st_size > _MAX_NFO_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return parse_nfo(data)


def parse_nfo(data: bytes) -> NfoInfo | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    start = data.find(b"<")
    if start < 0:
        return None
    try:
        root = etree.fromstring(data[start:], parser)
    except etree.XMLSyntaxError:
        return None
    aired = _date(_text(root, "aired")) or _date(_text(root, "premiered"))
    return NfoInfo(
        title=_text(root, "title"),
        show_title=_text(root, "showtitle"),
        plot=_text(root, "plot") or _text(root, "outline"),
        genres=_genres(root),
        aired_date=aired,
        year=_int(_text(root, "year")) or (aired.year if aired else None),
        season=_int(_text(root, "season")),
        episode=_int(_text(root, "episode")),
        content_rating=_rating(root),
    )


def _text(root: etree._Element, tag: str) -> str | None:
    element = root.find(tag)
    if element is None:
        return None
    text = "".join(str(t) for t in element.itertext()).strip()
    return text or None


def _genres(root: etree._Element) -> tuple[str, ...]:
    genres: list[str] = []
    for element in root.findall("genre"):
        for part in re.split(r"\s*[/|]\s*", "".join(str(t) for t in element.itertext())):
            if part.strip() and part.strip() not in genres:
                genres.append(part.strip())
    return tuple(genres)


def _rating(root: etree._Element) -> str | None:
    for tag in ("mpaa", "certification", "contentrating"):
        value = _text(root, tag)
        if value:
            return _strip_country(value)
    value = _text(root, "rating")
    if value and not re.fullmatch(r"[0-9.,]+", value):
        return _strip_country(value)
    return None


def _strip_country(value: str) -> str:
    """``"US:TV-PG"`` and ``"Rated PG-13"`` become ``"TV-PG"`` and ``"PG-13"``."""
    value = value.split("/", maxsplit=1)[0].strip()
    value = value.split(":", 1)[1].strip() if ":" in value else value
    return re.sub(r"^rated\s+", "", value, flags=re.IGNORECASE)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None
