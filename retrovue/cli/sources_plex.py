"""``retrovue source add plex`` and ``retrovue source map add|remove|list``.

Plugs into the ``source`` group of :mod:`retrovue.cli.sources`: ``cli.main`` calls
:func:`register` with it.
The token is never printed: not here, not in ``source list``, not in error messages.
"""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json, emit_table
from retrovue.library.plex import DEFAULT_TIMEOUT_S
from retrovue.library.plex_sources import (
    MappingView,
    add_mapping,
    add_plex_source,
    enable_webhook,
    list_mappings,
    remove_mapping,
)

map_app = typer.Typer(
    help="Path mappings of a Plex source: the server's paths -> paths on this host.",
    no_args_is_help=True,
)


def add_plex_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A unique name for the source.")],
    url: Annotated[str, typer.Option("--url", help="The server, e.g. http://plex.lan:32400.")],
    token: Annotated[
        str,
        typer.Option(
            "--token",
            help="X-Plex-Token (or set PLEX_TOKEN). Stored, never printed.",
            envvar="PLEX_TOKEN",
            show_envvar=False,
        ),
    ],
    library: Annotated[
        list[str] | None,
        typer.Option(
            "--library",
            help="Library title to import (repeat); default: all show and movie libraries.",
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FROM=TO path mapping (repeat); longest prefix wins."),
    ] = None,
    filler: Annotated[
        bool, typer.Option("--filler", help="Bumpers, idents, commercials: used for padding.")
    ] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Tag every asset (repeat).")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for the server per request.")
    ] = DEFAULT_TIMEOUT_S,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Add a Plex Media Server (its show and movie libraries) as a source."""
    cli = get_context(ctx)
    added = add_plex_source(
        cli.database(),
        cli.clock,
        name=name,
        url=url,
        token=token,
        libraries=library or [],
        mappings=map_ or [],
        is_filler=filler,
        tags=tag or [],
        timeout_s=timeout,
    )
    if as_json:
        emit_json(added.to_json())
        return
    titles = ", ".join(repr(lib.title) for lib in added.libraries) or "none"
    typer.echo(
        f"added plex source {added.source.name!r} ({added.source.location}, "
        f"{added.server.name or 'Plex'}: {titles}); next: retrovue source sync "
        f"{added.source.name!r}"
    )
    for location in added.uncovered:
        typer.echo(
            f"warning: no path mapping covers {location!r}; items there will not be playable "
            f"(retrovue source map add {added.source.name!r} {location} LOCAL_PATH)",
            err=True,
        )


def webhook_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The Plex source.")],
) -> None:
    """Make a Plex webhook URL that syncs the source early (a new secret each time)."""
    cli = get_context(ctx)
    secret = enable_webhook(cli.database(), cli.clock, name)
    host = cli.settings.advertise_host or "STATION-ADDRESS"
    typer.echo(
        f"webhook for {name!r}: http://{host}:{cli.settings.stream_port}/webhooks/plex/{secret}\n"
        "add it in Plex (Settings, Webhooks); library.new and library.delete then sync the "
        "source early while retrovue serve runs. Running this again replaces the secret."
    )


@map_app.command("add")
def map_add_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The Plex source.")],
    from_prefix: Annotated[str, typer.Argument(help="Path prefix as the Plex server sees it.")],
    to_prefix: Annotated[str, typer.Argument(help="The same folder on this host.")],
    position: Annotated[
        int | None, typer.Option("--position", help="Insert at this position (0 = first).")
    ] = None,
) -> None:
    """Add a path mapping; assets are re-marked playable or not at once."""
    cli = get_context(ctx)
    views = add_mapping(cli.database(), cli.clock, name, from_prefix, to_prefix, position=position)
    typer.echo(f"source {name!r} now has {len(views)} path mapping(s)")


@map_app.command("remove")
def map_remove_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The Plex source.")],
    from_prefix: Annotated[str, typer.Argument(help="The FROM prefix of the mapping to remove.")],
) -> None:
    """Remove a path mapping; assets it covered become not playable."""
    cli = get_context(ctx)
    views = remove_mapping(cli.database(), cli.clock, name, from_prefix)
    typer.echo(f"source {name!r} now has {len(views)} path mapping(s)")


@map_app.command("list")
def map_list_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The Plex source.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the source's path mappings in order."""
    views = list_mappings(get_context(ctx).database(), name)
    if as_json:
        emit_json([v.to_json() for v in views])
    else:
        emit_table([_row(v) for v in views], ["position", "from", "to"])


def _row(view: MappingView) -> dict[str, object]:
    return view.to_json()


def register(source_group: typer.Typer, add_group: typer.Typer) -> None:
    """Add ``add plex`` to ``source add`` and the ``map`` group to ``source``."""
    add_group.command("plex")(add_plex_cmd)
    source_group.command("webhook")(webhook_cmd)
    source_group.add_typer(map_app, name="map")
