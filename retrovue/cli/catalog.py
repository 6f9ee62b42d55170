"""``retrovue catalog``: the broadcast catalog (what is cleared to air)."""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.broadcast.catalog import (
    CatalogFilter,
    list_catalog,
    revoke_catalog,
    show_catalog,
    tag_catalog,
)
from retrovue.cli.context import get_context
from retrovue.cli.output import emit_fields, emit_json, emit_table
from retrovue.cli.params import ID_MAX
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
    emit_fields(detail)
    for key in ("container", "video_codec", "width", "height", "frame_rate", "interlaced"):
        typer.echo(f"media.{key}  {info.get(key)}")


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
