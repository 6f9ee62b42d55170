"""``retrovue assets``: review library assets and promote them into the broadcast catalog."""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.broadcast.promotion import promote
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table
from retrovue.cli.params import ID_MAX
from retrovue.library.review import (
    AssetFilter,
    approve_assets,
    list_assets,
    reject_assets,
    show_asset,
)
from retrovue.library.subtitles import describe
from retrovue.scheduler.horizon import rebuild_after_catalog_change

app = typer.Typer(help="Library assets: review and promotion.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="pending, approved, rejected or failed.")
    ] = None,
    series: Annotated[str | None, typer.Option("--series", help="Only this series.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List library assets (soft-deleted ones are hidden)."""
    rows = list_assets(
        get_context(ctx).database(), AssetFilter(source=source, state=state, series=series)
    )
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            rows,
            [
                "id",
                "source",
                "kind",
                "series",
                "season",
                "episode",
                "title",
                "duration_ms",
                "state",
                "reason",
            ],
        )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    asset_id: Annotated[
        int, typer.Argument(min=1, max=ID_MAX, metavar="ID", help="Library asset id.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Show one asset with its probe data and markers."""
    detail = show_asset(get_context(ctx).database(), asset_id)
    if as_json:
        emit_json(detail)
        return
    markers = detail.pop("markers")
    tracks = detail.pop("audio_tracks")
    captions = detail.pop("captions")
    detail.pop("subtitle_files")
    details = detail.pop("video_details")
    detail.update({f"video.{key}": value for key, value in details.items()})
    detail["loudness"] = loudness_text(detail.pop("loudness"))
    emit_fields(detail)
    for track in tracks:
        typer.echo(
            f"audio  #{track['index']} {track['codec']} {track['channels']}ch "
            f"{track['sample_rate']}Hz {track['language'] or '-'}"
        )
    for source in captions:
        typer.echo(f"caption {describe(source)}")
    for marker in markers:
        typer.echo(
            f"marker {marker['kind']} {marker['start_ms']}-{marker['end_ms']} ms "
            f"{marker['title'] or ''}".rstrip()
        )


def loudness_text(loudness: dict[str, object]) -> str:
    """EBU R128 as measured at ingest, or why it is not (such a file airs at unity gain)."""
    if not loudness:
        return "never measured (re-sync the source)"
    if loudness.get("error"):
        return f"not measured: {loudness['error']} (airs at unity gain)"
    lufs, dbtp = loudness["integrated_lufs"], loudness["true_peak_dbtp"]
    return f"{lufs} LUFS integrated, {dbtp} dBTP true peak"


@app.command("approve")
def approve_cmd(
    ctx: typer.Context,
    asset_ids: Annotated[
        list[int], typer.Argument(min=1, max=ID_MAX, metavar="ID...", help="Library asset ids.")
    ],
) -> None:
    """Approve assets (all or none; failed or deleted ones are refused)."""
    cli = get_context(ctx)
    done = approve_assets(cli.database(), cli.clock, asset_ids)
    typer.echo(f"approved {len(done)} asset(s): {', '.join(map(str, done))}")


@app.command("reject")
def reject_cmd(
    ctx: typer.Context,
    asset_ids: Annotated[
        list[int], typer.Argument(min=1, max=ID_MAX, metavar="ID...", help="Library asset ids.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why (required).")],
) -> None:
    """Reject assets with a reason (they can then never be promoted until approved)."""
    cli = get_context(ctx)
    done = reject_assets(cli.database(), cli.clock, asset_ids, reason)
    typer.echo(f"rejected {len(done)} asset(s): {', '.join(map(str, done))}")


@app.command("promote")
def promote_cmd(
    ctx: typer.Context,
    asset_ids: Annotated[
        list[int] | None,
        typer.Argument(min=1, max=ID_MAX, metavar="[ID...]", help="Library asset ids."),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Every asset of a source.")] = None,
    series: Annotated[str | None, typer.Option("--series", help="Every asset of a series.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Add a catalog tag (repeat).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Promote assets into the canonical broadcast catalog (approves them too).

    Explicit IDs are all-or-nothing: one refused id refuses them all, each reason listed.
    With --source/--series, refused assets are skipped and listed; the rest are promoted.
    """
    cli = get_context(ctx)
    result = promote(
        cli.database(),
        cli.clock,
        asset_ids=asset_ids or [],
        source=source,
        series=series,
        tags=tag or [],
    )
    # new break points of assets that may already be on future days: rebuild those days
    rebuilt = (
        rebuild_after_catalog_change(cli.database(), cli.clock) if result.breaks_changed else None
    )
    if as_json:
        emit_json(result.to_json())
        return
    typer.echo(
        f"promoted {len(result.promoted_assets)} asset(s): {len(result.created)} new, "
        f"{len(result.updated)} updated catalog entries"
    )
    for refusal in result.skipped:
        typer.echo(f"skipped {refusal.asset_id}: {refusal.reason}")
    if rebuilt is not None:
        typer.echo(f"break points changed on {len(result.breaks_changed)} asset(s)")
        typer.echo(f"schedule rebuilt: {rebuilt}")
