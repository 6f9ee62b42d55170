"""``retrovue catalog``: the broadcast catalog (what is cleared to air)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from retrovue.broadcast.breakpoints import format_ms, parse_times_ms
from retrovue.broadcast.catalog import (
    CatalogFilter,
    list_catalog,
    revoke_catalog,
    set_breaks,
    show_catalog,
    tag_catalog,
)
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table
from retrovue.cli.params import ID_MAX
from retrovue.errors import ValidationError
from retrovue.scheduler.horizon import rebuild_after_catalog_change

app = typer.Typer(help="The broadcast catalog: assets cleared to air.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    canonical: Annotated[bool, typer.Option("--canonical", help="Only canonical assets.")] = False,
    tag: Annotated[str | None, typer.Option("--tag", help="Only assets with this tag.")] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="episode, movie, filler, other.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List catalog assets."""
    rows = list_catalog(
        get_context(ctx).database(), CatalogFilter(canonical_only=canonical, tag=tag, kind=kind)
    )
    if as_json:
        emit_json(rows)
    else:
        emit_table(
            rows,
            [
                "id",
                "kind",
                "guide_title",
                "season",
                "episode",
                "episode_title",
                "duration_ms",
                "tags",
                "canonical",
                "available",
            ],
        )


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    catalog_id: Annotated[
        int, typer.Argument(min=1, max=ID_MAX, metavar="ID", help="Catalog asset id.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Show one catalog asset."""
    detail = show_catalog(get_context(ctx).database(), catalog_id)
    if as_json:
        emit_json(detail)
        return
    info = detail.pop("media_info")
    breaks = detail.pop("breaks")
    emit_fields(detail)
    for key in ("container", "video_codec", "width", "height", "frame_rate", "interlaced"):
        typer.echo(f"media.{key}  {info.get(key)}")
    for line in breaks_lines(breaks):
        typer.echo(line)


def breaks_lines(breaks: dict[str, Any]) -> list[str]:
    """``catalog show``'s lines for the break points, their source and the ranges never cut."""
    points = breaks.get("points_ms") or []
    avoid = breaks.get("avoid_ms") or []
    if not breaks:
        return ["breaks.source  none (the scheduler spaces breaks evenly)"]
    shown = ", ".join(format_ms(p) for p in points) or "none (the scheduler spaces them evenly)"
    lines = [f"breaks.source  {breaks.get('source')}", f"breaks.points  {shown}"]
    if avoid:
        ranges = ", ".join(f"{format_ms(s)}-{format_ms(e)}" for s, e in avoid)
        lines.append(f"breaks.avoid  {ranges}")
    return lines


@app.command("tag")
def tag_cmd(
    ctx: typer.Context,
    catalog_id: Annotated[
        int, typer.Argument(min=1, max=ID_MAX, metavar="ID", help="Catalog asset id.")
    ],
    add: Annotated[list[str] | None, typer.Option("--add", help="Tag to add (repeat).")] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="Tag to remove (repeat).")
    ] = None,
) -> None:
    """Add or remove tags on a catalog asset."""
    cli = get_context(ctx)
    tags = tag_catalog(cli.database(), cli.clock, catalog_id, add=add or [], remove=remove or [])
    typer.echo(f"catalog {catalog_id} tags: {', '.join(tags) or '(none)'}")


@app.command("revoke")
def revoke_cmd(
    ctx: typer.Context,
    catalog_ids: Annotated[
        list[int], typer.Argument(min=1, max=ID_MAX, metavar="ID...", help="Catalog asset ids.")
    ],
) -> None:
    """Take assets off the air (canonical = false); future playlogs are rebuilt without them."""
    cli = get_context(ctx)
    database = cli.database()
    changed = revoke_catalog(database, cli.clock, catalog_ids)
    typer.echo(f"revoked {len(changed)} catalog asset(s)")
    if changed:
        typer.echo(f"schedule rebuilt: {rebuild_after_catalog_change(database, cli.clock)}")


@app.command("breaks")
def breaks_cmd(
    ctx: typer.Context,
    catalog_id: Annotated[int, typer.Argument(metavar="ID", help="Catalog asset id.")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="Break points in the file, e.g. 7:42,15:10 (m:ss or h:mm:ss)."),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Drop the operator's list: back to the library's.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Set where a programme may stop for a break, or go back to what the library knows.

    Future schedule days are rebuilt when the break points change.
    """
    if (at is None) == (not clear):
        raise ValidationError("give --at TIMES or --clear (one of them)")
    points = None if clear else parse_times_ms(at or "")
    cli = get_context(ctx)
    database = cli.database()
    breaks, changed = set_breaks(database, cli.clock, catalog_id, points)
    rebuilt = rebuild_after_catalog_change(database, cli.clock) if changed else None
    if as_json:
        emit_json({"id": catalog_id, "breaks": breaks, "changed": changed})
        return
    for line in breaks_lines(breaks):
        typer.echo(f"catalog {catalog_id} {line}")
    if rebuilt is not None:
        typer.echo(f"schedule rebuilt: {rebuilt}")
