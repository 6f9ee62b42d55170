"""``retrovue guide``: the programme guide (XMLTV) and channel list (M3U), as clients get them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from retrovue.cli.context import get_context
from retrovue.config import Settings
from retrovue.errors import ValidationError
from retrovue.guide.service import GuideService

app = typer.Typer(help="The programme guide (XMLTV) and channel list (M3U).", no_args_is_help=True)


class GuideFormat(StrEnum):
    xmltv = "xmltv"
    m3u = "m3u"


def default_base_url(settings: Settings) -> str:
    """Where clients reach this appliance: the advertised host and the API port."""
    host = settings.advertise_host or "127.0.0.1"
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.api_port or settings.stream_port}"


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to FILE instead of standard output.")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="Days ahead (default: the horizon setting).")
    ] = None,
    fmt: Annotated[GuideFormat, typer.Option("--format", help="xmltv or m3u.")] = GuideFormat.xmltv,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="URL clients reach (default: advertised).")
    ] = None,
) -> None:
    """Write the guide (XMLTV, from the past day to N days ahead) or the M3U channel list."""
    cli = get_context(ctx)
    if days is not None and not 1 <= days <= 60:
        raise ValidationError(f"--days: {days} is out of range (1 to 60)")
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ValidationError(f"--base-url: {base_url!r} must start with http:// or https://")
    if out is not None and not out.parent.is_dir():
        raise ValidationError(f"--out: folder {out.parent} does not exist")
    guide = GuideService(cli.database(), cli.clock, days=days or cli.settings.horizon_days)
    base = (base_url or default_base_url(cli.settings)).rstrip("/")
    body = guide.render_xmltv(base) if fmt is GuideFormat.xmltv else guide.render_m3u(base)
    if out is None:
        typer.echo(body.decode("utf-8"), nl=False)
        return
    out.write_bytes(body)
    typer.echo(f"wrote {len(body)} bytes to {out}", err=True)
