"""Break points: where a programme may stop for a break, and the ranges never cut.

A catalog asset's ``breaks`` column holds ``{"points_ms": [...], "avoid_ms": [[start, end], ...],
"source": "markers" | "chapters" | "operator"}`` or ``{}`` (nothing known: the scheduler spaces
points evenly itself). ``points_ms`` are sorted file positions; ``avoid_ms`` are the intro and
credits ranges. Everything here is pure.

From the library asset's markers (:func:`library_breaks`): ``ad_break`` markers first (source
``markers``), else chapter starts (source ``chapters``); never a point in the first or last
:data:`EDGE_MS` of the asset nor strictly inside an intro or credits range. With no usable point
but intro/credits known, ``points_ms`` is empty and ``avoid_ms`` still tells the scheduler what
not to cut. An operator's own list (:func:`operator_breaks`, also never in the first or last
minute) wins over both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from retrovue.errors import ValidationError

EDGE_MS = 60_000  # no break point in the first or last minute (the scheduler's rule too)
SOURCES = ("markers", "chapters", "operator")
AVOID_KINDS = ("intro", "credits")
_TIME_RE = re.compile(r"(?:(\d+):([0-5]\d)|(\d+)):([0-5]\d)(?:\.(\d{1,3}))?")


class MarkerLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...


Range = tuple[int, int]


@dataclass(frozen=True)
class Mark:
    """A marker as plain values (a catalog asset keeps its markers in ``media_info``)."""

    kind: str
    start_ms: int
    end_ms: int

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Mark:
        return cls(str(raw["kind"]), int(raw["start_ms"]), int(raw["end_ms"]))


def avoid_ranges(markers: Iterable[MarkerLike]) -> list[Range]:
    """Intro and credits ranges, sorted, overlapping ones merged, empty ones left out."""
    spans = sorted((m.start_ms, m.end_ms) for m in markers if m.kind in AVOID_KINDS)
    merged: list[Range] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def inside(point_ms: int, ranges: Iterable[Range]) -> bool:
    """Strictly inside one of ``ranges`` (a break right before or after an intro is fine)."""
    return any(start < point_ms < end for start, end in ranges)


def _usable(points: Iterable[int], duration_ms: int, avoid: Sequence[Range]) -> list[int]:
    return sorted({p for p in points if _fits(p, duration_ms) and not inside(p, avoid)})


def library_breaks(duration_ms: int, markers: Iterable[MarkerLike]) -> dict[str, Any]:
    """The ``breaks`` value from what the library knows (see the module doc)."""
    marks = list(markers)
    avoid = avoid_ranges(marks)
    for kind, source in (("ad_break", "markers"), ("chapter", "chapters")):
        points = _usable((m.start_ms for m in marks if m.kind == kind), duration_ms, avoid)
        if points:
            return _value(points, avoid, source)
    return _value([], avoid, "markers") if avoid else {}


def operator_breaks(
    duration_ms: int, points_ms: Sequence[int], markers: Iterable[MarkerLike] = ()
) -> dict[str, Any]:
    """An operator's list: every point inside the asset but not in its first or last
    :data:`EDGE_MS` (the scheduler never breaks there), no duplicates, any order given.

    The intro/credits ranges are kept, except one that holds an operator's point (the operator
    knows this file better than the marker).
    """
    if not points_ms:
        raise ValidationError("give at least one break point")
    seen: set[int] = set()
    for point in points_ms:
        _check_point(point, duration_ms)
        if point in seen:
            raise ValidationError(f"break point {format_ms(point)} is given twice")
        seen.add(point)
    points = sorted(seen)
    avoid = [r for r in avoid_ranges(markers) if not any(r[0] < p < r[1] for p in points)]
    return _value(points, avoid, "operator")


def _check_point(point_ms: int, duration_ms: int) -> None:
    where = format_ms(point_ms)
    if not 0 < point_ms < duration_ms:
        raise ValidationError(
            f"break point {where} is outside the asset "
            f"(0:00 to {format_ms(duration_ms)}, both ends excluded)"
        )
    if point_ms < EDGE_MS or point_ms > duration_ms - EDGE_MS:
        part = "first" if point_ms < EDGE_MS else "last"
        raise ValidationError(
            f"break point {where} is in the {part} minute of the asset "
            f"({format_ms(duration_ms)} long): breaks never air there"
        )


def _fits(point_ms: int, duration_ms: int) -> bool:
    return EDGE_MS <= point_ms <= duration_ms - EDGE_MS


def refreshed_breaks(
    current: Mapping[str, Any], duration_ms: int, markers: Iterable[MarkerLike]
) -> dict[str, Any]:
    """What a (re-)promotion stores: an operator's list is kept (its points that still fit the
    asset), anything else follows the library."""
    marks = list(markers)
    if current.get("source") == "operator":
        kept = [p for p in current.get("points_ms", []) if _fits(p, duration_ms)]
        if kept:
            return operator_breaks(duration_ms, kept, marks)
    return library_breaks(duration_ms, marks)


def _value(points: list[int], avoid: list[Range], source: str) -> dict[str, Any]:
    return {"points_ms": points, "avoid_ms": [[s, e] for s, e in avoid], "source": source}


def scheduler_fields(breaks: Mapping[str, Any] | None) -> tuple[tuple[int, ...], tuple[Range, ...]]:
    """``(break_points_ms, no_break_ms)`` of a stored ``breaks`` value (``{}`` -> empty)."""
    if not breaks:
        return (), ()
    avoid = breaks.get("avoid_ms")
    return tuple(breaks.get("points_ms") or ()), tuple((r[0], r[1]) for r in avoid or ())


def scheduler_fields_json(raw: str | None) -> tuple[tuple[int, ...], tuple[Range, ...]]:
    """:func:`scheduler_fields` of the column's JSON text (``{}``, the usual case, not parsed)."""
    if raw is None or raw == "{}":
        return (), ()
    return scheduler_fields(json.loads(raw))


# ---- operator-facing times ------------------------------------------------------------------


def parse_time_ms(text: str, *, option: str = "--at") -> int:
    """``"7:42"`` (m:ss) or ``"1:07:42"`` (h:mm:ss), optionally ``.mmm`` -> milliseconds."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise ValidationError(
            f"{option}: {text!r} is not a time in the file: write m:ss or h:mm:ss (e.g. 7:42)"
        )
    hours, minutes_hms, minutes_ms, seconds, fraction = match.groups()
    if hours is not None:
        total_s = int(hours) * 3600 + int(minutes_hms) * 60 + int(seconds)
    else:
        total_s = int(minutes_ms) * 60 + int(seconds)
    return total_s * 1000 + (int(fraction.ljust(3, "0")) if fraction else 0)


def parse_times_ms(text: str, *, option: str = "--at") -> list[int]:
    """A comma-separated list of times (``"7:42,15:10"``), in the order given."""
    items = text.split(",")
    if any(not item.strip() for item in items):
        raise ValidationError(f"{option}: {text!r} has an empty item; write e.g. 7:42,15:10")
    return [parse_time_ms(item, option=option) for item in items]


def format_ms(ms: int) -> str:
    """Milliseconds -> ``m:ss`` or ``h:mm:ss`` (with ``.mmm`` when not a whole second)."""
    total_s, millis = divmod(ms, 1000)
    hours, rest = divmod(total_s, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{text}.{millis:03d}" if millis else text
