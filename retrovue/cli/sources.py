"""``retrovue source``: add, list, remove and sync media sources."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from retrovue.broadcast.catalog import CatalogInvalidation
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table
from retrovue.library.ingest import SyncSummary
from retrovue.library.sources import SourceView, add_filesystem_source, list_sources, remove_source
from retrovue.library.sync_runs import PolicyChange, run_recorded_sync, set_sync_policy
from retrovue.scheduler.horizon import rebuild_after_catalog_change

app = typer.Typer(help="Media sources: where the library comes from.", no_args_is_help=True)
add_app = typer.Typer(help="Add a source (one sub-command per kind).", no_args_is_help=True)
app.add_typer(add_app, name="add")

_BAR_WIDTH = 30


@add_app.command("filesystem")
def add_filesystem_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name for the source.")],
    path: Annotated[str, typer.Argument(help="The folder to import.")],
    filler: Annotated[
        bool, typer.Option("--filler", help="Bumpers, idents, commercials: used for padding.")
    ] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tag every asset (repeat).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add a folder of media files as a source."""
    cli = get_context(ctx)
    view = add_filesystem_source(
        cli.database(), cli.clock, name, path, is_filler=filler, tags=tag or []
    )
    if as_json:
        emit_json(view.to_json())
    else:
        typer.echo(
            f"added source {view.name!r} ({view.kind}, {view.location}); next: "
            f"retrovue source sync {view.name!r}"
        )


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List sources with their asset counts, sync policy and last sync."""
    cli = get_context(ctx)
    views = list_sources(cli.database(), cli.clock.now_utc())
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        emit_table(
            [_list_row(v) for v in views],
            ["name", "kind", "location", "filler", "tags", "assets", "failed", "sync",
             "last_sync_utc", "last_sync"],
        )  # fmt: skip


def _list_row(view: SourceView) -> dict[str, object]:
    return {
        **view.to_json(),
        "last_sync_utc": view.last_sync_started_utc,
        "last_sync": view.last_sync,
    }


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source.")],
    sync_every: Annotated[
        str | None,
        typer.Option("--sync-every", help="Sync by itself this often, e.g. 6h, 90m, 1d."),
    ] = None,
    sync_at: Annotated[
        str | None, typer.Option("--sync-at", help="Sync by itself daily at HH:MM (local).")
    ] = None,
    sync_tz: Annotated[
        str | None,
        typer.Option("--sync-tz", help="Time zone of --sync-at (default: this host's, or TZ)."),
    ] = None,
    manual: Annotated[
        bool, typer.Option("--manual", help="Sync only when told (retrovue source sync).")
    ] = False,
) -> None:
    """Set how the source syncs: on a schedule while `retrovue serve` runs, or manually."""
    cli = get_context(ctx)
    change = PolicyChange(sync_every, sync_at, sync_tz, manual)
    policy = set_sync_policy(cli.database(), cli.clock, name, change, local_timezone_name())
    typer.echo(f"source {name!r} syncs {policy.describe()}")


def local_timezone_name() -> str:
    """This host's time zone name: ``TZ``, else ``/etc/timezone``, else ``/etc/localtime``'s
    link; UTC when none of them names a zone this host knows."""
    for name in (os.environ.get("TZ", "").lstrip(":"), _etc_timezone(), _localtime_link()):
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return "UTC"


def _etc_timezone() -> str:
    try:
        return Path("/etc/timezone").read_text().strip()
    except OSError:
        return ""


def _localtime_link() -> str:
    try:
        link = os.readlink("/etc/localtime")
    except OSError:
        return ""
    return link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else ""


@app.command("remove")
def remove_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source to remove.")],
) -> None:
    """Remove a source and its library assets (their catalog entries stop airing)."""
    cli = get_context(ctx)
    invalidation = CatalogInvalidation()
    count = remove_source(cli.database(), name, on_assets_removed=invalidation)
    typer.echo(f"removed source {name!r} and {count} asset(s)")
    if invalidation.changed:
        typer.echo(f"schedule rebuilt: {rebuild_after_catalog_change(cli.database(), cli.clock)}")


@app.command("sync")
def sync_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The source to sync.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Scan the source: add new files, re-probe changed ones, soft-delete vanished ones."""
    cli = get_context(ctx)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    invalidation = CatalogInvalidation()
    summary = run_recorded_sync(
        cli.database(),
        cli.clock,
        name,
        on_assets_removed=invalidation,
        progress=bar.update if bar else _quiet,
    )
    if bar is not None:
        bar.close()
    rebuilt = (
        rebuild_after_catalog_change(cli.database(), cli.clock) if invalidation.changed else None
    )
    if as_json:
        emit_json(summary.to_json())
    else:
        _print_summary(summary)
        if rebuilt is not None:
            typer.echo(f"schedule rebuilt: {rebuilt}")
    if summary.interrupted:
        raise typer.Exit(130)


def _quiet(_summary: SyncSummary) -> None:
    return None


def _print_summary(summary: SyncSummary) -> None:
    emit_fields(
        {
            "source": summary.source,
            "files": summary.total,
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "failed": summary.failed,
            "removed": summary.removed,
        }
    )
    for failure in summary.failures:
        typer.echo(f"failed: {failure['path']}: {failure['reason']}")
    if summary.interrupted:
        typer.echo(f"interrupted after {summary.done} of {summary.total} files; run sync again")


class ProgressBar:
    """A one-line bar with counts, redrawn in place on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def update(self, summary: SyncSummary) -> None:
        total = max(summary.total, 1)
        filled = _BAR_WIDTH * summary.done // total
        line = (
            f"\r[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {summary.done}/{summary.total} "
            f"added {summary.added} updated {summary.updated} unchanged {summary.unchanged} "
            f"failed {summary.failed}"
        )
        self._stream.write(line)
        self._stream.flush()

    def close(self) -> None:
        self._stream.write("\n")
        self._stream.flush()
