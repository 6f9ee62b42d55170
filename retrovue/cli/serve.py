"""``retrovue serve``: run the appliance until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy import select

from retrovue.appliance import Appliance, prepare_database, serve_appliance
from retrovue.cli.context import get_context
from retrovue.config import Settings, with_overrides
from retrovue.db import Database
from retrovue.db.models import Channel
from retrovue.logs import configure_logging
from retrovue.web.auth import ensure_password

log = logging.getLogger(__name__)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default all).")] = None,
    advertise: Annotated[
        str | None,
        typer.Option("--advertise", help="LAN address written into URLs (default: auto-detect)."),
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Stream port (default 5004).")] = None,
    api_port: Annotated[
        int | None,
        typer.Option("--api-port", help="API port (default 80 if it can be bound, else --port)."),
    ] = None,
    tuners: Annotated[int | None, typer.Option("--tuners", help="Tuner count (default 4).")] = None,
    no_udp: Annotated[
        bool, typer.Option("--no-udp", help="No UDP discovery / TCP control on 65001.")
    ] = False,
    no_ssdp: Annotated[bool, typer.Option("--no-ssdp", help="No SSDP (UPnP) discovery.")] = False,
    no_mdns: Annotated[bool, typer.Option("--no-mdns", help="No mDNS advertisement.")] = False,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Create the demo library and channels first (once)."),
    ] = False,
    no_migrate: Annotated[
        bool,
        typer.Option("--no-migrate", help="Refuse to start on an old schema instead of upgrading."),
    ] = False,
) -> None:
    """Start the appliance: HDHomeRun API and discovery, guide, streams, schedule horizon."""
    cli = get_context(ctx)
    settings = with_overrides(
        cli.settings,
        bind_host=host,
        advertise_host=advertise,
        stream_port=port,
        api_port=api_port,
        tuner_count=tuners,
        enable_udp=False if no_udp else None,
        enable_ssdp=False if no_ssdp else None,
        enable_mdns=False if no_mdns else None,
    )
    configure_logging(settings.log_format, settings.log_level)
    database = cli.database(migrate=False)
    prepare_database(database, migrate=not no_migrate)
    if demo:
        from retrovue.demo.station import ensure_demo_station

        typer.echo(
            str(ensure_demo_station(database, cli.clock, settings.ensure_data_dir())), err=True
        )
    generated = ensure_password(settings.ensure_data_dir())
    asyncio.run(
        serve_appliance(
            settings,
            cli.clock,
            database,
            summary=lambda a: startup_summary(a, settings, database, generated),
        )
    )


PRODUCERS = {"process": "one worker process per live channel", "thread": "threads of this process"}


def startup_summary(
    appliance: Appliance,
    settings: Settings,
    database: Database,
    generated: str | None,
    *,
    echo: Callable[[str], None] | None = None,
) -> None:
    """The start-up summary, on stderr: where to find the station and what it carries, as it
    actually started (a responder whose port could not be bound says so and why)."""
    station = appliance.station
    device = station.device
    with database.transaction() as session:
        channels = session.execute(
            select(Channel.number, Channel.name).where(Channel.enabled.is_(True))
        ).all()
    lines = [
        f"RetroVue {device.friendly_name!r}, device id {device.device_id}, "
        f"{device.tuner_count} tuner(s)",
        f"  API        {device.base_url}/discover.json",
        f"  streams    {device.stream_base_url}/auto/v<number>",
        f"  guide      {device.stream_base_url}/xmltv.xml  (M3U: /lineup.m3u)",
        "  discovery  "
        + ", ".join(f"{name} {status}" for name, status in station.state.services.items()),
        f"  channels   {len(channels)}: "
        + (
            ", ".join(f"{n} {name}" for n, name in channels) or "none (see docs/operators-guide.md)"
        ),
        f"  horizon    kept {settings.horizon_days} days ahead; data in {settings.data_dir}",
        f"  producers  {PRODUCERS[settings.producer_isolation]}",
        f"  pages      {device.base_url}/  (JSON API: {device.base_url}/api/v1/)",
    ]
    if generated is not None:
        lines.append(
            f"  operator   password {generated}  (shown once; change it with "
            "`retrovue admin password`)"
        )
    text = "\n".join(lines)
    if echo is not None:
        echo(text)
    else:
        typer.echo(text, err=True)
