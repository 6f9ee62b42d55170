"""The sync service shared by every importer: scan, compare, probe, write one item at a time.

* Idempotent and incremental: an item whose size and mtime are unchanged is not probed again;
  if only its descriptive metadata changed (an edited ``.nfo``) that is written without a probe.
* Each item is written in its own transaction, so a sync interrupted half-way (Ctrl-C, or a
  progress callback raising :class:`SyncStopped`) leaves every row either as it was or fully
  updated; the summary tells what was done before the interruption.
* Every probed file also gets its loudness measured (EBU R128, :mod:`retrovue.library.loudness`):
  a file that changes is re-probed and so re-measured; one that cannot be measured keeps the reason.
* A probe failure marks that item ``failed`` with the reason and the sync goes on.
* A re-probed file whose duration or stream setup changed (or that no longer probes) loses its
  catalog clearance through the same callback: promote it again to put it back on the air.
* Items the source no longer has are soft-deleted (``deleted = true``) in one transaction that also
  calls ``on_assets_removed(session, ids)``, so the broadcast side invalidates their catalog
  counterparts in the same transaction. The library never writes broadcast tables itself; the
  same callback runs when a previously good item turns unreadable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from retrovue.clock import Clock
from retrovue.db import Database
from retrovue.db.models.library import LibraryAsset, Marker, Source
from retrovue.errors import NotFoundError, ProbeError, SourceError
from retrovue.library.loudness import Loudness, measure_loudness
from retrovue.library.probe import MediaProbeError, ProbeResult, probe_file
from retrovue.library.registry import ScannedItem, SourceSpec, importer_for
from retrovue.library.sources import source_spec

log = logging.getLogger(__name__)

OnAssetsRemoved = Callable[[Session, list[int]], object]  # the return value is ignored
ProbeFn = Callable[[Path], ProbeResult]
MeasureFn = Callable[[Path], Loudness]
_MAX_TITLE = 1000
_CHUNK = 500  # ids per IN (...) list


@dataclass
class SyncSummary:
    source: str
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    removed: int = 0
    interrupted: bool = False
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.added + self.updated + self.unchanged + self.failed

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


ProgressFn = Callable[[SyncSummary], None]


class SyncStopped(Exception):
    """Raised by a progress callback to stop a sync between items (the station shuts down)."""


def _no_progress(_summary: SyncSummary) -> None:
    return None


def sync_source(
    database: Database,
    clock: Clock,
    name: str,
    *,
    on_assets_removed: OnAssetsRemoved,
    probe: ProbeFn = probe_file,
    progress: ProgressFn = _no_progress,
    measure: MeasureFn = measure_loudness,
) -> SyncSummary:
    """Bring the library in line with source ``name``; return what was done."""
    with database.transaction() as session:
        spec = source_spec(session, name)
        known = _known_assets(session, spec.id)
    items = list(importer_for(spec.kind).scan(spec))
    _refuse_empty_scan(spec, items, known)
    summary = SyncSummary(source=name, total=len(items))
    progress(summary)
    seen: set[str] = set()
    try:
        for item in items:
            seen.add(item.external_key)
            outcome = _sync_item(
                database, clock, spec, item, known, (probe, measure), on_assets_removed
            )
            _count(summary, item, outcome)
            progress(summary)
    except (KeyboardInterrupt, SyncStopped):
        summary.interrupted = True
        return summary
    gone = [a.id for key, a in known.items() if key not in seen and not a.deleted]
    summary.removed = _finish(database, clock, spec.id, gone, on_assets_removed)
    progress(summary)
    return summary


def _refuse_empty_scan(
    spec: SourceSpec, items: list[ScannedItem], known: dict[str, LibraryAsset]
) -> None:
    """A scan that finds nothing where files were known is an unmounted drive, not a deletion."""
    present = sum(1 for a in known.values() if not a.deleted)
    if not items and present:
        raise SourceError(
            f"source {spec.name!r} found no media files but {present} are known; is the folder "
            "or drive mounted? (to drop the files, remove the source)"
        )


@dataclass(frozen=True)
class _Outcome:
    bucket: str  # added, updated, unchanged, failed
    reason: str | None = None


def _count(summary: SyncSummary, item: ScannedItem, outcome: _Outcome) -> None:
    setattr(summary, outcome.bucket, getattr(summary, outcome.bucket) + 1)
    if outcome.reason is not None:
        summary.failures.append({"path": item.external_key, "reason": outcome.reason})


def _known_assets(session: Session, source_id: int) -> dict[str, LibraryAsset]:
    rows = session.scalars(select(LibraryAsset).where(LibraryAsset.source_id == source_id))
    return {row.external_key: row for row in rows}


def _sync_item(
    database: Database,
    clock: Clock,
    spec: SourceSpec,
    item: ScannedItem,
    known: dict[str, LibraryAsset],
    readers: tuple[ProbeFn, MeasureFn],
    on_assets_removed: OnAssetsRemoved,
) -> _Outcome:
    before = known.get(item.external_key)
    fields = descriptive_fields(spec, item)
    if (
        before is not None
        and not before.deleted
        and _same_version(before, item)
        and _measured(before)
    ):
        if all(getattr(before, k) == v for k, v in fields.items()):
            return _Outcome("unchanged")
        with database.transaction(immediate=True) as session:
            row = _row(session, spec.id, item.external_key)
            if row is not None:
                _assign(row, fields)
                row.updated_utc = clock.now_utc()
        return _Outcome("updated")
    result, reason = _probe(item, readers[0])
    loudness = _loudness(item, result, readers[1]) if reason is None else {}
    with database.transaction(immediate=True) as session:
        row = _row(session, spec.id, item.external_key)
        created = row is None
        if row is None:
            row = LibraryAsset(
                source_id=spec.id, external_key=item.external_key, created_utc=clock.now_utc()
            )
            session.add(row)
        was_good = not created and not row.deleted and row.review_state != "failed"
        before_setup = _airing_setup(row)
        _assign(row, fields)
        _apply_probe(row, item, result, reason, clock)
        row.loudness = loudness
        row.deleted = False
        row.updated_utc = clock.now_utc()
        session.flush()
        if was_good and (reason is not None or _airing_setup(row) != before_setup):
            on_assets_removed(session, [row.id])  # cleared for the old file, not for this one
    if reason is not None:
        return _Outcome("failed", reason)
    return _Outcome("added" if created else "updated")


def _airing_setup(row: LibraryAsset) -> tuple[Any, ...]:
    """What the schedule and the runtime rely on: a change needs the asset cleared again."""
    return (
        row.duration_ms,
        row.container,
        row.video_codec,
        row.width,
        row.height,
        row.interlaced,
        [(t.get("codec"), t.get("channels"), t.get("language")) for t in row.audio_tracks or []],
    )


def _measured(row: LibraryAsset) -> bool:
    """Loudness measured (or a failed file): otherwise an unchanged file is probed again so an
    asset ingested before loudness was measured gets its measurement on the next sync."""
    return bool(row.loudness) or row.review_state == "failed"


def _same_version(row: LibraryAsset, item: ScannedItem) -> bool:
    return row.file_size == item.file_size and row.file_mtime_ns == item.file_mtime_ns


def _row(session: Session, source_id: int, key: str) -> LibraryAsset | None:
    return session.scalars(
        select(LibraryAsset).where(
            LibraryAsset.source_id == source_id, LibraryAsset.external_key == key
        )
    ).one_or_none()


def descriptive_fields(spec: SourceSpec, item: ScannedItem) -> dict[str, Any]:
    meta = item.metadata
    tags = list(dict.fromkeys([*spec.tags, *item.extra_tags]))
    return {
        "file_path": item.file_path,
        "kind": "filler" if spec.is_filler else meta.kind,
        "title": meta.title[:_MAX_TITLE],
        "series_title": meta.series_title,
        "season": meta.season,
        "episode": meta.episode,
        "episode_end": meta.episode_end,
        "year": meta.year,
        "aired_date": meta.aired_date,
        "description": meta.description,
        "genres": list(meta.genres),
        "content_rating": meta.content_rating,
        "artwork_url": meta.artwork_url,
        "tags": tags,
        "playable": item.unplayable_reason is None,
        "unplayable_reason": item.unplayable_reason,
        "subtitle_files": [dict(f) for f in item.subtitle_files],
    }


def _assign(row: LibraryAsset, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if getattr(row, key, None) != value:
            setattr(row, key, value)


def _probe(item: ScannedItem, probe: ProbeFn) -> tuple[ProbeResult | None, str | None]:
    if item.probe_path is None or not item.probe_path.exists():
        if item.probe is not None:
            return item.probe, None
        if item.probe_path is None:
            return None, None
        return None, "file not found"
    try:
        return probe(item.probe_path), None
    except MediaProbeError as err:
        return None, err.reason
    except ProbeError as err:
        return None, err.message
    except Exception as err:  # one bad file must never stop the sync: record it and go on
        log.exception("probe of %s crashed", item.probe_path)
        return None, f"probe crashed ({type(err).__name__}: {err})"


def _loudness(item: ScannedItem, result: ProbeResult | None, measure: MeasureFn) -> dict[str, Any]:
    """The file's loudness, or why there is none (it then airs at unity gain)."""
    if result is not None and not result.audio_tracks:
        return Loudness(error="no audio track").to_json()
    if item.probe_path is None or not item.probe_path.exists():
        return Loudness(error="file not reachable from this machine").to_json()
    return measure(item.probe_path).to_json()


def _apply_probe(
    row: LibraryAsset,
    item: ScannedItem,
    result: ProbeResult | None,
    reason: str | None,
    clock: Clock,
) -> None:
    row.file_size = item.file_size
    row.file_mtime_ns = item.file_mtime_ns
    row.probed_utc = clock.now_utc()
    if reason is not None:
        row.review_state = "failed"
        row.review_reason = reason
        _set_technical(row, None)
        row.markers = [_marker(m.kind, m.start_ms, m.end_ms, m.title) for m in item.markers]
        return
    if row.review_state in (None, "failed"):
        row.review_state = "pending"
        row.review_reason = None
    _set_technical(row, result)
    markers = [_marker(m.kind, m.start_ms, m.end_ms, m.title) for m in item.markers]
    has_chapters = any(m.kind == "chapter" for m in item.markers)
    if result is not None and not has_chapters:
        markers += [_marker("chapter", c.start_ms, c.end_ms, c.title) for c in result.chapters]
    row.markers = markers


def _marker(kind: str, start_ms: int, end_ms: int, title: str | None) -> Marker:
    return Marker(kind=kind, start_ms=start_ms, end_ms=max(start_ms, end_ms), title=title)


def _set_technical(row: LibraryAsset, result: ProbeResult | None) -> None:
    row.duration_ms = result.duration_ms if result else None
    row.container = result.container if result else None
    row.video_codec = result.video_codec if result else None
    row.width = result.width if result else None
    row.height = result.height if result else None
    row.sample_aspect_ratio = result.sample_aspect_ratio if result else None
    row.frame_rate = result.frame_rate if result else None
    row.interlaced = result.interlaced if result else None
    row.audio_tracks = [t.to_json() for t in result.audio_tracks] if result else []
    row.subtitle_tracks = [t.to_json() for t in result.subtitle_tracks] if result else []
    row.video_details = result.video_details() if result else {}


def _finish(
    database: Database,
    clock: Clock,
    source_id: int,
    gone: list[int],
    on_assets_removed: OnAssetsRemoved,
) -> int:
    """Soft-delete what disappeared and invalidate its catalog counterparts, in one transaction."""
    with database.transaction(immediate=True) as session:
        source = session.get(Source, source_id)
        if source is None:
            raise NotFoundError("the source was removed while it was syncing")
        now = clock.now_utc()
        for start in range(0, len(gone), _CHUNK):
            chunk = gone[start : start + _CHUNK]
            session.execute(
                update(LibraryAsset)
                .where(LibraryAsset.id.in_(chunk))
                .values(deleted=True, updated_utc=now)
                .execution_options(synchronize_session=False)
            )
            on_assets_removed(session, chunk)
        source.last_synced_utc = now
    return len(gone)
