"""``retrovue source add jellyfin`` and ``retrovue source add emby``.

Plugs into the ``source add`` group (imported once by ``cli.main``). The key, the password and
the token a log-in returns are never printed: not here, not in ``source list``, not in errors.
"""

from __future__ import annotations

from typing import Annotated

import typer

from retrovue.cli.context import get_context
from retrovue.cli.output import emit_json
from retrovue.library.jellyfin_api import DEFAULT_TIMEOUT_S, PRODUCT
from retrovue.library.jellyfin_sources import Credentials, ServerSourceAdded, add_server_source

Libraries = Annotated[
    list[str] | None,
    typer.Option(
        "--library", help="Library name to import (repeat); default: every video library."
    ),
]
Mappings = Annotated[
    list[str] | None,
    typer.Option("--map", help="FROM=TO path mapping (repeat); longest prefix wins."),
]
Filler = Annotated[
    bool, typer.Option("--filler", help="Bumpers, idents, commercials: used for padding.")
]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="Tag every asset (repeat).")]
Timeout = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for the server per request.")
]
User = Annotated[str | None, typer.Option("--user", help="User name (instead of --api-key).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Name = Annotated[str, typer.Argument(help="A unique name for the source.")]


def _api_key(envvar: str) -> object:
    return typer.Option(
        "--api-key",
        help=f"API key (or set {envvar}). Stored, never printed.",
        envvar=envvar,
        show_envvar=False,
    )


def _password(envvar: str) -> object:
    return typer.Option(
        "--password",
        help=f"Password for --user (or set {envvar}); exchanged for a token, never stored.",
        envvar=envvar,
        show_envvar=False,
    )


def add_jellyfin_cmd(
    ctx: typer.Context,
    name: Name,
    url: Annotated[str, typer.Option("--url", help="The server, e.g. http://jellyfin.lan:8096.")],
    api_key: Annotated[str | None, _api_key("JELLYFIN_API_KEY")] = None,
    user: User = None,
    password: Annotated[str | None, _password("JELLYFIN_PASSWORD")] = None,
    library: Libraries = None,
    map_: Mappings = None,
    filler: Filler = False,
    tag: Tags = None,
    timeout: Timeout = DEFAULT_TIMEOUT_S,
    as_json: AsJson = False,
) -> None:
    """Add a Jellyfin server (its show, movie and video libraries) as a source."""
    _add(ctx, "jellyfin", name, url, Credentials(api_key, user, password), library, map_,
         filler, tag, timeout, as_json)  # fmt: skip


def add_emby_cmd(
    ctx: typer.Context,
    name: Name,
    url: Annotated[str, typer.Option("--url", help="The server, e.g. http://emby.lan:8096.")],
    api_key: Annotated[str | None, _api_key("EMBY_API_KEY")] = None,
    user: User = None,
    password: Annotated[str | None, _password("EMBY_PASSWORD")] = None,
    library: Libraries = None,
    map_: Mappings = None,
    filler: Filler = False,
    tag: Tags = None,
    timeout: Timeout = DEFAULT_TIMEOUT_S,
    as_json: AsJson = False,
) -> None:
    """Add an Emby server (its show, movie and video libraries) as a source."""
    _add(ctx, "emby", name, url, Credentials(api_key, user, password), library, map_,
         filler, tag, timeout, as_json)  # fmt: skip


def _add(
    ctx: typer.Context,
    kind: str,
    name: str,
    url: str,
    credentials: Credentials,
    libraries: list[str] | None,
    mappings: list[str] | None,
    filler: bool,
    tags: list[str] | None,
    timeout_s: float,
    as_json: bool,
) -> None:
    cli = get_context(ctx)
    added = add_server_source(
        cli.database(),
        cli.clock,
        kind=kind,
        name=name,
        url=url,
        credentials=credentials,
        libraries=libraries or [],
        mappings=mappings or [],
        is_filler=filler,
        tags=tags or [],
        timeout_s=timeout_s,
    )
    if as_json:
        emit_json(added.to_json())
    else:
        _report(kind, added)


def _report(kind: str, added: ServerSourceAdded) -> None:
    names = ", ".join(repr(lib.name) for lib in added.libraries) or "none"
    typer.echo(
        f"added {kind} source {added.source.name!r} ({added.source.location}, "
        f"{added.server.name or PRODUCT[kind]}: {names}); next: retrovue source sync "
        f"{added.source.name!r}"
    )
    for location in added.uncovered:
        typer.echo(
            f"warning: no path mapping covers {location!r}; items there will not be playable "
            f"(retrovue source map add {added.source.name!r} {location} LOCAL_PATH)",
            err=True,
        )


def register(add_group: typer.Typer) -> None:
    """Add ``add jellyfin`` and ``add emby`` to ``source add``."""
    add_group.command("jellyfin")(add_jellyfin_cmd)
    add_group.command("emby")(add_emby_cmd)
